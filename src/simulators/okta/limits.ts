// The org's /api/v1/logs rate limit: `limit` requests per fixed window of whole seconds
// aligned to the epoch (Okta's limits are per minute; whether its window is rolling or
// aligned is not documented: aligned here, so X-Rate-Limit-Reset is exact). Every answer
// carries the three headers Okta sends: the ceiling, what is left in this window, and when
// the window resets (UTC epoch seconds).

export interface RateLimitHeaders {
  readonly 'X-Rate-Limit-Limit': string;
  readonly 'X-Rate-Limit-Remaining': string;
  readonly 'X-Rate-Limit-Reset': string;
}

export interface Admission {
  readonly admitted: boolean;
  readonly headers: RateLimitHeaders;
}

export function rateLimitHeaders(limit: number, remaining: number, resetMs: number): RateLimitHeaders {
  return {
    'X-Rate-Limit-Limit': String(limit),
    'X-Rate-Limit-Remaining': String(Math.max(0, remaining)),
    'X-Rate-Limit-Reset': String(Math.ceil(resetMs / 1000)),
  };
}

export class OrgRateLimit {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rateLimit.limit must be a whole number >= 1');
    if (!Number.isInteger(windowMs) || windowMs < 1000 || windowMs % 1000 !== 0) throw new RangeError('rateLimit.windowMs must be a whole number of seconds (ms, >= 1000)');
  }

  /** Counts a request at `now`; refused when the window is used up. */
  take(now: number): Admission {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
    const admitted = this.used < this.limit;
    if (admitted) this.used++;
    return { admitted, headers: rateLimitHeaders(this.limit, this.limit - this.used, start + this.windowMs) };
  }

  reset(): void {
    this.windowStart = Number.NEGATIVE_INFINITY;
    this.used = 0;
  }
}
