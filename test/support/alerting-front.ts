// A TCP front for a TLS relay, as some balancers in front of Devo relays behave: bytes pass
// both ways untouched, and when the relay ends a connection (having refused the client's
// certificate), the front sends an unencrypted TLS alert record (fatal, certificate_required)
// before closing. A TLS 1.3 client, whose handshake is complete by then, reads that record
// as OpenSSL's "bad record type" (ERR_SSL_BAD_RECORD_TYPE), which is how a real relay's
// refusal showed up in `siphon check`.

import net from 'node:net';

/** TLS record: type 21 (alert), version 3.3, length 2; level 2 (fatal), description 116 (certificate_required). */
const PLAIN_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x74]);

export class AlertingFront {
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly sockets: Set<net.Socket>,
  ) {}

  static async start(relayPort: number): Promise<AlertingFront> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const relay = net.connect({ host: '127.0.0.1', port: relayPort });
      for (const s of [client, relay]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(relay);
      relay.on('data', (chunk: Buffer) => client.write(chunk));
      relay.on('end', () => client.end(PLAIN_ALERT));
      client.on('close', () => relay.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new AlertingFront(server, (server.address() as net.AddressInfo).port, sockets);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
