// `file` output: one JSON object per line, {"tag","input","service","event"}.
// A batch is acknowledged only after it is written and flushed to disk (fdatasync),
// so a checkpoint never covers an event that a crash could take back.

import { open, mkdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger, Output, OutputContext, OutputDefinition, OutputRecord, VendorEvent } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { nonEmptyString } from '../config/fields.js';
import { SerialQueue } from '../core/serial-queue.js';
import { FileLines, lineText } from './file-lines.js';
import { findRecordsInFile, trimTornLastLine } from './file-recovery.js';
import { TailServices } from './file-tail-services.js';
import { IncompleteWriteError, writeAll } from '../fs/write-all.js';

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

/** The batch's size in bytes, for an error message (only a failed write needs it). */
function batchBytes(records: readonly OutputRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += Buffer.byteLength(lineText(record), 'utf8');
  return bytes;
}

export class FileOutput implements Output {
  readonly type = 'file';
  /** Undefined until opened, and again while (re)opening fails: every write tries to open it first. */
  private handle: FileHandle | undefined;
  /** Inode of the open file, to notice rotation. */
  private inode: number | undefined;
  /**
   * After a failed write, the size the file had before it. What lies beyond was never
   * acknowledged (it is written again whole), so it is cut off before anything else is
   * written or read: the file never holds a torn line in its middle, nor a part twice.
   */
  private cutBackTo: number | undefined;
  private closed = false;
  private readonly queue = new SerialQueue();
  /** Used inside the queue only, one write at a time. */
  private readonly lines = new FileLines();
  /** Which services the file's tail holds: recovery reads the tail only for those (inside the queue too). */
  private readonly tail = new TailServices();
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
    this.closed = false;
    if (this.handle) return;
    await this.queue.run(() => this.openHandle());
  }

  /** Opens (creating) the file; must run inside the queue. */
  private async openHandle(): Promise<FileHandle> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      // a+: appends, and can read back the tail for crash recovery.
      const handle = await open(this.path, 'a+', 0o640);
      try {
        const trimmed = await trimTornLastLine(handle);
        if (trimmed > 0) {
          this.logger.warn(
            `Removed an incomplete last line (${trimmed} bytes) from ${this.path}, left by an interrupted write; ` +
              'its events were never acknowledged and are delivered again',
          );
        }
        this.inode = (await handle.stat()).ino;
      } catch (err) {
        await handle.close().catch(() => undefined);
        throw err;
      }
      this.handle = handle;
      return handle;
    } catch (err) {
      throw new SiphonError('OUTPUT_UNAVAILABLE', `Output ${this.name}: cannot open ${this.path}: ${messageOf(err)}`, {
        output: this.name,
        path: this.path,
      });
    }
  }

  /**
   * The open file with nothing unacknowledged in it: opened again if an earlier (re)open
   * failed (so an output recovers once the fault is repaired: the lane retries with back-off),
   * and the part of a failed write cut off. Runs inside the queue.
   */
  private async usable(): Promise<FileHandle> {
    if (this.closed) throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name} is closed`, { output: this.name });
    const handle = this.handle ?? (await this.openHandle());
    if (this.cutBackTo !== undefined) await this.cutBack(handle, this.cutBackTo);
    return handle;
  }

  /** Removes what a failed write left after `size` bytes. */
  private async cutBack(handle: FileHandle, size: number): Promise<void> {
    try {
      await handle.truncate(size);
      this.cutBackTo = undefined;
    } catch (err) {
      throw new SiphonError(
        'OUTPUT_WRITE_FAILED',
        `Output ${this.name}: cannot remove the incomplete end of a failed write from ${this.path}: ${messageOf(err)}; ` +
          'nothing more is written there until it is removed.',
        { output: this.name, path: this.path },
      );
    }
  }

  /**
   * logrotate and friends move or delete the file under us: writing on through the old handle
   * would put events where nobody looks. One stat per batch tells, and the file is reopened.
   * If reopening fails, the handle stays cleared and the next write tries again.
   */
  private async reopenIfRotated(handle: FileHandle): Promise<FileHandle> {
    let current: number | undefined;
    try {
      current = (await stat(this.path)).ino;
    } catch {
      current = undefined; // moved away or deleted
    }
    if (current !== undefined && current === this.inode) return handle;
    this.logger.info(`${this.path} was rotated or removed: opening it again`);
    this.handle = undefined;
    await handle.close().catch(() => undefined); // the old file is left as it is; only the new one matters
    return this.openHandle();
  }

  write(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.queue.run(async () => {
      const handle = await this.reopenIfRotated(await this.usable());
      const sizeBefore = (await handle.stat()).size;
      try {
        const written = await this.writeLines(handle, records);
        if (this.settings.fsync) await handle.datasync();
        if (this.inode !== undefined) this.tail.wrote(records, this.inode, sizeBefore + written);
      } catch (err) {
        // Nothing of this batch is acknowledged: whatever part of it landed goes again.
        this.cutBackTo = sizeBefore;
        const removed = await this.cutBack(handle, sizeBefore).then(
          () => 'what was written of it is removed again.',
          () => 'what was written of it is removed before the next write.',
        );
        throw new SiphonError(
          'OUTPUT_WRITE_FAILED',
          `Output ${this.name}: writing ${this.path} failed: ${messageOf(err)}; ${removed}`,
          { output: this.name, path: this.path, ...(systemCode(err) ? { reason: systemCode(err) } : {}) },
        );
      }
    });
  }

  /** Writes the batch's lines chunk by chunk; returns the bytes written. A refusal says how much of the whole batch landed. */
  private async writeLines(handle: FileHandle, records: readonly OutputRecord[]): Promise<number> {
    let landed = 0;
    await this.lines.send(records, async (bytes) => {
      try {
        await writeAll(handle, bytes);
      } catch (err) {
        if (!(err instanceof IncompleteWriteError)) throw err;
        throw new IncompleteWriteError(landed + err.written, batchBytes(records), err.cause);
      }
      landed += bytes.length;
    });
    return landed;
  }

  findDelivered(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>> {
    // Opened if need be (rather than answering "nothing there", which would send duplicates);
    // without a rotation check, so a file rotated meanwhile is still the one read.
    return this.queue.run(async () => {
      const handle = await this.usable();
      const limitBytes = this.settings.recovery_scan_megabytes * 1024 * 1024;
      // A service the tail does not hold (most, when a replica takes services over) needs no read.
      const { size } = await handle.stat();
      if (this.inode !== undefined && !(await this.tail.mayHold(handle, this.inode, size, records, limitBytes))) return new Set<number>();
      return findRecordsInFile(handle, records, keyOf, limitBytes);
    });
  }

  async check(): Promise<void> {
    await this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.run(async () => {
      const handle = this.handle;
      this.handle = undefined;
      if (!handle) return;
      // Best effort; if the cut fails, the next start trims the torn line and recovery finds the rest.
      if (this.cutBackTo !== undefined) await this.cutBack(handle, this.cutBackTo).catch(() => undefined);
      this.cutBackTo = undefined;
      await handle.close();
    });
  }
}

/** The system's error code (ENOSPC, EFBIG...), for the log line's details. */
function systemCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const fileOutputDefinition: OutputDefinition<FileOutputSettings> = {
  type: 'file',
  schema: fileOutputSchema,
  create: (name, settings, ctx) => new FileOutput(name, settings, ctx),
};
