// The per-app budget of audit_infos requests (100 per minute by default), on the shared
// sliding-window limiter. Lark answers an exhausted budget with x-ogw-ratelimit-reset, the
// whole seconds until a slot frees: that is when the oldest of the last `limit` admitted
// requests leaves the window, so those times are kept here too.

import { SlidingWindowLimiter } from '../common/rate-limit.js';

const WINDOW_MS = 60_000;

interface AppBudget {
  readonly limiter: SlidingWindowLimiter;
  /** Ring of the last `limit` admitted times (non-decreasing, as the limiter keeps them). */
  readonly admitted: Float64Array;
  written: number;
}

export type Admission = { ok: true } | { ok: false; resetSeconds: number };

export class AppRateLimits {
  private readonly budgets = new Map<string, AppBudget>();

  constructor(readonly perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('rateLimit.perMinute must be a whole number >= 1');
  }

  tryAcquire(appId: string, now: number): Admission {
    let b = this.budgets.get(appId);
    if (!b) {
      b = { limiter: new SlidingWindowLimiter([{ limit: this.perMinute, windowMs: WINDOW_MS }]), admitted: new Float64Array(this.perMinute), written: 0 };
      this.budgets.set(appId, b);
    }
    const size = this.perMinute;
    if (b.limiter.tryAcquire(now)) {
      const last = b.written > 0 ? (b.admitted[(b.written - 1) % size] ?? now) : now;
      b.admitted[b.written % size] = Math.max(last, now);
      b.written++;
      return { ok: true };
    }
    // Refused, so the window holds `size` requests: the oldest of them frees the next slot.
    const oldest = b.written >= size ? (b.admitted[b.written % size] ?? now) : now;
    return { ok: false, resetSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
  }
}
