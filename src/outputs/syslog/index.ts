// `syslog` output: each event as one syslog message (RFC 5424 or RFC 3164, ./format.ts) to
// a syslog daemon over TCP, TLS (RFC 5425) or UDP (RFC 5426). The Devo tag travels as
// APP-NAME / TAG. TCP and TLS go through the shared SocketSender, whose `ack` mode says what
// "acknowledged" means ('close': the daemon read every byte; 'drain': the kernel took them);
// UDP acknowledges once every datagram is handed to the kernel, which proves nothing more.

import type { Logger, Output, OutputContext, OutputDefinition, OutputRecord } from '../../core/contracts.js';
import { SocketOutputConnection } from '../net/socket-output.js';
import { SyslogFormatter, streamChunks, udpDatagrams } from './format.js';
import { priority, syslogOutputSchema, type SyslogOutputSettings } from './settings.js';
import { UdpSender } from './udp-sender.js';

export { syslogOutputSchema, type SyslogOutputSettings } from './settings.js';

export class SyslogOutput implements Output {
  readonly type = 'syslog';
  private readonly logger: Logger;
  private readonly formatter: SyslogFormatter;
  /** TCP or TLS; UDP has its own sender. */
  private readonly stream: SocketOutputConnection | undefined;
  private udp: UdpSender | undefined;
  private bytesOfClosedUdp = 0;

  constructor(
    readonly name: string,
    private readonly settings: SyslogOutputSettings,
    private readonly ctx: OutputContext,
    procId: string = String(process.pid),
  ) {
    this.logger = ctx.logger;
    this.formatter = new SyslogFormatter({
      format: settings.format,
      pri: priority(settings.facility, settings.severity),
      hostname: settings.hostname,
      procId,
      appName: settings.app_name,
      warn: (message) => this.logger.warn(`Output ${name}: ${message}`),
    });
    if (settings.protocol !== 'udp') {
      const tls =
        settings.protocol === 'tls'
          ? {
              files: { ca: settings.ca, cert: settings.cert, key: settings.key },
              settingOf: (which: 'ca' | 'cert' | 'key') => `config.${which}`,
              verifyHostname: settings.verify_hostname,
              minVersion: settings.tls_min_version,
            }
          : undefined;
      this.stream = new SocketOutputConnection(name, { ...settings, tls, receiver: 'daemon' }, ctx);
    }
  }

  get bytesSent(): number {
    return this.stream ? this.stream.bytesSent : this.bytesOfClosedUdp + (this.udp?.bytesSent ?? 0);
  }

  async open(): Promise<void> {
    await this.stream?.open();
  }

  async write(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void> {
    if (records.length === 0) return;
    const now = this.ctx.clock.now();
    if (!this.stream) {
      const { datagrams, truncated } = udpDatagrams(this.formatter, records, now, this.settings.udp_max_message_bytes);
      if (truncated > 0) {
        this.logger.warn(
          `Output ${this.name}: ${truncated} of ${records.length} events were longer than udp_max_message_bytes (${this.settings.udp_max_message_bytes}) ` +
            'and were cut to that size; use protocol tcp or tls for large events, or raise the limit (the receiver must accept as much)',
        );
      }
      await this.udpSender().send(datagrams);
      return;
    }
    await this.stream.send(streamChunks(this.formatter, records, now, this.settings.framing), signal);
  }

  async check(): Promise<string> {
    if (this.stream) return this.stream.check();
    const { address } = await this.udpSender().resolve();
    return `${this.settings.address} resolves to ${address}; UDP has no handshake, so whether a daemon listens on port ${this.settings.port} cannot be proven`;
  }

  async close(signal?: AbortSignal): Promise<void> {
    if (this.stream) {
      await this.stream.close(signal);
      return;
    }
    const udp = this.udp;
    this.udp = undefined;
    if (!udp) return;
    await udp.close();
    this.bytesOfClosedUdp += udp.bytesSent;
  }

  private udpSender(): UdpSender {
    this.udp ??= new UdpSender(this.name, this.settings.address, this.settings.port);
    return this.udp;
  }
}

export const syslogOutputDefinition: OutputDefinition<SyslogOutputSettings> = {
  type: 'syslog',
  schema: syslogOutputSchema,
  create: (name, settings, ctx) => new SyslogOutput(name, settings, ctx),
  defaultChannels: ['standard', 'internal'],
};
