// One TCP or TLS connection to a receiver (Devo relay, syslog daemon), shared by the Devo and
// syslog outputs. Plain TCP has no application acknowledgement, so what "delivered" means is
// a choice, the `ack` mode:
//  - 'close' (default): each send() opens a connection, writes, half-closes and waits for the
//    receiver to close in turn. A receiver closes only after reading to the end of the stream,
//    so a resolved send() proves every byte was read. Costs one handshake per batch.
//  - 'drain': one long-lived connection; a send() is acknowledged once the bytes are handed to
//    the kernel. Faster; a receiver that dies may lose what was in flight.
// Either way a failed send() is rejected, never half-acknowledged: the caller sends the batch again.
// A `stop` signal (the collector's shutdown deadline) destroys the connection at once: a
// receiver that neither reads nor closes cannot hold Siphon past it.

import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../core/contracts.js';
import { codedError, connectError, DEFAULT_REFUSAL_WORDS, duringHandshake, refusedAfterHandshake, type TlsRefusalWords } from './connect-error.js';

export interface TlsClientSettings {
  /** PEM text of the CA certificates that sign the receiver's certificate (Devo's `chain`); default: system CAs. */
  readonly ca?: string;
  /** PEM text of the client certificate and its key, for receivers that require one. */
  readonly cert?: string;
  readonly key?: string;
  /** Verify the receiver's certificate chain. */
  readonly verifyServer: boolean;
  /** Verify that the certificate names the host we connect to. */
  readonly verifyHostname: boolean;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** How a refusal of our certificate names the receiver and the settings to check; default "receiver", cert, key, ca. */
  readonly refusalWords?: TlsRefusalWords;
}

export interface SocketEndpoint {
  readonly host: string;
  readonly port: number;
  /** Absent: plain TCP. */
  readonly tls?: TlsClientSettings;
}

export type AckMode = 'close' | 'drain';

export interface SocketSenderOptions {
  readonly ack: AckMode;
  readonly connectTimeoutMs: number;
  /** 'drain': a connection idle this long is replaced before use (balancers drop idle ones silently). */
  readonly idleTimeoutMs: number;
  /** 'drain': a connection older than this is closed gracefully and replaced. */
  readonly maxAgeMs: number;
  /** How long to wait for the receiver to close after our half-close. */
  readonly closeTimeoutMs: number;
}

export type Chunk = string | Buffer;

/** Why a connection was destroyed by a `stop` signal. */
function stoppedError(): NodeJS.ErrnoException {
  return codedError('SIPHON_CLOSED', 'dropped: the output is stopping (shutdown deadline)');
}

/** Destroys `socket` when `stop` aborts; returns the listener's remover. */
function destroyOnStop(socket: net.Socket, stop: AbortSignal | undefined, onStop: () => void): () => void {
  if (!stop) return () => undefined;
  const listener = (): void => {
    onStop();
    socket.destroy();
  };
  if (stop.aborted) {
    listener();
    return () => undefined;
  }
  stop.addEventListener('abort', listener, { once: true });
  return () => stop.removeEventListener('abort', listener);
}

/** After a TLS handshake, how long to watch for the receiver refusing us: twice the handshake's time, within these bounds. */
const VERDICT_MIN_MS = 10;
const VERDICT_MAX_MS = 2_000;
/** `siphon check` is in no hurry, and a refusal arriving after the wait would read as a PASS: it waits at least this long. */
const CHECK_VERDICT_MIN_MS = 250;

/**
 * What a failure of a fresh connection's first exchange means: the error seen, or undefined
 * when the receiver closed without confirming the end of the data. Returns the error to report.
 */
type FirstExchangeFailure = (seen: Error | undefined) => unknown;

interface OpenConnection {
  socket: net.Socket;
  openedAt: number;
  lastUsedAt: number;
  /** Set when the receiver closed its side or the socket failed: the next send reconnects. */
  dead: boolean;
}

export class SocketSender {
  private connection: OpenConnection | undefined;
  private sent = 0;
  private secureContext: tls.SecureContext | undefined;
  readonly address: string;

  constructor(
    private readonly output: string,
    private readonly endpoint: SocketEndpoint,
    private readonly options: SocketSenderOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.address = `${endpoint.host}:${endpoint.port}`;
  }

  /** Bytes written (before TLS) since creation. */
  get bytesSent(): number {
    return this.sent;
  }

  /** True while a 'drain' connection is open. */
  get isConnectionOpen(): boolean {
    return this.connection !== undefined && !this.connection.dead;
  }

  /** Sends `chunks` in order; resolves when they are acknowledged as the ack mode says. */
  async send(chunks: readonly Chunk[], stop?: AbortSignal): Promise<void> {
    if (chunks.length === 0) return;
    if (this.options.ack === 'close') {
      const socket = await this.connect(stop);
      await this.writeAndClose(socket, chunks, stop, (seen) => {
        // A TLS error in the first batch of a connection is the receiver's late verdict on our certificate; a reset may be anything.
        const tls = this.refusalTerms();
        return tls && /^ERR_SSL_/.test((seen as NodeJS.ErrnoException | undefined)?.code ?? '') ? refusedAfterHandshake(seen, tls.words, tls.offersCertificate) : seen;
      });
      return;
    }
    const connection = await this.liveConnection(stop);
    try {
      await this.write(connection.socket, chunks, stop);
      connection.lastUsedAt = this.now();
    } catch (err) {
      this.drop(connection);
      throw connectError(this.output, this.address, err);
    }
  }

  /** For `siphon check`: connects (TLS: handshake, and the server's verdict on our certificate), then closes gracefully; says what was proven. */
  async check(): Promise<string> {
    const socket = await this.connect(undefined, CHECK_VERDICT_MIN_MS);
    const protocol = socket instanceof tls.TLSSocket ? socket.getProtocol() : undefined;
    // Nothing is sent: a TLS session that ends any other way than by the receiver's own close is refused.
    const terms = this.refusalTerms();
    await this.writeAndClose(socket, [], undefined, terms ? (seen) => refusedAfterHandshake(seen, terms.words, terms.offersCertificate) : undefined);
    return protocol ? `${protocol} handshake with ${this.address} completed${this.endpoint.tls?.cert ? ', client certificate accepted' : ''}` : `TCP connection to ${this.address} opened`;
  }

  /**
   * Closes the 'drain' connection gracefully: half-close, then wait until the receiver has
   * read everything and closed (at most close_timeout_seconds, or until `stop` aborts).
   */
  async close(stop?: AbortSignal): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    if (connection.dead) {
      connection.socket.destroy();
      return;
    }
    try {
      await this.writeAndClose(connection.socket, [], stop);
    } catch (err) {
      this.logger.warn(`Closing the connection to ${this.address} did not end cleanly: ${(err as Error).message}`);
    }
  }

  /** The open 'drain' connection, replaced first when it is too old, idle too long or closed by the receiver. */
  private async liveConnection(stop: AbortSignal | undefined): Promise<OpenConnection> {
    const current = this.connection;
    const now = this.now();
    if (current && !current.dead) {
      if (now - current.openedAt >= this.options.maxAgeMs) {
        this.logger.info(`Connection to ${this.address} reached its maximum age (${Math.round(this.options.maxAgeMs / 1000)} s): opening a new one`);
        await this.close(stop);
      } else if (now - current.lastUsedAt >= this.options.idleTimeoutMs) {
        if (this.logger.isDebugEnabled()) this.logger.debug(`Connection to ${this.address} idle for ${Math.round((now - current.lastUsedAt) / 1000)} s: opening a new one`);
        await this.close(stop);
      } else {
        return current;
      }
    } else if (current) {
      this.drop(current);
    }
    const socket = await this.connect(stop);
    const connection: OpenConnection = { socket, openedAt: this.now(), lastUsedAt: this.now(), dead: false };
    socket.resume(); // receivers send nothing; never let unread input stall the socket
    socket.on('end', () => {
      connection.dead = true;
    });
    socket.on('error', () => {
      connection.dead = true;
    });
    socket.on('close', () => {
      connection.dead = true;
    });
    this.connection = connection;
    return connection;
  }

  private drop(connection: OpenConnection): void {
    connection.dead = true;
    connection.socket.destroy();
    if (this.connection === connection) this.connection = undefined;
  }

  /** The TLS context (CA, client certificate and key parsed once, not per connection: ~4 ms of CPU each). */
  private tlsContext(t: TlsClientSettings): tls.SecureContext {
    this.secureContext ??= tls.createSecureContext({
      ...(t.ca !== undefined ? { ca: t.ca } : {}),
      ...(t.cert !== undefined ? { cert: t.cert } : {}),
      ...(t.key !== undefined ? { key: t.key } : {}),
      minVersion: t.minVersion,
    });
    return this.secureContext;
  }

  /** For TLS: how a refusal names the receiver and the settings, and whether we offer a certificate. */
  private refusalTerms(): { words: TlsRefusalWords; offersCertificate: boolean } | undefined {
    const t = this.endpoint.tls;
    return t ? { words: t.refusalWords ?? DEFAULT_REFUSAL_WORDS, offersCertificate: t.cert !== undefined } : undefined;
  }

  /**
   * Opens a connection; for TLS, resolves only after the server has accepted our certificate, as
   * far as `verdictMinMs` (or twice the handshake's time, if longer) after the handshake can tell.
   */
  private connect(stop: AbortSignal | undefined, verdictMinMs = VERDICT_MIN_MS): Promise<net.Socket> {
    const { host, port, tls: t } = this.endpoint;
    if (stop?.aborted) return Promise.reject(connectError(this.output, this.address, stoppedError()));
    return new Promise<net.Socket>((resolve, reject) => {
      let settled = false;
      let socket: net.Socket;
      const onStop = (): void => fail(stoppedError());
      /** What a socket error before success means; TLS refines it by the handshake's progress. */
      let onError = (err: Error): void => fail(err);
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop?.removeEventListener('abort', onStop);
        socket.destroy();
        reject(connectError(this.output, this.address, err));
      };
      const succeed = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop?.removeEventListener('abort', onStop);
        socket.off('error', onError);
        // Errors after this point belong to whoever uses the socket; keep one listener so none is unhandled.
        socket.on('error', () => undefined);
        resolve(socket);
      };
      const timer = setTimeout(
        () => fail(codedError('SIPHON_CONNECT_TIMEOUT', `timed out after ${this.options.connectTimeoutMs / 1000} s connecting (no answer: a firewall dropping packets, or a wrong address)`)),
        this.options.connectTimeoutMs,
      );
      if (t) {
        let secureContext: tls.SecureContext;
        try {
          secureContext = this.tlsContext(t);
        } catch (err) {
          clearTimeout(timer);
          settled = true;
          reject(connectError(this.output, this.address, err));
          return;
        }
        socket = tls.connect({
          host,
          port,
          ...(net.isIP(host) ? {} : { servername: host }),
          secureContext,
          rejectUnauthorized: t.verifyServer,
          checkServerIdentity: t.verifyHostname ? tls.checkServerIdentity : () => undefined,
        });
        const handshakeStarted = this.now();
        const words = t.refusalWords ?? DEFAULT_REFUSAL_WORDS;
        const offersCertificate = t.cert !== undefined;
        let handshakeDone = false;
        // Errors before the verdict below are the receiver's answer to our certificate (or its absence).
        onError = (err) => fail(handshakeDone ? refusedAfterHandshake(err, words, offersCertificate) : duringHandshake(err, words, offersCertificate));
        socket.once('secureConnect', () => {
          handshakeDone = true;
          // A receiver may judge our certificate (or its absence) only after the handshake:
          // TLS 1.3 servers check it after our last handshake message, and rsyslog's
          // x509/certvalid mode after the handshake altogether, closing with or without an
          // alert. Either way the refusal comes within a round trip or two; wait that long,
          // so a refusal is never taken for the receiver's end-of-data close.
          const settleMs = Math.min(Math.max(VERDICT_MAX_MS, verdictMinMs), Math.max(verdictMinMs, 2 * (this.now() - handshakeStarted)));
          socket.resume();
          const verdict = setTimeout(succeed, settleMs);
          socket.once('close', () => {
            clearTimeout(verdict);
            fail(refusedAfterHandshake(undefined, words, offersCertificate));
          });
        });
      } else {
        socket = net.connect({ host, port });
        socket.once('connect', succeed);
      }
      socket.once('error', onError);
      socket.setNoDelay(true);
      stop?.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Writes the chunks; resolves when the last one is handed to the kernel. */
  private write(socket: net.Socket, chunks: readonly Chunk[], stop: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      // A receiver that stopped reading holds the last write forever: only `stop` ends it.
      const forget = destroyOnStop(socket, stop, () => reject(stoppedError()));
      socket.once('error', onError);
      socket.cork();
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        this.sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        if (i < chunks.length - 1) {
          socket.write(chunk);
          continue;
        }
        socket.write(chunk, (err) => {
          socket.off('error', onError);
          forget();
          if (err) reject(err);
          else resolve();
        });
      }
      socket.uncork();
    });
  }

  /**
   * Writes, half-closes and waits for the receiver to close: it has then read every byte.
   * `firstExchange` says what a failure means on a connection opened for this (not a timeout).
   */
  private writeAndClose(socket: net.Socket, chunks: readonly Chunk[], stop: AbortSignal | undefined, firstExchange?: FirstExchangeFailure): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let receiverEnded = false;
      let failure: Error | undefined;
      let timedOut = false;
      const forget = destroyOnStop(socket, stop, () => (failure ??= stoppedError()));
      const timer = setTimeout(() => {
        timedOut = true;
        failure = codedError(
          'SIPHON_CLOSED',
          `the receiver did not close the connection within ${this.options.closeTimeoutMs / 1000} s after the end of the data, so its reading of every byte is not confirmed ` +
            '(a receiver that keeps connections open after the end of the data needs `ack: drain`; a slow one, a longer `close_timeout_seconds`)',
        );
        socket.destroy();
      }, this.options.closeTimeoutMs);
      socket.resume();
      socket.on('end', () => {
        receiverEnded = true;
      });
      socket.on('error', (err) => {
        failure ??= err;
      });
      socket.once('close', () => {
        clearTimeout(timer);
        forget();
        if (failure || !receiverEnded) {
          const seen = !timedOut && firstExchange ? firstExchange(failure) : failure;
          reject(connectError(this.output, this.address, seen ?? codedError('SIPHON_CLOSED', 'the connection was cut before the receiver confirmed the end of the data')));
        } else {
          resolve();
        }
      });
      for (const chunk of chunks) {
        this.sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        socket.write(chunk);
      }
      socket.end();
    });
  }
}
