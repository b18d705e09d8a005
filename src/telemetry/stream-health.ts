// A stream's health, judged on what really happened over its recent pulls, not on the last
// request alone: a throttled stream is not failing, one failed pull does not flap a healthy
// stream, a refused credential fails it at once, and a stream that pulls fine but brings
// nothing for too long is stale. Pure: it is told what happened and asked at a given time.

import { formatCode, type SiphonError } from '../core/errors.js';
import type { ErrorSummary, StreamState } from './status-types.js';

/** Failed pulls in a row that make a stream `degraded` (one is forgiven: a single 5xx). */
const DEGRADED_AFTER_FAILURES = 2;
/** A stream that keeps failing for this many request periods without a success is `failed`. */
const FAILED_AFTER_PERIODS = 3;
const FAILED_AFTER_FAILURES = 3;

/** Refusals that no retry cures: the credential or its permissions. */
const REFUSED_CODES = new Set(['PULL_AUTH_LOST', 'SETUP_AUTH_FAILED', 'SETUP_FEATURE_MISSING']);

export interface HealthVerdict {
  state: StreamState;
  message: string;
}

export interface StreamHealthSettings {
  periodMs: number;
  /** 0: never stale. */
  alarmMs: number;
}

export class StreamHealth {
  private stopped = false;
  private pulled = false;
  /** The stream has caught up once since the collector started (its back-fill is over). */
  private caughtUpOnce = false;
  private lastSuccessAt: number | null = null;
  /** Wall time of the last commit that brought events (the start, before any). */
  private lastArrivalAt: number;
  private consecutiveFailures = 0;
  private refused = false;
  private throttledAt: number | null = null;
  lastError: ErrorSummary | null = null;

  constructor(
    private readonly settings: StreamHealthSettings,
    startedAt: number,
  ) {
    this.lastArrivalAt = startedAt;
  }

  get lastSuccess(): number | null {
    return this.lastSuccessAt;
  }

  /** The back-fill is running: pulling successfully, not caught up since the start. */
  get backfilling(): boolean {
    return this.pulled && !this.caughtUpOnce && !this.stopped;
  }

  /** Wall time of the last commit that brought events. */
  get lastArrival(): number {
    return this.lastArrivalAt;
  }

  pageFetched(): void {
    this.pulled = true;
  }

  eventsArrived(now: number): void {
    this.lastArrivalAt = now;
  }

  throttled(now: number): void {
    this.throttledAt = now;
  }

  succeeded(now: number, caughtUp: boolean): void {
    this.lastSuccessAt = now;
    this.consecutiveFailures = 0;
    this.refused = false;
    this.throttledAt = null;
    if (caughtUp) this.caughtUpOnce = true;
  }

  failed(error: SiphonError, now: number): void {
    this.lastError = errorSummary(error, now);
    if (error.code === 'PULL_RATE_LIMITED') {
      // The vendor asks us to slow down: waiting is the cure, not an alarm.
      this.throttledAt = now;
      return;
    }
    this.consecutiveFailures += 1;
    this.refused = REFUSED_CODES.has(error.code);
  }

  stop(): void {
    this.stopped = true;
  }

  /** The state at `now`, with the reason in a sentence. */
  judge(now: number, startedAt: number): HealthVerdict {
    if (this.stopped) return { state: 'stopped', message: 'The collector stopped this stream' };
    const error = this.lastError ? `[${this.lastError.code}] ${this.lastError.message}` : '';
    if (this.refused) return { state: 'failed', message: `The vendor refused the credentials or their permissions: ${error}` };
    const sinceSuccess = now - (this.lastSuccessAt ?? startedAt);
    if (this.consecutiveFailures >= FAILED_AFTER_FAILURES && sinceSuccess >= FAILED_AFTER_PERIODS * this.settings.periodMs) {
      return { state: 'failed', message: `No successful pull for ${describeDuration(sinceSuccess)} (${this.consecutiveFailures} failures in a row): ${error}` };
    }
    if (this.consecutiveFailures >= DEGRADED_AFTER_FAILURES) {
      return { state: 'degraded', message: `${this.consecutiveFailures} pulls in a row failed; retrying: ${error}` };
    }
    if (this.throttledAt !== null) return { state: 'throttled', message: 'The vendor asked to slow down (rate limited); pulling waits as it asks' };
    if (!this.pulled && this.lastSuccessAt === null) return { state: 'starting', message: 'Waiting for the first page' };
    if (this.backfilling) return { state: 'backfilling', message: 'Catching up with the history' };
    const silence = now - this.lastArrivalAt;
    if (this.settings.alarmMs > 0 && silence >= this.settings.alarmMs) {
      return {
        state: 'stale',
        message: `Pulls succeed but no new event arrived for ${describeDuration(silence)} (no_events_alarm_in_seconds: ${this.settings.alarmMs / 1000})`,
      };
    }
    const once = this.consecutiveFailures === 1 ? `; the last pull failed once and is retried: ${error}` : '';
    return { state: 'healthy', message: `Up to date${once}` };
  }
}

/** An error as the status shows it: the code as the log and docs/errors.md print it ("PullError 304"), and its sentence. */
export function errorSummary(error: SiphonError, now: number): ErrorSummary {
  return { code: formatCode(error.code, error.devoId), message: error.message, at: new Date(now).toISOString() };
}

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function describeDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
