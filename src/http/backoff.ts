// Exponential back-off with jitter, so the retries of many streams do not line up.

/**
 * Delay before retry number `attempt` (1 = after the first failure):
 * base * 2^(attempt-1), capped at `maxMs`, then a random point between 50% and 100% of it.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity for huge attempts; Math.min still caps it.
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling * (0.5 + 0.5 * r));
}
