// Keeps the demo lively: appends events at a steady rate per kind, a few of them late.

import { EVENT_KINDS, type AddEventsOptions, type OnePasswordEventKind } from './types.js';

const TICK_MS = 200;

export interface LiveFeedOptions {
  readonly perSecond: number;
  readonly lateFraction: number;
  readonly now: () => number;
  readonly addEvents: (kind: OnePasswordEventKind, n: number, opts?: AddEventsOptions) => unknown;
  /** Whether the next live event of a kind is late (drawn from that kind's seeded stream). */
  readonly isLate: (kind: OnePasswordEventKind, fraction: number) => boolean;
}

/** Starts the feed; returns a function that stops it. */
export function startLiveFeed(o: LiveFeedOptions): () => void {
  if (o.perSecond <= 0) return () => undefined;
  let last = o.now();
  // Fractions of an event carried from tick to tick, so low rates (0.5/s) still produce events.
  const carry = new Map<OnePasswordEventKind, number>();
  const timer = setInterval(() => {
    const now = o.now();
    const elapsed = Math.max(0, now - last);
    last = now;
    for (const kind of EVENT_KINDS) {
      const due = (carry.get(kind) ?? 0) + (o.perSecond * elapsed) / 1000;
      const n = Math.floor(due);
      carry.set(kind, due - n);
      for (let i = 0; i < n; i++) o.addEvents(kind, 1, { late: o.isLate(kind, o.lateFraction) });
    }
  }, TICK_MS);
  // The server keeps the process alive; the feed alone should not.
  timer.unref();
  return () => clearInterval(timer);
}
