// One output's side of the delivery queue: its batches in order, written one write() at a
// time (consecutive batches of the same channel are merged into one write, so a busy
// queue costs fewer round trips and fsyncs). A write that fails is retried, same records,
// with back-off, until it succeeds: nothing is skipped and nothing after it overtakes it.
// A batch marked as a replay (pulled again after a restart) is first checked against what
// the output already holds, and only the rest is written: recovery is the lane's, per output.
// Once the lane is aborted (the stop's deadline passed), the write in flight is told to drop
// what it is doing, no new attempt starts, and the lane no longer waits for that write.

import { untilAborted } from './abort.js';
import type { Clock, Output, OutputRecord, Channel, VendorEvent } from './contracts.js';
import { toSiphonError, type SiphonError } from './errors.js';
import type { EventSink, OutputEvent } from './events.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

export interface LaneBatch {
  readonly service: Channel;
  readonly records: readonly OutputRecord[];
  /** Set when the records may have reached this output before the last stop (crash recovery). */
  readonly replay?: { readonly keyOf: (event: VendorEvent) => string | undefined } | undefined;
  /**
   * Called once: without an error when the output has the records (`held`: the indexes it
   * already had, not written again), with one when they never will.
   */
  readonly done: (err?: Error, held?: ReadonlySet<number>) => void;
}

export interface LaneOptions {
  /** Most records merged into one write. */
  readonly writeMaxEvents: number;
  /** The wait after a failed write (no jitter needed: one lane per output). */
  readonly retry: RetryPolicy;
  /**
   * Failed attempts of one write before the lane gives up and fails the whole queue
   * (--once: a cron run must end). Undefined: retry until the output is back.
   */
  readonly maxAttempts?: number | undefined;
  /** Called when the lane gives up (maxAttempts reached). */
  readonly onGiveUp?: (error: SiphonError) => void;
}

const NONE: ReadonlySet<number> = new Set<number>();

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
        const held = await this.writeUntilAccepted(group);
        if (!held) return;
        // The batches are acknowledged only now, and in order.
        this.pending.splice(0, group.length);
        for (const batch of group) batch.done(undefined, held.get(batch) ?? NONE);
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
      if (batch.service !== first.service || count + batch.records.length > this.options.writeMaxEvents) break;
      group.push(batch);
      count += batch.records.length;
    }
    return group;
  }

  /**
   * Writes the group until the output accepts; returns what the output already held of each
   * replayed batch, or undefined when the lane was aborted (or gave up) first. A failed look-up
   * of what the output holds counts as a failed write.
   */
  private async writeUntilAccepted(group: readonly LaneBatch[]): Promise<Map<LaneBatch, ReadonlySet<number>> | undefined> {
    const { output, events, clock, options } = this;
    const service = group[0]!.service;
    const held = new Map<LaneBatch, ReadonlySet<number>>();
    // Built once: a retry hands the output the very same array (see Output.write).
    let records: OutputRecord[] | undefined;
    let attempt = 0;
    for (;;) {
      if (this.failure) return undefined;
      const started = clock.now();
      const bytesBefore = output.bytesSent;
      try {
        records ??= await this.recordsToWrite(group, held);
        // The output is asked to drop the write when the lane aborts; whether it listens or not, the lane stops waiting.
        if (records.length > 0) await untilAborted(output.write(records, this.stop.signal), this.stop.signal);
        const bytes = output.bytesSent !== undefined && bytesBefore !== undefined ? output.bytesSent - bytesBefore : estimateBytes(records);
        events.emit({ type: 'output_written', service, events: records.length, bytes, elapsedMs: clock.now() - started });
        if (this.consecutiveFailures > 0) events.emit({ type: 'output_recovered', failures: this.consecutiveFailures });
        this.consecutiveFailures = 0;
        return held;
      } catch (err) {
        attempt += 1;
        const error = toSiphonError(err, 'OUTPUT_WRITE_FAILED');
        this.consecutiveFailures += 1;
        if (this.failure) return undefined;
        if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) {
          events.emit({ type: 'output_gave_up', error, attempt });
          options.onGiveUp?.(error);
          return undefined;
        }
        const waitMs = retryDelayMs(options.retry, attempt);
        events.emit({ type: 'output_write_failed', error, attempt, events: records?.length ?? countRecords(group), waitMs });
        await this.pause(waitMs);
      }
    }
  }

  /**
   * The records of a group without those the output already holds: for each replayed batch
   * not yet looked up, the output is asked (outputs that cannot tell hold nothing).
   */
  private async recordsToWrite(group: readonly LaneBatch[], held: Map<LaneBatch, ReadonlySet<number>>): Promise<OutputRecord[]> {
    const find = this.output.findDelivered?.bind(this.output);
    for (const batch of group) {
      if (!batch.replay || !find || held.has(batch) || batch.records.length === 0) continue;
      held.set(batch, await untilAborted(find(batch.records, batch.replay.keyOf), this.stop.signal));
    }
    const out: OutputRecord[] = [];
    for (const batch of group) {
      const skip = held.get(batch);
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

  /** Sleeps, unless the lane is aborted meanwhile. */
  private async pause(ms: number): Promise<void> {
    try {
      await this.clock.sleep(ms, this.stop.signal);
    } catch {
      // aborted: the loop sees `failure`
    }
  }
}

function countRecords(group: readonly LaneBatch[]): number {
  let n = 0;
  for (const batch of group) n += batch.records.length;
  return n;
}

function estimateBytes(records: readonly OutputRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += record.eventJson?.length ?? 0;
  return bytes;
}
