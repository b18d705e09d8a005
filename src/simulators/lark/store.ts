// Every item, kept sorted by (event_time, insertion seq) ascending. A page is served newest
// first: oldest/latest bounds and the paging cursor are binary searches, and the page is
// walked backwards from there, so a 200-item page out of 200,000 costs the page, not the
// store. The cursor is a keyset position, so inserts (new or late) never shift a walk.

import { renderItem, type IdType, type StoredItem } from './generator.js';

export interface PageQuery {
  /** Smallest event_time served (inclusive). */
  readonly oldest: number;
  /** Largest event_time served (inclusive). */
  readonly latest: number;
  /** Serve only items strictly below this position (the last item of the previous page). */
  readonly before?: { readonly time: number; readonly seq: number };
  readonly limit: number;
  /** Extra filters; every item in range when absent. */
  readonly matches?: (item: StoredItem) => boolean;
}

export interface PageSlice {
  /** Newest first. */
  readonly items: StoredItem[];
  /** Whether a further matching item exists below the last one served. */
  readonly hasMore: boolean;
}

export class AuditStore {
  private items: StoredItem[] = [];

  get length(): number {
    return this.items.length;
  }

  /** Adds many items at once (e.g. the history), in any order. */
  addBatch(batch: readonly StoredItem[]): void {
    const merged = this.items.length === 0 ? batch.slice() : this.items.concat(batch);
    merged.sort(compare);
    this.items = merged;
  }

  /** Inserts one item at its place. */
  insert(item: StoredItem): void {
    this.items.splice(this.lowerBound(item.time, item.seq), 0, item);
  }

  page(q: PageQuery): PageSlice {
    const lo = this.lowerBound(q.oldest, -Infinity);
    let hi = this.lowerBound(q.latest, Infinity) - 1;
    if (q.before) hi = Math.min(hi, this.lowerBound(q.before.time, q.before.seq) - 1);
    const out: StoredItem[] = [];
    const { matches } = q;
    if (!matches) {
      const n = Math.max(0, Math.min(q.limit, hi - lo + 1));
      for (let i = hi; i > hi - n; i--) out.push(this.items[i] as StoredItem);
      return { items: out, hasMore: hi - n >= lo };
    }
    for (let i = hi; i >= lo; i--) {
      const item = this.items[i] as StoredItem;
      if (!matches(item)) continue;
      if (out.length === q.limit) return { items: out, hasMore: true };
      out.push(item);
    }
    return { items: out, hasMore: false };
  }

  /** Every item's JSON as one array, ascending (the ground truth). */
  jsonArray(idType: IdType): string {
    return `[${this.items.map((item) => renderItem(item, idType)).join(',')}]`;
  }

  /** Every item as fresh objects, ascending. */
  events(idType: IdType): Array<Record<string, unknown>> {
    return this.items.map((item) => JSON.parse(renderItem(item, idType)) as Record<string, unknown>);
  }

  /** First index whose (time, seq) is >= (time, seq). */
  private lowerBound(time: number, seq: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = this.items[mid] as StoredItem;
      if (it.time < time || (it.time === time && it.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compare(a: StoredItem, b: StoredItem): number {
  return a.time - b.time || a.seq - b.seq;
}
