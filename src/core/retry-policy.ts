// The one back-off rule of Siphon: the HTTP client's retries, the http output's POSTs, an
// output lane's failed writes, a stream's failed cycles and the collector's setup all wait
// `retryDelayMs` between attempts, each with its own figures. Exponential and capped, with
// optional jitter so that the retries of many streams or outputs do not line up.

export interface RetryPolicy {
  /** The wait after the first failure. */
  readonly initialMs: number;
  /** No wait is longer (before jitter). */
  readonly maxMs: number;
  /** Growth of the wait per failure (2: doubling; 1: always `initialMs`). */
  readonly multiplier: number;
  /**
   * The share of each wait that is random, taken off its top: 0 none (the wait is exact),
   * 0.5 a wait between 50% and 100% of the step.
   */
  readonly jitter: number;
}

/**
 * The wait before attempt `attempt + 1`, i.e. after failure number `attempt` (1 = the first):
 * initial * multiplier^(attempt-1), capped at max, then jittered. `random` returns [0, 1].
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  // multiplier^exponent overflows to Infinity for huge attempts; the cap still applies.
  const grown = policy.initialMs * policy.multiplier ** exponent;
  const step = Number.isFinite(grown) ? Math.min(policy.maxMs, grown) : policy.maxMs;
  if (policy.jitter <= 0) return step;
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step * (1 - policy.jitter + policy.jitter * r));
}
