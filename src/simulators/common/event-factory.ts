// What every vendor's event factory shares: one seeded stream for all its choices, so the
// history, the late stamps and the live feed's "is this one late?" coin stay reproducible
// together. The vendor's subclass decides what an event is.

import { burstyInstants } from './history.js';
import type { Prng } from './prng.js';

/** How far before it becomes visible a late event is stamped (the vendors' delays differ). */
export interface LateRange {
  readonly minMs: number;
  readonly maxMs: number;
}

export abstract class SeededEventFactory {
  protected constructor(
    protected readonly rng: Prng,
    private readonly late: LateRange,
  ) {}

  /** `count` instants (UTC ms) in [from, to], ascending, from this factory's seeded stream. */
  historyInstants(from: number, to: number, count: number): Float64Array {
    return burstyInstants(this.rng, from, to, count);
  }

  /** When a late event really happened, given when it shows up. */
  lateInstant(visibleAt: number): number {
    return visibleAt - this.rng.range(this.late.minMs, this.late.maxMs);
  }

  /** A seeded coin (the live feed's "is this one late?"). */
  chance(p: number): boolean {
    return this.rng.chance(p);
  }
}
