// Keeps a demo lively: a background timer that adds events at a steady rate. What an event
// is (which kind, whether it is late) is the simulator's business, decided in `add`.

const TICK_MS = 200;

export interface LiveFeedOptions {
  /** How many times per second `add` runs; 0 (or anything not > 0) turns the feed off. */
  readonly perSecond: number;
  readonly now: () => number;
  /** Adds one event (a simulator with several event kinds adds one of each). */
  readonly add: () => void;
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
    for (let i = 0; i < n; i++) o.add();
  }, TICK_MS);
  // The server keeps the process alive; the feed alone should not.
  timer.unref();
  return () => clearInterval(timer);
}
