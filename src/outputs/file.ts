// `file` output: one JSON object per line, {"tag","input","service","event"}.
// A batch is acknowledged only after it is written and flushed to disk (fdatasync),
// so a checkpoint never covers an event that a crash could take back.

import { open, mkdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger, Output, OutputContext, OutputDefinition, OutputRecord, VendorEvent } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { nonEmptyString } from '../config/fields.js';
import { SerialQueue } from './serial-writer.js';
import { eventText } from './event-text.js';
import { findRecordsInFile, trimTornLastLine } from './file-recovery.js';

export const fileOutputSchema = z
  .object({
    path: nonEmptyString(),
    /** Flush to disk before acknowledging (turning it off trades durability for speed). */
    fsync: z.boolean().default(true),
    /** After a restart, how much of the file's end is read to find events already written. */
    recovery_scan_megabytes: z.number().min(0).max(4096).default(64),
  })
  .strict();

export type FileOutputSettings = z.infer<typeof fileOutputSchema>;

/** The start of a record's NDJSON line, {"tag","input","service","event": — the event (and its "key") follow. */
function linePrefix(record: OutputRecord): string {
  return `{"tag":${JSON.stringify(record.tag)},"input":${JSON.stringify(record.input)},"service":${JSON.stringify(record.service)},"event":`;
}

export class FileOutput implements Output {
  readonly type = 'file';
  private handle: FileHandle | undefined;
  /** Inode of the open file, to notice rotation. */
  private inode: number | undefined;
  private readonly queue = new SerialQueue();
  private readonly path: string;
  private readonly logger: Logger;

  constructor(
    readonly name: string,
    private readonly settings: FileOutputSettings,
    ctx: OutputContext,
  ) {
    this.path = resolve(ctx.baseDir, settings.path);
    this.logger = ctx.logger;
  }

  async open(): Promise<void> {
    if (this.handle) return;
    await this.queue.run(() => this.openHandle());
  }

  /** Opens (creating) the file; must run inside the queue. */
  private async openHandle(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      // a+: appends, and can read back the tail for crash recovery.
      const handle = await open(this.path, 'a+', 0o640);
      const trimmed = await trimTornLastLine(handle);
      if (trimmed > 0) {
        this.logger.warn(
          `Removed an incomplete last line (${trimmed} bytes) from ${this.path}, left by an interrupted write; ` +
            'its events were never acknowledged and are delivered again',
        );
      }
      this.inode = (await handle.stat()).ino;
      this.handle = handle;
    } catch (err) {
      throw new SiphonError('OUTPUT_UNAVAILABLE', `Output ${this.name}: cannot open ${this.path}: ${(err as Error).message}`, {
        output: this.name,
        path: this.path,
      });
    }
  }

  /**
   * logrotate and friends move or delete the file under us: writing on through the old handle
   * would put events where nobody looks. One stat per batch tells, and the file is reopened.
   */
  private async reopenIfRotated(): Promise<void> {
    let current: number | undefined;
    try {
      current = (await stat(this.path)).ino;
    } catch {
      current = undefined; // moved away or deleted
    }
    if (current !== undefined && current === this.inode) return;
    this.logger.info(`${this.path} was rotated or removed: opening it again`);
    const old = this.handle;
    this.handle = undefined;
    await old?.close();
    await this.openHandle();
  }

  write(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    let text = '';
    // Records of one batch usually share tag, input and service: serialise that prefix once.
    let prefixOf: OutputRecord | undefined;
    let prefix = '';
    for (const record of records) {
      if (!prefixOf || record.tag !== prefixOf.tag || record.input !== prefixOf.input || record.service !== prefixOf.service) {
        prefixOf = record;
        prefix = linePrefix(record);
      }
      // The dedup key rides along for crash recovery (see file-recovery.ts).
      const event = eventText(record);
      text += record.key === undefined ? `${prefix}${event}}\n` : `${prefix}${event},"key":${JSON.stringify(record.key)}}\n`;
    }
    return this.queue.run(async () => {
      if (!this.handle) throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name} is not open`, { output: this.name });
      await this.reopenIfRotated();
      const handle = this.handle;
      if (!handle) throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name} could not be reopened`, { output: this.name });
      try {
        await handle.write(text);
        if (this.settings.fsync) await handle.datasync();
      } catch (err) {
        throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name}: writing ${this.path} failed: ${(err as Error).message}`, {
          output: this.name,
          path: this.path,
        });
      }
    });
  }

  findDelivered(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>> {
    return this.queue.run(async () => {
      if (!this.handle) return new Set<number>();
      return findRecordsInFile(this.handle, records, keyOf, this.settings.recovery_scan_megabytes * 1024 * 1024);
    });
  }

  async check(): Promise<void> {
    await this.open();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await this.queue.run(() => handle.close());
  }
}

export const fileOutputDefinition: OutputDefinition<FileOutputSettings> = {
  type: 'file',
  schema: fileOutputSchema,
  create: (name, settings, ctx) => new FileOutput(name, settings, ctx),
};
