// Every event, kept sorted by (persistence time, insertion seq) ascending: the order polling
// requests serve. A page starts after a position (the `after` cursor) or at a persistence
// time (`since`), skips what is past retention, and stops at what is not written yet.

import { TimeOrderedItems } from '../common/time-ordered.js';
import { renderEvent, type StoredLogEvent } from './generator.js';

/** A place in the polling order: just after the event written at `persistedAt` with `seq`. */
export interface Position {
  readonly persistedAt: number;
  readonly seq: number;
}

export interface PollQuery {
  /** Serve events after this position; or, when absent, written at `sinceMs` or later. */
  readonly after: Position | undefined;
  readonly sinceMs: number;
  readonly limit: number;
  /** Nothing written after this is visible yet. */
  readonly nowMs: number;
  /** Events published before this are past retention. */
  readonly retainedFromMs: number;
}

export class LogStore {
  private readonly items = new TimeOrderedItems<StoredLogEvent>((e) => e.persistedAt);

  get length(): number {
    return this.items.length;
  }

  add(batch: readonly StoredLogEvent[]): void {
    this.items.add(batch);
  }

  poll(q: PollQuery): StoredLogEvent[] {
    const first = q.after === undefined ? this.items.lowerBound(q.sinceMs, -Infinity) : this.items.lowerBound(q.after.persistedAt, q.after.seq + 1);
    const out: StoredLogEvent[] = [];
    for (let i = first; i < this.items.length && out.length < q.limit; i++) {
      const e = this.items.at(i);
      if (e.persistedAt > q.nowMs) break;
      if (e.published >= q.retainedFromMs) out.push(e);
    }
    return out;
  }

  /** Every visible, retained event in polling order. */
  visible(nowMs: number, retainedFromMs: number): StoredLogEvent[] {
    const out: StoredLogEvent[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const e = this.items.at(i);
      if (e.persistedAt > nowMs) break;
      if (e.published >= retainedFromMs) out.push(e);
    }
    return out;
  }

  /** Every visible, retained event as fresh objects, in polling order (the ground truth). */
  events(nowMs: number, retainedFromMs: number): Array<Record<string, unknown>> {
    return this.visible(nowMs, retainedFromMs).map((e) => JSON.parse(renderEvent(e)) as Record<string, unknown>);
  }
}
