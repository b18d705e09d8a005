// Sliding-window rate limiter for simulated vendor APIs ("600 per minute and 30,000 per
// hour"). Every admitted request's time is kept for the longest window, so each window
// counts exactly the requests in (now - window, now]: no token-bucket rounding.

export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

export class SlidingWindowLimiter {
  private times: number[] = [];
  private head = 0;
  private readonly longestMs: number;

  constructor(private readonly windows: readonly RateWindow[]) {
    this.longestMs = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  /** Admits (and records) a request at `now`, or returns false when any window is full. */
  tryAcquire(now: number): boolean {
    this.prune(now);
    for (const w of this.windows) {
      if (this.countSince(now - w.windowMs) >= w.limit) return false;
    }
    // Keep the list ascending even if a test clock steps back.
    const last = this.times[this.times.length - 1];
    this.times.push(last !== undefined && last > now ? last : now);
    return true;
  }

  reset(): void {
    this.times = [];
    this.head = 0;
  }

  private prune(now: number): void {
    const cutoff = now - this.longestMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= cutoff) this.head++;
    // Compact now and then so the array does not grow for ever.
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Requests with time > since (times are ascending, so binary search). */
  private countSince(since: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] ?? 0) <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.times.length - lo;
  }
}
