// The one bounded queue between the pullers and the outputs. A service submits a page's
// records: it waits while the queue is full (back-pressure: pulling slows to the pace of the
// slowest output), then gets back a promise that settles when EVERY output carrying the
// records has acknowledged them. Each output drains its own lane in order and retries a
// failed batch until it is accepted, so an output outage pauses pulling and loses nothing.
// Only a shutdown past its deadline (or, with --once, an output that stays down) rejects
// acknowledgements: those pages are never committed and are pulled again next time.

import type { Clock, Logger, OutputRecord, Channel, StateKey } from './contracts.js';
import type { Delivery, Receipt, Submission, SubmitOptions } from './delivery.js';
import { SiphonError } from './errors.js';
import type { LaneBatch, OutputLane } from './output-lane.js';

export interface QueueLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

interface Waiter {
  messages: number;
  bytes: number;
  admit: () => void;
  refuse: (err: Error) => void;
}

/**
 * What a queued record holds in memory, per character of its JSON text: the text itself and
 * the parsed event it was made from (measured in heap snapshots of 1Password pages: about
 * 1.9 KB a record for 700 characters of JSON, strings, objects and the text's pieces).
 */
const RECORD_BYTES_PER_JSON_CHAR = 3;
/** The record's own object and its share of the page's arrays. */
const RECORD_OVERHEAD_BYTES = 128;

export class DeliveryQueue implements Delivery {
  private messages = 0;
  private bytes = 0;
  private readonly waiters: Waiter[] = [];
  private failure: SiphonError | undefined;

  constructor(
    private readonly lanes: readonly OutputLane[],
    readonly limits: QueueLimits,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** Messages and bytes currently held (waiting or being delivered). */
  get size(): { messages: number; bytes: number } {
    return { messages: this.messages, bytes: this.bytes };
  }

  /**
   * Waits for room, then queues `records` for every output carrying the standard service; a
   * replay is checked by each output's lane against what that output holds. A page larger
   * than the whole queue is let in alone, when the queue is empty, rather than never.
   */
  async submit(records: readonly OutputRecord[], options?: SubmitOptions): Promise<Submission> {
    const bytes = sizeOf(records);
    await this.admission(records.length, bytes);
    return { acked: this.enqueue('standard', records, bytes, options?.replay) };
  }

  /**
   * Internal records (the collector's own log lines) never wait: when the queue has no room
   * they are refused, and the caller keeps or drops them. Returns whether they were taken.
   */
  offerInternal(records: readonly OutputRecord[]): boolean {
    if (this.failure || records.length === 0) return records.length === 0;
    const bytes = sizeOf(records);
    if (!this.fits(records.length, bytes) || this.waiters.length > 0) return false;
    void this.enqueue('internal', records, bytes, undefined).catch(() => undefined);
    return true;
  }

  /** A service starts afresh: every output forgets what it noted as delivered for it. */
  async forgetDelivered(key: StateKey): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.output.forgetDelivered?.(key.input, key.service)));
  }

  /** Resolves once every queued batch is acknowledged by every output, or once the queue fails. */
  async drained(): Promise<void> {
    while (this.messages > 0 && !this.failure) await this.clock.sleep(20);
  }

  /**
   * Stops everything: waiting and queued pages are refused with `reason` (they stay
   * uncommitted), lanes stop retrying. Used past the shutdown deadline.
   */
  abort(reason: SiphonError): void {
    if (this.failure) return;
    this.failure = reason;
    for (const waiter of this.waiters.splice(0)) waiter.refuse(reason);
    for (const lane of this.lanes) lane.abort(reason);
  }

  private fits(messages: number, bytes: number): boolean {
    if (this.messages === 0) return true;
    return this.messages + messages <= this.limits.maxMessages && this.bytes + bytes <= this.limits.maxBytes;
  }

  private admission(messages: number, bytes: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiters.length === 0 && this.fits(messages, bytes)) {
      this.reserve(messages, bytes);
      return Promise.resolve();
    }
    if (this.logger.isDebugEnabled()) {
      this.logger.debug(`The delivery queue is full (${this.messages} message(s), ${(this.bytes / 1048576).toFixed(1)} MB): pulling waits for the outputs`);
    }
    return new Promise<void>((admit, refuse) => {
      this.waiters.push({ messages, bytes, admit, refuse });
    });
  }

  private reserve(messages: number, bytes: number): void {
    this.messages += messages;
    this.bytes += bytes;
  }

  private release(messages: number, bytes: number): void {
    this.messages -= messages;
    this.bytes -= bytes;
    // First come, first served: a big page is not overtaken forever by small ones.
    while (this.waiters.length > 0) {
      const next = this.waiters[0]!;
      if (!this.fits(next.messages, next.bytes)) break;
      this.waiters.shift();
      this.reserve(next.messages, next.bytes);
      next.admit();
    }
  }

  private enqueue(service: Channel, records: readonly OutputRecord[], bytes: number, replay: LaneBatch['replay']): Promise<Receipt> {
    if (service === 'internal') this.reserve(records.length, bytes);
    const carriers = this.lanes.filter((lane) => lane.carries(service));
    const held: Array<ReadonlySet<number>> = [];
    let settled = false;
    const acked = new Promise<Receipt>((resolve, reject) => {
      const done = (err?: Error, heldByLane?: ReadonlySet<number>): void => {
        if (settled) return;
        if (err) {
          settled = true;
          this.release(records.length, bytes);
          reject(err);
          return;
        }
        held.push(heldByLane ?? new Set<number>());
        if (held.length < carriers.length) return;
        settled = true;
        this.release(records.length, bytes);
        resolve(receiptOf(held, records.length));
      };
      if (carriers.length === 0) {
        done();
        return;
      }
      for (const lane of carriers) lane.push({ service, records, replay, done });
    });
    // The caller may not be listening yet when a rejection happens: never an unhandled one.
    acked.catch(() => undefined);
    return acked;
  }
}

/** What the outputs carrying a page already held of it (one set of indexes per output). */
function receiptOf(held: ReadonlyArray<ReadonlySet<number>>, total: number): Receipt {
  const heldByOne = Math.max(0, ...held.map((s) => s.size));
  if (heldByOne === 0) return { heldByEvery: 0, heldByOne: 0 };
  let heldByEvery = 0;
  for (let i = 0; i < total; i++) if (held.every((s) => s.has(i))) heldByEvery++;
  return { heldByEvery, heldByOne };
}

/** The memory a batch of records holds while queued (an estimate: see RECORD_BYTES_PER_JSON_CHAR). */
function sizeOf(records: readonly OutputRecord[]): number {
  let chars = 0;
  for (const record of records) chars += record.eventJson?.length ?? 512;
  return chars * RECORD_BYTES_PER_JSON_CHAR + records.length * RECORD_OVERHEAD_BYTES;
}
