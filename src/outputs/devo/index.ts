// `devo_platform` output (alias `devo`): sends events to a Devo collector endpoint or relay
// over TLS with a client certificate (or plain TCP), framed as Devo's own senders frame them
// (./frame.ts). What "acknowledged" means is the `ack` mode of the shared SocketSender:
// 'close' (default) proves the relay read every byte; 'drain' trusts the kernel. Unlike
// Devo's senders, a batch that cannot be sent is never dropped: write() rejects and the
// pipeline sends it again later.

import type { Logger, Output, OutputContext, OutputDefinition, OutputRecord } from '../../core/contracts.js';
import type { Chunk } from '../net/socket-sender.js';
import { SocketOutputConnection } from '../net/socket-output.js';
import { DevoFramer } from './frame.js';
import { devoOutputSchema, frameHostname, type DevoOutputSettings } from './settings.js';

export { devoOutputSchema, type DevoOutputSettings } from './settings.js';

export class DevoOutput implements Output {
  private readonly logger: Logger;
  private readonly framer: DevoFramer;
  private readonly connection: SocketOutputConnection;

  constructor(
    readonly name: string,
    readonly type: string,
    private readonly settings: DevoOutputSettings,
    ctx: OutputContext,
  ) {
    this.logger = ctx.logger;
    this.framer = new DevoFramer(frameHostname(settings));
    const tls =
      settings.type === 'SSL'
        ? {
            files: { ca: settings.chain, cert: settings.cert, key: settings.key },
            settingOf: (which: 'ca' | 'cert' | 'key') => `config.${which === 'ca' ? 'chain' : which}`,
            verifyHostname: settings.verify_hostname,
            minVersion: settings.tls_min_version,
          }
        : undefined;
    this.connection = new SocketOutputConnection(name, { ...settings, tls, receiver: 'relay' }, ctx);
  }

  get bytesSent(): number {
    return this.connection.bytesSent;
  }

  async open(): Promise<void> {
    if (this.settings.type === 'TCP' && (this.settings.cert !== undefined || this.settings.chain !== undefined)) {
      this.logger.warn(`Output ${this.name}: type is TCP, so cert, key and chain are not used (events go unencrypted)`);
    }
    await this.connection.open();
  }

  async write(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void> {
    if (records.length === 0) return;
    const chunks: Chunk[] =
      this.settings.compression === 'gzip' ? this.framer.gzipped(records, this.settings.compression_buffer_bytes) : this.framer.plain(records);
    await this.connection.send(chunks, signal);
  }

  check(): Promise<string> {
    return this.connection.check();
  }

  close(signal?: AbortSignal): Promise<void> {
    return this.connection.close(signal);
  }
}

function devoDefinition(type: string): OutputDefinition<DevoOutputSettings> {
  return {
    type,
    schema: devoOutputSchema,
    create: (name, settings, ctx) => new DevoOutput(name, type, settings, ctx),
    defaultChannels: ['standard', 'internal'],
  };
}

/** The type name Devo's collector configs use. */
export const devoPlatformOutputDefinition = devoDefinition('devo_platform');
/** Short alias. */
export const devoOutputDefinition = devoDefinition('devo');
