// The events a simulator holds when it starts: when they happened. Activity is not even in
// real logs, so history is an even background plus bursts around a few busy moments.

import type { Prng } from './prng.js';

/** A stretch of history: `count` events between `from` and `to` (UTC ms, inclusive). */
export interface HistorySegment {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface HistoryOptions {
  /** Replaces initialEvents/historyMs when given. */
  readonly history?: readonly HistorySegment[];
  readonly initialEvents?: number;
  readonly historyMs?: number;
}

const WEEK_MS = 7 * 86_400_000;
/** Of the events in history, the share spread evenly; the rest falls in bursts. */
const BACKGROUND_SHARE = 0.45;
const BURST_MEAN_MS = 3 * 60_000;
/** About one burst per this many events. */
const EVENTS_PER_BURST = 40;

/** The history segments asked for, checked (default: `defaultCount` events over the week before `start`). */
export function historySegments(o: HistoryOptions, start: number, defaultCount: number): readonly HistorySegment[] {
  const history = o.history ?? [{ from: start - (o.historyMs ?? WEEK_MS), to: start, count: o.initialEvents ?? defaultCount }];
  for (const seg of history) {
    if (!Number.isFinite(seg.from) || !Number.isFinite(seg.to) || seg.from > seg.to) throw new RangeError('history: each segment needs finite from <= to (UTC ms)');
    if (!Number.isInteger(seg.count) || seg.count < 0) throw new RangeError('history: count must be a whole number >= 0');
  }
  return history;
}

/** `count` instants (whole UTC ms) in [from, to], ascending: an even background plus bursts. */
export function burstyInstants(rng: Prng, from: number, to: number, count: number): Float64Array {
  const out = new Float64Array(Math.max(0, count));
  if (count <= 0) return out;
  const span = Math.max(0, to - from);
  const centers = Array.from({ length: Math.max(1, Math.round(count / EVENTS_PER_BURST)) }, () => from + rng.next() * span);
  for (let i = 0; i < count; i++) {
    let t: number;
    if (rng.chance(BACKGROUND_SHARE)) t = from + rng.next() * span;
    else {
      const offset = -Math.log(1 - rng.next()) * BURST_MEAN_MS;
      t = rng.pick(centers) + (rng.chance(0.5) ? offset : -offset);
    }
    // Burst tails past the ends are redrawn evenly: clamping would pile events on the edges.
    if (t < from || t > to) t = from + rng.next() * span;
    out[i] = Math.floor(t);
  }
  return out.sort();
}
