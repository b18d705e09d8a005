// Every activity, kept sorted by (created second, insertion seq) ascending. A page is an
// offset into the matching run between two binary searches, walked forwards (created:asc)
// or backwards (created:desc, the exact reverse), so a page costs the page, not the store
// (with filters, the matches before the offset are walked too).

import { TimeOrderedItems } from '../common/time-ordered.js';
import { renderActivity, type StoredActivity } from './generator.js';
import type { CreatedOffsetStyle, ResponseShape } from './types.js';

export interface PageQuery {
  /** Smallest `created` second served (inclusive). */
  readonly fromSec: number;
  /** Largest `created` second served (inclusive). */
  readonly toSec: number;
  readonly ascending: boolean;
  readonly offset: number;
  readonly limit: number;
  /** Extra filters; every activity in range when absent. */
  readonly matches?: (a: StoredActivity) => boolean;
}

export class ActivityStore {
  private readonly items = new TimeOrderedItems<StoredActivity>((a) => a.sec);

  get length(): number {
    return this.items.length;
  }

  /** Adds activities in any order (the history, or what addEvents made). */
  add(batch: readonly StoredActivity[]): void {
    this.items.add(batch);
  }

  page(q: PageQuery): StoredActivity[] {
    const lo = this.items.lowerBound(q.fromSec, -Infinity);
    const hi = this.items.lowerBound(q.toSec, Infinity); // exclusive
    const out: StoredActivity[] = [];
    const { matches } = q;
    const step = q.ascending ? 1 : -1;
    const first = q.ascending ? lo : hi - 1;
    const inRange = (i: number): boolean => i >= lo && i < hi;
    if (!matches) {
      for (let i = first + step * q.offset; inRange(i) && out.length < q.limit; i += step) out.push(this.items.at(i));
      return out;
    }
    let skipped = 0;
    for (let i = first; inRange(i) && out.length < q.limit; i += step) {
      const a = this.items.at(i);
      if (!matches(a)) continue;
      if (skipped < q.offset) skipped++;
      else out.push(a);
    }
    return out;
  }

  /** Every activity's JSON as one array, ascending (the ground truth). */
  jsonArray(shape: ResponseShape, offset: CreatedOffsetStyle): string {
    return `[${this.items.map((a) => renderActivity(a, shape, offset)).join(',')}]`;
  }

  /** Every activity as fresh objects, ascending. */
  events(shape: ResponseShape, offset: CreatedOffsetStyle): Array<Record<string, unknown>> {
    return this.items.map((a) => JSON.parse(renderActivity(a, shape, offset)) as Record<string, unknown>);
  }
}
