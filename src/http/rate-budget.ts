// The rate budget of one vendor account, shared by all of that account's services.
// Exact sliding windows: a request may go at time t only if, for every window, fewer than
// `limit` requests were recorded in (t - perMs, t]. Waiters queue in arrival order and a
// single pump releases them, so a burst of callers cannot overtake one another.

import type { Clock } from '../core/contracts.js';
import { TimestampRing } from './timestamp-ring.js';

export interface RateWindow {
  limit: number;
  perMs: number;
}

export interface RateBudgetSnapshot {
  windows: Array<{ limit: number; perMs: number; used: number }>;
  pausedUntil: number | null;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}

export class RateBudget {
  private readonly windows: readonly RateWindow[];
  private readonly longestMs: number;
  /** Send times, oldest first; only the last max(limit) can ever decide a wait. */
  private readonly sent: TimestampRing;
  private pausedUntilMs: number | null = null;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private pumpSleep: AbortController | undefined;

  constructor(windows: readonly RateWindow[], private readonly clock: Clock) {
    for (const w of windows) {
      if (!Number.isInteger(w.limit) || w.limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${w.limit}`);
      if (!Number.isFinite(w.perMs) || w.perMs <= 0) throw new RangeError(`rate window must be a positive number of ms, got ${w.perMs}`);
    }
    this.windows = windows.map((w) => ({ limit: w.limit, perMs: w.perMs }));
    this.longestMs = Math.max(0, ...this.windows.map((w) => w.perMs));
    this.sent = new TimestampRing(Math.max(0, ...this.windows.map((w) => w.limit)));
  }

  /** No request windows (benchmarks); a vendor's "too many requests" pause still applies. */
  static unlimited(clock: Clock): RateBudget {
    return new RateBudget([], clock);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    // Fast path: nobody queued and room now.
    if (this.queue.length === 0 && this.waitMs(this.clock.now()) <= 0) {
      this.record();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => this.cancel(waiter),
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  pauseUntil(untilMs: number): void {
    if (!Number.isFinite(untilMs)) return;
    if (this.pausedUntilMs === null || untilMs > this.pausedUntilMs) this.pausedUntilMs = untilMs;
  }

  snapshot(): RateBudgetSnapshot {
    const now = this.clock.now();
    return {
      windows: this.windows.map((w) => ({ limit: w.limit, perMs: w.perMs, used: this.sent.countAfter(now - w.perMs) })),
      pausedUntil: this.pausedUntilMs !== null && this.pausedUntilMs > now ? this.pausedUntilMs : null,
    };
  }

  /** How long from `now` until one more request fits every window and any pause is over. */
  private waitMs(now: number): number {
    // A send time ahead of `now` means the wall clock stepped back: count those sends as
    // made just now, once, rather than stall for the length of the jump.
    this.sent.clampAbove(now);
    let wait = this.pausedUntilMs === null ? 0 : this.pausedUntilMs - now;
    const size = this.sent.size;
    for (const w of this.windows) {
      if (size < w.limit) continue;
      // The limit-th most recent send must have left the window.
      wait = Math.max(wait, this.sent.at(size - w.limit) + w.perMs - now);
    }
    return wait;
  }

  private record(): void {
    const now = this.clock.now();
    if (this.pausedUntilMs !== null && this.pausedUntilMs <= now) this.pausedUntilMs = null;
    if (this.windows.length === 0) return;
    this.sent.clampAbove(now);
    // Non-decreasing, so lookups stay a binary search.
    this.sent.push(now);
    this.sent.dropThrough(now - this.longestMs);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const wait = this.waitMs(this.clock.now());
        if (wait <= 0) {
          const waiter = this.queue.shift();
          if (waiter === undefined) break;
          waiter.signal?.removeEventListener('abort', waiter.onAbort);
          this.record();
          waiter.resolve();
          continue;
        }
        const controller = new AbortController();
        this.pumpSleep = controller;
        try {
          await this.clock.sleep(wait, controller.signal);
        } catch {
          // Woken early: the queue emptied. The loop re-checks.
        } finally {
          this.pumpSleep = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private cancel(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index < 0) return;
    this.queue.splice(index, 1);
    waiter.reject(waiter.signal ? abortReason(waiter.signal) : new DOMException('Aborted', 'AbortError'));
    // Nobody left to wait for: do not keep a timer (and the process) alive.
    if (this.queue.length === 0) this.pumpSleep?.abort();
  }
}
