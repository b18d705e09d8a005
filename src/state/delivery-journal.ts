// What one output has acknowledged lately, kept on disk so a restart does not send it again.
//
// A checkpoint moves only when EVERY output has a page. An output that is up gets pages the
// checkpoint does not cover yet while another output is down, and any output may get a page
// just before a crash; after a restart those pages are pulled again. Outputs that can read
// back what they hold (the file output) find them themselves; for the others (Devo, syslog,
// HTTP, console) this journal remembers the dedup keys of what they acknowledged, per input
// and service, and the runner skips those records for that output.
//
// Layout: `<state>/.delivered/<output>/current.ndjson` and `previous.ndjson`; each accepted
// write adds one line per input and service: {"input":"…","service":"…","keys":["…",…]}.
// When a service starts afresh (first start, new start time, state reset), a line
// {"input":"…","service":"…","forget":true} voids what came before for it: re-ingestion is
// what was asked for, so nothing from before may be skipped.
// The most recent `segmentEntries` keys are always kept (current, plus previous once current
// has been rotated), so the journal stays small: it need only cover what the checkpoints do
// not, at most about one delivery queue. Lines are written (no fsync) before write()
// resolves: they survive a crash of the process; after a power cut the last ones may be
// missing, which costs duplicates, never events. The keys are read into memory only when
// recovery asks (at start-up, or after a failed cycle), not kept while delivering.

import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, OutputRecord, VendorEvent } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { writeAll } from '../fs/write-all.js';
import type { DeliveryJournal } from './journal.js';
import { encodeName } from './names.js';
import { describeOsError, errnoCode } from './os-errors.js';
import { recordKey } from '../core/record-key.js';
import { SerialQueue } from '../core/serial-queue.js';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const CURRENT = 'current.ndjson';
const PREVIOUS = 'previous.ndjson';

/** The journal's folder for one output, inside the state directory (never clashes with an input folder: those never start with "."). */
export function deliveryJournalDirectory(stateDirectory: string, outputName: string): string {
  return join(stateDirectory, '.delivered', encodeName(outputName));
}

/** One line of the journal: the keys of one input and service in one acknowledged write. */
interface JournalLine {
  readonly input: string;
  readonly service: string;
  readonly keys: string[];
}

/** A line that voids the earlier lines of one input and service. */
interface ForgetLine {
  readonly input: string;
  readonly service: string;
  readonly forget: true;
}

/** Keys by stream (input and service), with how many distinct ones it holds. */
class Segment {
  private readonly byStream = new Map<string, Set<string>>();
  count = 0;

  static streamId(input: string, service: string): string {
    return `${input}\u0000${service}`;
  }

  add(streamId: string, keys: readonly string[]): void {
    let set = this.byStream.get(streamId);
    if (!set) {
      set = new Set<string>();
      this.byStream.set(streamId, set);
    }
    const before = set.size;
    for (const key of keys) set.add(key);
    this.count += set.size - before;
  }

  has(streamId: string, key: string): boolean {
    return this.byStream.get(streamId)?.has(key) ?? false;
  }

  forget(streamId: string): void {
    this.count -= this.byStream.get(streamId)?.size ?? 0;
    this.byStream.delete(streamId);
  }
}

/** What the two files held when last read. */
interface JournalView {
  readonly previous: Segment;
  readonly current: Segment;
}

export class FileDeliveryJournal implements DeliveryJournal {
  private handle: FileHandle | undefined;
  /** Keys in current.ndjson: it is rotated before it would pass `segmentEntries`. */
  private currentCount: number;
  /** current.ndjson ends in a line cut short by a crash: the next write starts on a new line. */
  private tornTail: boolean;
  /** The files as last read, until the next write changes them. */
  private view: JournalView | undefined;
  /** A journal file exists: a reset has something to void. */
  private exists: boolean;
  /** A write failed: warned once, until a write succeeds again. */
  private failing = false;
  /** Notes and forgets run in order; a look-up waits for those queued before it. */
  private readonly queue = new SerialQueue();

  private constructor(
    private readonly directory: string,
    private readonly segmentEntries: number,
    private readonly logger: Logger,
    loaded: JournalView & { tornTail: boolean; exists: boolean },
  ) {
    this.view = loaded;
    this.currentCount = loaded.current.count;
    this.tornTail = loaded.tornTail;
    this.exists = loaded.exists;
  }

  /** Loads what the journal holds; a missing journal is an empty one, an unreadable one is warned about and treated as empty. */
  static async open(directory: string, segmentEntries: number, logger: Logger): Promise<FileDeliveryJournal> {
    return new FileDeliveryJournal(directory, Math.max(1, segmentEntries), logger, await readView(directory, logger));
  }

  /** Indexes of `records` this output acknowledged before (matched on input, service and key). */
  async find(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>> {
    await this.queue.idle();
    this.view ??= await readView(this.directory, this.logger);
    const { previous, current } = this.view;
    const found = new Set<number>();
    if (previous.count + current.count === 0) return found;
    records.forEach((record, i) => {
      const key = recordKey(record, keyOf);
      if (key === undefined) return;
      const stream = Segment.streamId(record.input, record.service);
      if (current.has(stream, key) || previous.has(stream, key)) found.add(i);
    });
    return found;
  }

  /**
   * Remembers the keyed records of an acknowledged write. Never rejects: a journal that cannot
   * be written only means this output may get those records again after a restart (warned).
   */
  record(records: readonly OutputRecord[]): Promise<void> {
    return this.queue.run(() => this.append(records));
  }

  /**
   * The service starts afresh: what was noted for it no longer counts. Rejects when the line
   * cannot be written (PERSISTENCE_WRITE_FAILED): recovery would otherwise skip records that
   * re-ingestion must deliver.
   */
  forget(input: string, service: string): Promise<void> {
    return this.queue.run(async () => {
      if (!this.exists) return;
      this.view = undefined;
      try {
        await this.appendText(JSON.stringify({ input, service, forget: true } satisfies ForgetLine) + '\n');
      } catch (err) {
        await this.closeHandle().catch(() => undefined);
        throw new SiphonError(
          'PERSISTENCE_WRITE_FAILED',
          `The delivery journal in ${this.directory} could not note that ${input}/${service} starts afresh: ${describeOsError(err)}.`,
          { path: this.directory, reason: errnoCode(err) },
          { cause: err },
        );
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.closeHandle();
  }

  private async append(records: readonly OutputRecord[]): Promise<void> {
    const lines = linesOf(records);
    if (lines.size === 0) return;
    let count = 0;
    let text = '';
    for (const line of lines.values()) {
      count += line.keys.length;
      text += JSON.stringify(line) + '\n';
    }
    // What was read is out of date from here on; recovery reads the files again if it asks.
    this.view = undefined;
    try {
      if (this.currentCount > 0 && this.currentCount + count > this.segmentEntries) await this.rotate();
      await this.appendText(text);
      this.currentCount += count;
      if (this.failing) this.logger.info(`The delivery journal in ${this.directory} is written again`);
      this.failing = false;
    } catch (err) {
      await this.closeHandle().catch(() => undefined);
      if (!this.failing) {
        this.logger.warn(
          `The delivery journal in ${this.directory} cannot be written (${describeOsError(err)}): the events are delivered, ` +
            'but if delivery is interrupted before their checkpoint is saved, this output gets them again',
        );
      }
      this.failing = true;
    }
  }

  /**
   * Appends to current.ndjson, all of it or an error, after a line break when a crash or a
   * failed write left its last line torn (the reader skips a torn line, but not one that the
   * next write ran into).
   */
  private async appendText(text: string): Promise<void> {
    this.handle ??= await this.openCurrent();
    try {
      await writeAll(this.handle, this.tornTail ? '\n' + text : text);
    } catch (err) {
      // Part of it may be in the file: the next line must not continue it.
      this.tornTail = true;
      throw err;
    }
    this.tornTail = false;
    this.exists = true;
  }

  /** current becomes previous (the old previous is dropped), and a new current starts. */
  private async rotate(): Promise<void> {
    await this.closeHandle();
    this.currentCount = 0;
    this.tornTail = false;
    await rename(join(this.directory, CURRENT), join(this.directory, PREVIOUS)).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }

  private async openCurrent(): Promise<FileHandle> {
    await mkdir(this.directory, { recursive: true, mode: DIR_MODE });
    return open(join(this.directory, CURRENT), 'a', FILE_MODE);
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/** The keyed records of a write, grouped by stream (a write usually holds one or two). */
function linesOf(records: readonly OutputRecord[]): Map<string, JournalLine> {
  const lines = new Map<string, JournalLine>();
  let line: JournalLine | undefined;
  for (const record of records) {
    if (record.key === undefined) continue;
    // Consecutive records of one stream share a line without a map lookup.
    if (!line || record.input !== line.input || record.service !== line.service) {
      const stream = Segment.streamId(record.input, record.service);
      line = lines.get(stream);
      if (!line) {
        line = { input: record.input, service: record.service, keys: [] };
        lines.set(stream, line);
      }
    }
    line.keys.push(record.key);
  }
  return lines;
}

/** A parsed line: keys to add, or a stream to forget; undefined for anything else. */
function parseLine(line: string): JournalLine | ForgetLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined; // a torn last line: that write's acknowledgement was never fully noted
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['input'] !== 'string' || typeof v['service'] !== 'string') return undefined;
  if (v['forget'] === true) return value as ForgetLine;
  if (Array.isArray(v['keys']) && v['keys'].every((k) => typeof k === 'string')) return value as JournalLine;
  return undefined;
}

/** Both files, oldest first; a forget line voids what came before it for its stream, in either file. */
async function readView(directory: string, logger: Logger): Promise<JournalView & { tornTail: boolean; exists: boolean }> {
  const previous = new Segment();
  const current = new Segment();
  const old = await readSegment(join(directory, PREVIOUS), logger, previous, [previous]);
  const now = await readSegment(join(directory, CURRENT), logger, current, [previous, current]);
  return { previous, current, tornTail: now.tornTail, exists: old.exists || now.exists };
}

/** Reads one file into `target`; `voided` are the segments a forget line clears. A line cut short by a crash is skipped, and said. */
async function readSegment(path: string, logger: Logger, target: Segment, voided: readonly Segment[]): Promise<{ tornTail: boolean; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOENT') {
      logger.warn(`The delivery journal ${path} cannot be read (${describeOsError(err)}): events delivered before the last stop may be sent again`);
    }
    return { tornTail: false, exists: code !== 'ENOENT' };
  }
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = parseLine(raw);
    if (!line) continue;
    const stream = Segment.streamId(line.input, line.service);
    if ('forget' in line) for (const segment of voided) segment.forget(stream);
    else target.add(stream, line.keys);
  }
  return { tornTail: text.length > 0 && !text.endsWith('\n'), exists: true };
}
