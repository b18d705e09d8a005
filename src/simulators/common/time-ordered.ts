// A simulator's stored events, kept sorted by (second, insertion seq) ascending: the order
// every vendor's pages and ground truth are cut from. Bounds are binary searches, so a
// vendor's page walk costs the page, not the store.

/** Below this many new items, binary insertion; above, one merge-sort of the store. */
const BATCH_THRESHOLD = 64;

export class TimeOrderedItems<T extends { readonly seq: number }> {
  private items: T[] = [];

  /** `secondOf` gives the item's time in whole seconds (the vendor's precision). */
  constructor(private readonly secondOf: (item: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  /** Adds items in any order (the history, or what addEvents made). */
  add(batch: readonly T[]): void {
    if (batch.length > BATCH_THRESHOLD) {
      const merged = this.items.length === 0 ? batch.slice() : this.items.concat(batch);
      merged.sort((a, b) => this.secondOf(a) - this.secondOf(b) || a.seq - b.seq);
      this.items = merged;
    } else {
      for (const item of batch) this.items.splice(this.lowerBound(this.secondOf(item), item.seq), 0, item);
    }
  }

  /** The item at index `i`; callers stay within [0, length). */
  at(i: number): T {
    return this.items[i] as T;
  }

  /** First index whose (second, seq) is >= (second, seq); -Infinity/Infinity as seq bound a whole second. */
  lowerBound(second: number, seq: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = this.items[mid] as T;
      const s = this.secondOf(it);
      if (s < second || (s === second && it.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Every item through `fn`, ascending. */
  map<R>(fn: (item: T) => R): R[] {
    return this.items.map(fn);
  }
}
