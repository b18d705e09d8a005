// A local imitation of a Devo relay, for tests: a TLS server (or plain TCP) on 127.0.0.1
// that requires a client certificate signed by the test CA, as Devo's relays require the
// domain's certificate. It keeps every byte of every connection, closes its side once the
// client half-closes (Node's default allowHalfOpen=false: that is the end-of-data proof
// ack 'close' waits for), and parses what it got into frames. It can stop and start again
// on the same port, close connections itself, and read slowly (back-pressure tests).

import net from 'node:net';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';

export interface DevoReceiverTls {
  /** The certificate and key the receiver presents (a wrong-host one, to test host-name checks). */
  readonly cert: string;
  readonly key: string;
  /** CA certificates trusted for client certificates. */
  readonly ca: string;
  /** Default true, as a Devo relay: a client without a certificate from `ca` is turned away. */
  readonly requireClientCert?: boolean;
  /** Default TLS 1.3; 'TLSv1.2' to see how a TLS 1.2 relay refuses a certificate (inside the handshake). */
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface DevoReceiverOptions {
  /** Absent: plain TCP. */
  readonly tls?: DevoReceiverTls;
  /** Each connection's bytes are a series of gzip members: decompress them before parsing. */
  readonly gzip?: boolean;
  /** Read at most this many bytes per second on each connection (the socket is paused in between). */
  readonly slowBytesPerSecond?: number;
  /** Keep a connection open after the client's end of data (a relay that never closes its side). */
  readonly keepHalfOpen?: boolean;
}

export interface ReceivedFrame {
  readonly pri: number;
  readonly date: string;
  readonly hostname: string;
  readonly tag: string;
  /** Without the final line break. */
  readonly message: string;
  /** Sent as `<length> <frame>`. */
  readonly octetCounted: boolean;
}

export interface ReceiverConnection {
  readonly chunks: Buffer[];
  /** Bytes read so far. */
  received: number;
  /** The client half-closed: it sent everything it meant to. */
  clientEnded: boolean;
  closed: boolean;
  /** TLS: the certificate the client presented was accepted. */
  authorized: boolean;
}

export class DevoReceiver {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly conns: ReceiverConnection[] = [];
  /** Handshakes that failed on the server side (a rejected client certificate), by message. */
  readonly tlsErrors: string[] = [];
  private boundPort = 0;

  private constructor(private readonly options: DevoReceiverOptions) {}

  static async start(options: DevoReceiverOptions = {}): Promise<DevoReceiver> {
    const receiver = new DevoReceiver(options);
    await receiver.start();
    return receiver;
  }

  get port(): number {
    return this.boundPort;
  }

  get connections(): readonly ReceiverConnection[] {
    return this.conns;
  }

  get connectionCount(): number {
    return this.conns.length;
  }

  get isListening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Starts listening: on a free port the first time, on the same port after stop(). */
  async start(): Promise<void> {
    if (this.server?.listening) return;
    for (let attempt = 1; ; attempt++) {
      const halfOpen = this.options.keepHalfOpen ?? false;
      const server = this.options.tls ? this.tlsServer(this.options.tls, halfOpen) : net.createServer({ allowHalfOpen: halfOpen }, (socket) => this.accept(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: '127.0.0.1', port: this.boundPort }, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        // Restarting on the same port: the old listener may need a moment to let go of it.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      server.on('error', () => undefined);
      this.server = server;
      this.boundPort = (server.address() as net.AddressInfo).port;
      return;
    }
  }

  private tlsServer(t: DevoReceiverTls, allowHalfOpen: boolean): tls.Server {
    const require = t.requireClientCert ?? true;
    const server = tls.createServer({ key: t.key, cert: t.cert, ca: t.ca, requestCert: require, rejectUnauthorized: require, allowHalfOpen, maxVersion: t.maxVersion ?? 'TLSv1.3' }, (socket) =>
      this.accept(socket, socket.authorized),
    );
    server.on('tlsClientError', (err) => this.tlsErrors.push(err.message));
    return server;
  }

  private accept(socket: net.Socket, authorized = false): void {
    const conn: ReceiverConnection = { chunks: [], received: 0, clientEnded: false, closed: false, authorized };
    this.conns.push(conn);
    this.sockets.add(socket);
    const rate = this.options.slowBytesPerSecond;
    socket.on('data', (chunk: Buffer) => {
      conn.chunks.push(chunk);
      conn.received += chunk.length;
      if (rate !== undefined) {
        // Pausing stops reading: the kernel buffers fill and the sender feels the back-pressure.
        socket.pause();
        setTimeout(() => socket.resume(), (chunk.length / rate) * 1000).unref();
      }
    });
    socket.on('end', () => {
      conn.clientEnded = true;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      conn.closed = true;
      this.sockets.delete(socket);
    });
  }

  /**
   * Stops accepting connections. By default the open ones go on until their clients finish;
   * `abrupt` cuts them (no close_notify, no FIN: a crash or a balancer's reset).
   */
  async stop(options: { abrupt?: boolean } = {}): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (options.abrupt) for (const socket of this.sockets) cut(socket);
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // close() calls back only once every connection is gone; graceful stop does not wait for them.
      if (!options.abrupt) setImmediate(resolve);
    });
  }

  /** The receiver closes every open connection itself, gracefully (as a balancer dropping an idle one), and waits until they are gone. */
  async closeConnections(): Promise<void> {
    const open = [...this.sockets];
    await Promise.all(
      open.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) return resolve();
            socket.once('close', () => resolve());
            socket.end();
          }),
      ),
    );
  }

  /** Every byte received, connection after connection, as sent (still compressed in gzip mode). */
  rawBytes(): Buffer {
    return Buffer.concat(this.conns.flatMap((c) => c.chunks));
  }

  /** Every byte received, decompressed in gzip mode (each connection is its own series of gzip members). */
  bytes(): Buffer {
    return Buffer.concat(this.conns.map((c) => this.connectionBytes(c)));
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  connectionBytes(conn: ReceiverConnection): Buffer {
    const raw = Buffer.concat(conn.chunks);
    return this.options.gzip && raw.length > 0 ? gunzipSync(raw) : raw;
  }

  /** The frames of every connection, in order. Throws on bytes that are not Devo frames. */
  frames(): ReceivedFrame[] {
    return this.conns.flatMap((c) => parseFrames(this.connectionBytes(c)));
  }

  /** Resolves once `check` holds; rejects after `timeoutMs`. */
  async waitFor(check: () => boolean, timeoutMs = 5_000, what = 'the receiver'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves once every connection so far has closed. */
  async whenIdle(timeoutMs = 30_000): Promise<void> {
    await this.waitFor(() => this.conns.every((c) => c.closed), timeoutMs, 'every connection to close');
  }
}

/** Ends a connection at once: a TCP reset where Node allows it (plain TCP), else a bare close without TLS close_notify. */
function cut(socket: net.Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

const FRAME_RE = /^<(\d{1,3})>(.{15}) (\S+) (\S+): ([\s\S]*)\n$/;

/** Splits a stream of Devo frames: lines ending in \n, or `<length> <frame>` when the first byte is a digit. */
export function parseFrames(data: Buffer): ReceivedFrame[] {
  const frames: ReceivedFrame[] = [];
  let at = 0;
  while (at < data.length) {
    let frame: Buffer;
    let octetCounted = false;
    const first = data[at] ?? 0;
    if (first >= 0x30 && first <= 0x39) {
      const space = data.indexOf(0x20, at);
      const length = Number(data.subarray(at, space).toString('latin1'));
      if (space < 0 || !Number.isInteger(length) || space + 1 + length > data.length) throw new Error(`bad octet count at byte ${at}`);
      frame = data.subarray(space + 1, space + 1 + length);
      at = space + 1 + length;
      octetCounted = true;
    } else {
      const newline = data.indexOf(0x0a, at);
      if (newline < 0) throw new Error(`unterminated frame at byte ${at}`);
      frame = data.subarray(at, newline + 1);
      at = newline + 1;
    }
    const text = frame.toString('utf8');
    const m = FRAME_RE.exec(text);
    if (!m) throw new Error(`not a Devo frame: ${JSON.stringify(text.slice(0, 120))}`);
    frames.push({ pri: Number(m[1]), date: m[2]!, hostname: m[3]!, tag: m[4]!, message: m[5]!, octetCounted });
  }
  return frames;
}
