// How long a stream waits after a failed pull cycle, and when a --once run gives up.
// Faults (a vendor error, an output down, a disk full) back off 5 s doubling to 5 minutes.
// A vendor's rate limit is not a fault: the HTTP client has already paused the account's
// budget until the reset the vendor announced (Retry-After, its reset header), so the next
// cycle's first request waits for it there; the runner only waits its first step, and the
// rate limit does not make the next fault's wait longer.

import { ERROR_CATALOGUE, type SiphonError } from './errors.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Between failed cycles of one stream: 5 s doubling to 5 min (exact: the log line says it). */
const CYCLE_RETRY: RetryPolicy = { initialMs: 5_000, maxMs: 300_000, multiplier: 2, jitter: 0 };

/** With --once, attempts of a cycle before the command gives up on a transient fault. */
const ONCE_MAX_ATTEMPTS = 3;

export interface FailureVerdict {
  /** Failed cycles in a row, of any kind (the log line's "consecutive failures"). */
  readonly consecutive: number;
  readonly waitMs: number;
  /** --once only: no further attempt; the error ends the run. */
  readonly givingUp: boolean;
}

/** Faults that another attempt may cure: vendor errors and outages, output outages, a database that is unreachable. */
function isTransient(error: SiphonError): boolean {
  if (error.permanent) return false;
  const family = ERROR_CATALOGUE[error.code].family;
  return (family === 'PullError' && error.code !== 'PULL_AUTH_LOST') || family === 'OutputError' || error.code === 'PERSISTENCE_UNAVAILABLE';
}

export class CycleFailures {
  private consecutive = 0;
  /** Failures in a row that were faults, not the vendor's rate limit: what the wait grows with. */
  private faults = 0;

  constructor(private readonly policy: RetryPolicy = CYCLE_RETRY) {}

  succeeded(): void {
    this.consecutive = 0;
    this.faults = 0;
  }

  failed(error: SiphonError, once: boolean): FailureVerdict {
    this.consecutive += 1;
    const rateLimited = error.code === 'PULL_RATE_LIMITED';
    if (!rateLimited) this.faults += 1;
    // --once (cron): a passing fault gets a few more tries; bad credentials or state do not.
    const givingUp = once && (this.consecutive >= ONCE_MAX_ATTEMPTS || !isTransient(error));
    const waitMs = retryDelayMs(this.policy, rateLimited ? 1 : this.faults);
    return { consecutive: this.consecutive, waitMs, givingUp };
  }
}
