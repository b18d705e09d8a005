// Every item, kept sorted by (event_time, insertion seq) ascending. A page is served newest
// first: oldest/latest bounds and the paging cursor are binary searches, and the page is
// walked backwards from there, so a 200-item page out of 200,000 costs the page, not the
// store. The cursor is a keyset position, so inserts (new or late) never shift a walk.

import { TimeOrderedItems } from '../common/time-ordered.js';
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
  private readonly items = new TimeOrderedItems<StoredItem>((item) => item.time);

  get length(): number {
    return this.items.length;
  }

  /** Adds items in any order (the history, or what addEvents made). */
  add(batch: readonly StoredItem[]): void {
    this.items.add(batch);
  }

  page(q: PageQuery): PageSlice {
    const lo = this.items.lowerBound(q.oldest, -Infinity);
    let hi = this.items.lowerBound(q.latest, Infinity) - 1;
    if (q.before) hi = Math.min(hi, this.items.lowerBound(q.before.time, q.before.seq) - 1);
    const out: StoredItem[] = [];
    const { matches } = q;
    if (!matches) {
      const n = Math.max(0, Math.min(q.limit, hi - lo + 1));
      for (let i = hi; i > hi - n; i--) out.push(this.items.at(i));
      return { items: out, hasMore: hi - n >= lo };
    }
    for (let i = hi; i >= lo; i--) {
      const item = this.items.at(i);
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
}
