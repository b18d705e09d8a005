// Builds an account's RateBudget from the connector's default windows and the operator's
// `rate_limit` block: requests_per_minute / requests_per_hour replace (or add) the
// one-minute / one-hour windows; `enabled: false` keeps only vendor-requested pauses.

import type { Clock } from '../core/contracts.js';
import type { RateLimitSettings } from '../config/fields.js';
import { RateBudget, type RateWindow } from './rate-budget.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export function rateWindowsFor(defaults: readonly RateWindow[], settings: RateLimitSettings): RateWindow[] {
  const windows = defaults.map((w) => ({ limit: w.limit, perMs: w.perMs }));
  const override = (perMs: number, limit: number | undefined): void => {
    if (limit === undefined) return;
    const existing = windows.find((w) => w.perMs === perMs);
    if (existing) existing.limit = limit;
    else windows.push({ limit, perMs });
  };
  override(MINUTE_MS, settings.requests_per_minute);
  override(HOUR_MS, settings.requests_per_hour);
  return windows;
}

/**
 * The budget records a request when it leaves; the vendor counts it when it arrives. A second
 * of slack on each window keeps transit jitter from putting limit + 1 requests into the
 * vendor's window.
 */
const WINDOW_SLACK_MS = 1_000;

export function createRateBudget(defaults: readonly RateWindow[], settings: RateLimitSettings, clock: Clock): RateBudget {
  if (!settings.enabled) return RateBudget.unlimited(clock);
  return new RateBudget(
    rateWindowsFor(defaults, settings).map((w) => ({ limit: w.limit, perMs: w.perMs + WINDOW_SLACK_MS })),
    clock,
  );
}
