// One output's side of the delivery queue: its batches in order, written one write() at a
// time (consecutive batches of the same channel are merged into one write, so a busy
// queue costs fewer round trips and fsyncs). A write that fails is retried, same records,
// with back-off, until it succeeds: nothing is skipped and nothing after it overtakes it.
// Once the lane is aborted (the stop's deadline passed), the write in flight is told to drop
// what it is doing, no new attempt starts, and the lane no longer waits for that write.

import { untilAborted } from './abort.js';
import type { Clock, Output, OutputRecord, Channel } from './contracts.js';
import { toSiphonError, type SiphonError } from './errors.js';
import type { EventSink, OutputEvent } from './events.js';

export interface LaneBatch {
  readonly service: Channel;
  readonly records: readonly OutputRecord[];
  /** Indexes this output already holds (crash recovery): not written again. */
  readonly skip: ReadonlySet<number> | undefined;
  /** Called once: without an error when the output has the records, with one when they never will. */
  readonly done: (err?: Error) => void;
}

export interface LaneOptions {
  /** Most records merged into one write. */
  readonly mergeMaxRecords: number;
  /** Back-off after a failed write: first, doubling to max. */
  readonly retryFirstMs: number;
  readonly retryMaxMs: number;
  /**
   * Failed attempts of one write before the lane gives up and fails the whole queue
   * (--once: a cron run must end). Undefined: retry until the output is back.
   */
  readonly maxAttempts?: number | undefined;
  /** Called when the lane gives up (maxAttempts reached). */
  readonly onGiveUp?: (error: SiphonError) => void;
}

export class OutputLane {
  private readonly pending: LaneBatch[] = [];
  private running = false;
  private failure: SiphonError | undefined;
  /** Aborted with the lane: the output's write in flight and any back-off sleep end at once. */
  private readonly stop = new AbortController();
  /** Consecutive failed writes (0 while the output takes events). */
  consecutiveFailures = 0;

  constructor(
    readonly output: Output,
    private readonly channels: ReadonlySet<Channel>,
    private readonly options: LaneOptions,
    /** Writes, failures and recoveries (log lines, metrics, sender statistics: see core/events.ts). */
    private readonly events: EventSink<OutputEvent>,
    private readonly clock: Clock,
  ) {}

  get outputName(): string {
    return this.output.name;
  }

  get outputType(): string {
    return this.output.type;
  }

  carries(channel: Channel): boolean {
    return this.channels.has(channel);
  }

  /** Records of `service` waiting in this lane (the seeds' "sender manager internal queue size"). */
  queued(service: Channel): number {
    let n = 0;
    for (const batch of this.pending) if (batch.service === service) n += batch.records.length;
    return n;
  }

  push(batch: LaneBatch): void {
    if (this.failure) {
      batch.done(this.failure);
      return;
    }
    this.pending.push(batch);
    if (!this.running) void this.pump();
  }

  /** Refuses everything queued, aborts the write in flight and stops retrying. */
  abort(reason: SiphonError): void {
    this.failure ??= reason;
    for (const batch of this.pending.splice(0)) batch.done(reason);
    this.stop.abort(reason);
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0 && !this.failure) {
        const group = this.nextGroup();
        const records = recordsOf(group);
        const delivered = await this.writeUntilAccepted(group[0]!.service, records);
        if (!delivered) return;
        // The batches are acknowledged only now, and in order.
        this.pending.splice(0, group.length);
        for (const batch of group) batch.done();
      }
    } finally {
      this.running = false;
    }
  }

  /** The first batch and the ones right behind it with the same service, up to the merge limit. */
  private nextGroup(): LaneBatch[] {
    const first = this.pending[0]!;
    const group = [first];
    let count = first.records.length;
    for (let i = 1; i < this.pending.length; i++) {
      const batch = this.pending[i]!;
      if (batch.service !== first.service || count + batch.records.length > this.options.mergeMaxRecords) break;
      group.push(batch);
      count += batch.records.length;
    }
    return group;
  }

  /** Writes until the output accepts; false when the lane was aborted (or gave up) first. */
  private async writeUntilAccepted(service: Channel, records: readonly OutputRecord[]): Promise<boolean> {
    const { output, events, clock, options } = this;
    let attempt = 0;
    for (;;) {
      if (this.failure) return false;
      const started = clock.now();
      const bytesBefore = output.bytesSent;
      try {
        // The output is asked to drop the write when the lane aborts; whether it listens or not, the lane stops waiting.
        if (records.length > 0) await untilAborted(output.write(records, this.stop.signal), this.stop.signal);
        const bytes = output.bytesSent !== undefined && bytesBefore !== undefined ? output.bytesSent - bytesBefore : estimateBytes(records);
        events.emit({ type: 'output_written', service, events: records.length, bytes, elapsedMs: clock.now() - started });
        if (this.consecutiveFailures > 0) events.emit({ type: 'output_recovered', failures: this.consecutiveFailures });
        this.consecutiveFailures = 0;
        return true;
      } catch (err) {
        attempt += 1;
        const error = toSiphonError(err, 'OUTPUT_WRITE_FAILED');
        this.consecutiveFailures += 1;
        if (this.failure) return false;
        if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) {
          events.emit({ type: 'output_gave_up', error, attempt });
          options.onGiveUp?.(error);
          return false;
        }
        const waitMs = Math.min(options.retryMaxMs, options.retryFirstMs * 2 ** Math.min(attempt - 1, 20));
        events.emit({ type: 'output_write_failed', error, attempt, events: records.length, waitMs });
        await this.pause(waitMs);
      }
    }
  }

  /** Sleeps, unless the lane is aborted meanwhile. */
  private async pause(ms: number): Promise<void> {
    try {
      await this.clock.sleep(ms, this.stop.signal);
    } catch {
      // aborted: the loop sees `failure`
    }
  }
}

/** The records of a group of batches, without those the output already holds. */
function recordsOf(group: readonly LaneBatch[]): OutputRecord[] {
  const out: OutputRecord[] = [];
  for (const batch of group) {
    const skip = batch.skip;
    if (!skip || skip.size === 0) {
      for (const record of batch.records) out.push(record);
      continue;
    }
    batch.records.forEach((record, i) => {
      if (!skip.has(i)) out.push(record);
    });
  }
  return out;
}

function estimateBytes(records: readonly OutputRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += record.eventJson?.length ?? 0;
  return bytes;
}
