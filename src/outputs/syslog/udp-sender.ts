// Syslog over UDP (RFC 5426): one datagram per message, from one connected socket. UDP has
// no acknowledgement of any kind: a send is "done" when the kernel has taken the datagram.
// What the connected socket does give is the host's "port unreachable" answer, which Node
// reports as an 'error' on the socket: the batch being sent, or else the next one, is
// rejected (and sent again later) on a new socket.

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { SiphonError } from '../../core/errors.js';
import { connectError } from '../net/connect-error.js';

export class UdpSender {
  private socket: dgram.Socket | undefined;
  /** An error the socket reported between sends (ICMP port unreachable): the next send fails with it. */
  private failure: Error | undefined;
  /** The sends in progress, failed when the socket reports an error. */
  private readonly inFlight = new Set<(err: Error) => void>();
  private sent = 0;
  readonly address: string;

  constructor(
    private readonly output: string,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.address = `${host}:${port}`;
  }

  /** Bytes of the datagrams handed to the kernel. */
  get bytesSent(): number {
    return this.sent;
  }

  /** Resolves the host name: the only thing about a UDP receiver that can be checked. Returns the IP address. */
  async resolve(): Promise<{ address: string; family: number }> {
    try {
      return await lookup(this.host);
    } catch (err) {
      throw connectError(this.output, this.address, err);
    }
  }

  /** Sends every datagram; resolves once each send callback has fired without error. */
  async send(datagrams: readonly Buffer[]): Promise<void> {
    if (datagrams.length === 0) return;
    const socket = await this.connected();
    const earlier = this.failure;
    if (earlier) {
      this.drop(socket);
      throw this.sendError(earlier);
    }
    await new Promise<void>((resolve, reject) => {
      let pending = datagrams.length;
      let failed = false;
      const done = (err: Error | null): void => {
        if (failed) return;
        if (err) {
          failed = true;
          this.inFlight.delete(done);
          // Sent afresh after a failure: a new socket resolves the name again.
          this.drop(socket);
          reject(this.sendError(err));
          return;
        }
        pending -= 1;
        if (pending === 0) {
          this.inFlight.delete(done);
          resolve();
        }
      };
      this.inFlight.add(done);
      for (const datagram of datagrams) {
        this.sent += datagram.length;
        socket.send(datagram, done);
      }
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.failure = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private async connected(): Promise<dgram.Socket> {
    if (this.socket) return this.socket;
    const { address, family } = await this.resolve();
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.on('error', (err) => {
      if (this.socket !== socket) return;
      if (this.inFlight.size === 0) this.failure = err;
      for (const fail of [...this.inFlight]) fail(err);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      socket.close();
      throw connectError(this.output, this.address, err);
    });
    this.socket = socket;
    return socket;
  }

  private drop(socket: dgram.Socket): void {
    if (this.socket === socket) {
      this.socket = undefined;
      this.failure = undefined;
    }
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  private sendError(err: Error): SiphonError {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      return new SiphonError(
        'OUTPUT_UNAVAILABLE',
        `Output ${this.output}: ${this.address}: the host answered that nothing listens on this UDP port (ICMP port unreachable)`,
        { output: this.output, address: this.address, failure: 'refused' },
        { cause: err },
      );
    }
    return connectError(this.output, this.address, err);
  }
}
