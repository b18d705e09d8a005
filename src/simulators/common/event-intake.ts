// How a simulator whose events are numbered in insertion order takes them in: the history
// at start, then addEvents(n, {late, at}) from tests, controls and the live feed. The seq
// numbers break ties in time, so they must come from one counter for both.

import type { HistorySegment } from './history.js';

/** What the intake needs from a vendor's factory (see SeededEventFactory). */
export interface SequencedEventFactory<S> {
  /** One event at `instant` (UTC ms) with insertion number `seq`; `detached` (late) ones leave the running session alone. */
  make(instant: number, seq: number, detached: boolean): S;
  historyInstants(from: number, to: number, count: number): Float64Array;
  lateInstant(visibleAt: number): number;
}

export class EventIntake<S> {
  private nextSeq = 1;

  constructor(
    private readonly factory: SequencedEventFactory<S>,
    private readonly store: { add(batch: readonly S[]): void },
    private readonly now: () => number,
  ) {}

  addHistory(segments: readonly HistorySegment[]): void {
    const made: S[] = [];
    for (const seg of segments) {
      for (const at of this.factory.historyInstants(seg.from, seg.to, seg.count)) made.push(this.factory.make(at, this.nextSeq++, false));
    }
    this.store.add(made);
  }

  /** Makes and stores `n` events at `at` (default now), stamped earlier when `late`; returns them as stored, for the caller to render. */
  add(n: number, o: { readonly late?: boolean; readonly at?: number } = {}): S[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    if (o.at !== undefined && !Number.isFinite(o.at)) throw new RangeError('at must be ms since the epoch');
    const at = o.at ?? this.now();
    const late = o.late === true;
    // Every instant is drawn before any event is made: the order the seeded data has always had.
    const instants: number[] = [];
    for (let i = 0; i < n; i++) instants.push(late ? this.factory.lateInstant(at) : at);
    const made = instants.map((instant) => this.factory.make(instant, this.nextSeq++, late));
    this.store.add(made);
    return made;
  }
}
