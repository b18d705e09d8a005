// Keeps a demo lively: adds events at a steady rate, a few of them late.

const TICK_MS = 200;

export interface LiveFeedOptions {
  readonly perSecond: number;
  readonly lateFraction: number;
  readonly now: () => number;
  readonly add: (late: boolean) => void;
  /** Whether the next live event is late (drawn from the seeded stream). */
  readonly isLate: (fraction: number) => boolean;
}

/** Starts the feed; returns a function that stops it. */
export function startLiveFeed(o: LiveFeedOptions): () => void {
  if (!(o.perSecond > 0)) return () => undefined;
  let last = o.now();
  // Fractions of an event carried from tick to tick, so low rates (0.5/s) still produce events.
  let carry = 0;
  const timer = setInterval(() => {
    const now = o.now();
    const due = carry + (o.perSecond * Math.max(0, now - last)) / 1000;
    last = now;
    const n = Math.floor(due);
    carry = due - n;
    for (let i = 0; i < n; i++) o.add(o.isLate(o.lateFraction));
  }, TICK_MS);
  // The server keeps the process alive; the feed alone should not.
  timer.unref();
  return () => clearInterval(timer);
}
