// The connection side shared by the outputs that write to a TCP/TLS receiver (Devo relays,
// syslog daemons): reads the certificate files once (again after a failure), warns when
// host-name checks are off, builds the SocketSender, and keeps a shared 'drain' connection
// to one batch at a time ('close' opens a connection per batch, so batches may overlap).

import type { Logger, OutputContext } from '../../core/contracts.js';
import { SerialQueue } from '../../core/serial-queue.js';
import { SocketSender, type AckMode, type Chunk, type SocketEndpoint } from './socket-sender.js';
import { readPemFiles, type PemFiles } from './tls-files.js';

export interface SocketOutputTls {
  /** The files named in the settings, and the setting name of each for error messages. */
  readonly files: PemFiles;
  readonly settingOf: (which: keyof PemFiles) => string;
  readonly verifyHostname: boolean;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface SocketOutputSettings {
  readonly address: string;
  readonly port: number;
  /** Absent: plain TCP. */
  readonly tls: SocketOutputTls | undefined;
  readonly ack: AckMode;
  readonly connect_timeout_seconds: number;
  readonly idle_timeout_seconds: number;
  readonly max_connection_age_seconds: number;
  readonly close_timeout_seconds: number;
  /** What the receiver is called in warnings: "relay", "daemon". */
  readonly receiver: string;
}

export class SocketOutputConnection {
  private readonly queue: SerialQueue | undefined;
  private sender: Promise<SocketSender> | undefined;
  private openSender: SocketSender | undefined;
  private bytesOfClosedSenders = 0;
  private readonly logger: Logger;

  constructor(
    private readonly output: string,
    private readonly settings: SocketOutputSettings,
    private readonly ctx: OutputContext,
  ) {
    this.logger = ctx.logger;
    this.queue = settings.ack === 'drain' ? new SerialQueue() : undefined;
  }

  get bytesSent(): number {
    return this.bytesOfClosedSenders + (this.openSender?.bytesSent ?? 0);
  }

  /** Reads the certificate files (errors name the setting). */
  async open(): Promise<void> {
    await this.prepare();
  }

  /** `stop` drops the connection at once (the shutdown deadline), also while waiting behind an earlier batch. */
  async send(chunks: readonly Chunk[], stop?: AbortSignal): Promise<void> {
    const sender = await this.prepare();
    if (this.queue) await this.queue.run(() => sender.send(chunks, stop));
    else await sender.send(chunks, stop);
  }

  async check(): Promise<string> {
    const sender = await this.prepare();
    return sender.check();
  }

  /** Closes gracefully; `stop` drops the connection instead (the shutdown deadline). */
  async close(stop?: AbortSignal): Promise<void> {
    const pending = this.sender;
    this.sender = undefined;
    if (!pending) return;
    let sender: SocketSender;
    try {
      sender = await pending;
    } catch {
      return; // never opened: nothing to close
    }
    const close = (): Promise<void> => sender.close(stop);
    await (this.queue ? this.queue.run(close) : close());
    this.bytesOfClosedSenders += sender.bytesSent;
    if (this.openSender === sender) this.openSender = undefined;
  }

  /** Builds the sender once (again after a failure). */
  private prepare(): Promise<SocketSender> {
    if (!this.sender) {
      const building = this.buildSender();
      this.sender = building;
      building.then(
        (sender) => (this.openSender = sender),
        () => {
          if (this.sender === building) this.sender = undefined;
        },
      );
    }
    return this.sender;
  }

  private async buildSender(): Promise<SocketSender> {
    const s = this.settings;
    let endpoint: SocketEndpoint = { host: s.address, port: s.port };
    if (s.tls) {
      const pem = await readPemFiles(this.output, this.ctx.baseDir, s.tls.files, s.tls.settingOf);
      if (!s.tls.verifyHostname) {
        this.logger.warn(
          `Output ${this.output}: verify_hostname is false: the ${s.receiver}'s certificate is not checked against ${s.address}, ` +
            'so any server holding a certificate from a trusted CA, for any host name, can receive these events (man in the middle)',
        );
      }
      endpoint = {
        ...endpoint,
        tls: {
          ...(pem.ca !== undefined ? { ca: pem.ca } : {}),
          ...(pem.cert !== undefined ? { cert: pem.cert } : {}),
          ...(pem.key !== undefined ? { key: pem.key } : {}),
          verifyServer: true,
          verifyHostname: s.tls.verifyHostname,
          minVersion: s.tls.minVersion,
          refusalWords: { receiver: s.receiver, cert: settingName(s.tls, 'cert'), key: settingName(s.tls, 'key'), ca: settingName(s.tls, 'ca') },
        },
      };
    }
    return new SocketSender(
      this.output,
      endpoint,
      {
        ack: s.ack,
        connectTimeoutMs: s.connect_timeout_seconds * 1000,
        idleTimeoutMs: s.idle_timeout_seconds * 1000,
        maxAgeMs: s.max_connection_age_seconds * 1000,
        closeTimeoutMs: s.close_timeout_seconds * 1000,
      },
      this.logger,
      () => this.ctx.clock.now(),
    );
  }
}

/** A setting's name as written inside the output's `config` block ("chain", not "config.chain"). */
function settingName(t: SocketOutputTls, which: keyof PemFiles): string {
  return t.settingOf(which).replace(/^config\./, '');
}
