// Every event, kept sorted by its unique sort key (ascending). from/to/next bounds are
// binary searches and a page is a slice walked backwards (newest first), so a 10,000-event
// page out of 200,000 costs the page, not the store. Late events go in by binary insertion.

import type { StoredEvent } from './generator.js';
import { freeKeyInSecond } from './sortkey.js';
import type { LastPassEvent } from './types.js';

export interface PageQuery {
  /** Smallest key served (inclusive). */
  readonly fromKey: number;
  /** Largest key served (inclusive). */
  readonly toKey: number;
  readonly limit: number;
  /** Extra filters (user, admin, search); every event in range when absent. */
  readonly matches?: (ev: StoredEvent) => boolean;
}

export interface PageSlice {
  /** Newest first. */
  readonly events: StoredEvent[];
  /** Key of the first matching event not served, or null when none is left. */
  readonly nextKey: number | null;
}

export class EventStore {
  private items: StoredEvent[] = [];

  get length(): number {
    return this.items.length;
  }

  /** Adds many events at once (e.g. the history), in any order; their keys must be free. */
  addBatch(batch: readonly StoredEvent[]): void {
    const merged = this.items.length === 0 ? batch.slice() : this.items.concat(batch);
    merged.sort((a, b) => a.key - b.key);
    this.items = merged;
  }

  /** Inserts one event at its place by key; the key must be free (see claim). */
  insert(ev: StoredEvent): void {
    this.items.splice(this.lowerBound(ev.key), 0, ev);
  }

  has(key: number): boolean {
    return this.items[this.lowerBound(key)]?.key === key;
  }

  /** A free key: `wanted`, or the next free one in the same second. */
  claim(wanted: number): number {
    return freeKeyInSecond(wanted, (k) => this.has(k));
  }

  /** Up to `limit` matching events with fromKey <= key <= toKey, newest first. */
  page(q: PageQuery): PageSlice {
    const lo = this.lowerBound(q.fromKey);
    const hi = this.upperBound(q.toKey) - 1;
    const events: StoredEvent[] = [];
    const { matches } = q;
    if (!matches) {
      const inRange = hi - lo + 1;
      const n = Math.max(0, Math.min(q.limit, inRange));
      for (let i = hi; i > hi - n; i--) events.push(this.items[i] as StoredEvent);
      return { events, nextKey: inRange > n ? (this.items[hi - n] as StoredEvent).key : null };
    }
    for (let i = hi; i >= lo; i--) {
      const ev = this.items[i] as StoredEvent;
      if (!matches(ev)) continue;
      if (events.length === q.limit) return { events, nextKey: ev.key };
      events.push(ev);
    }
    return { events, nextKey: null };
  }

  /** Every event's JSON as one array, ascending key (the ground truth). */
  jsonArray(): string {
    return `[${this.items.map((ev) => ev.json).join(',')}]`;
  }

  /** Every event as fresh objects, ascending key. */
  events(): LastPassEvent[] {
    return this.items.map((ev) => ({ ...ev.event }));
  }

  /** First index whose key is >= key. */
  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as StoredEvent).key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > key. */
  private upperBound(key: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as StoredEvent).key <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
