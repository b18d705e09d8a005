// Okta's rate-limit headers: X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset
// (when the window resets, UTC epoch seconds) on every answer. Read so the collector never
// needs a 429: an answer that leaves nothing in the window pauses the account's budget until
// the reset; a 429 all the same (other clients share the org's limit) is retried at the reset.

import type { Clock, HttpResponse, RetryDecision } from '../../core/contracts.js';

/** Okta's windows are a minute long: a reset further ahead means the clocks disagree, and a minute is enough. */
const MAX_WAIT_MS = 61_000;
/** A reset already past by this machine's clock still gets a moment (clocks drift; the reset is whole seconds). */
const MIN_WAIT_MS = 1_000;

/** When the window resets (ms since the epoch, within [now + 1 s, now + 61 s]); undefined without a readable header. */
export function announcedReset(headers: Readonly<Record<string, string>>, nowMs: number): number | undefined {
  const text = headers['x-rate-limit-reset'];
  if (text === undefined || !/^\d{1,12}$/.test(text.trim())) return undefined;
  const wait = Number(text.trim()) * 1000 - nowMs;
  return nowMs + Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, wait));
}

/** Retry 5xx; retry a 429 at the announced reset; pause the budget when an answer says nothing is left. */
export function oktaClassifier(clock: Clock): (res: HttpResponse) => RetryDecision {
  return (res) => {
    const now = clock.now();
    const reset = announcedReset(res.headers, now);
    if (res.status === 429) return reset === undefined ? { kind: 'retry', rateLimited: true } : { kind: 'retry', rateLimited: true, delayMs: reset - now };
    if (res.status >= 500 && res.status <= 599) return { kind: 'retry', rateLimited: false };
    const remaining = res.headers['x-rate-limit-remaining'];
    if (reset !== undefined && remaining !== undefined && /^\s*0+\s*$/.test(remaining)) return { kind: 'done', pauseUntil: reset };
    return { kind: 'done' };
  };
}
