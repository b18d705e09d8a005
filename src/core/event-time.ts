// Which event times may move a position. Vendors sometimes stamp an event absurdly (a year
// 9999, a 1970 default): such a time must never become the newest delivered time, a
// connector's time-derived cursor or the reference the dedup memory prunes by, or the stream
// restarts from the far future and never delivers again. The event itself is still delivered.

/**
 * How far an event time may lie ahead of the clock, or before the configured start, and still
 * be believed: a day covers vendor clock skew and zone mistakes (LastPass speaks the account's
 * local time), while a time further out can only be a wrong stamp.
 */
export const EVENT_TIME_TOLERANCE_MS = 86_400_000;

export type EventTimeJudgement =
  /** `time` may move positions; a time ahead of the clock (within the tolerance) is brought back to the clock. */
  | { readonly usable: true; readonly time: number }
  | { readonly usable: false; readonly why: 'future' | 'before-start' };

export interface EventTimeBounds {
  /** The configured start of the stream (ms), or null when there is none (then only the future bound applies). */
  readonly startMs: number | null;
  readonly nowMs: number;
}

/** Whether an event time may move a position, and the time to use when it may. */
export function judgeEventTime(timeMs: number, bounds: EventTimeBounds): EventTimeJudgement {
  if (isFutureTime(timeMs, bounds)) return { usable: false, why: 'future' };
  if (isBeforeStart(timeMs, bounds)) return { usable: false, why: 'before-start' };
  return { usable: true, time: Math.min(timeMs, bounds.nowMs) };
}

/** The time to use for positions, or undefined when the event has none or an implausible one (no judgement object: it runs per event). */
export function usableEventTime(timeMs: number | undefined, bounds: EventTimeBounds): number | undefined {
  if (timeMs === undefined || isFutureTime(timeMs, bounds) || isBeforeStart(timeMs, bounds)) return undefined;
  return Math.min(timeMs, bounds.nowMs);
}

function isFutureTime(timeMs: number, bounds: EventTimeBounds): boolean {
  return !Number.isFinite(timeMs) || timeMs > bounds.nowMs + EVENT_TIME_TOLERANCE_MS;
}

function isBeforeStart(timeMs: number, bounds: EventTimeBounds): boolean {
  return bounds.startMs !== null && timeMs < bounds.startMs - EVENT_TIME_TOLERANCE_MS;
}

/** An event time for a log line: ISO 8601 when it is a date JavaScript can show, else the number. */
export function describeEventTime(timeMs: number): string {
  const date = new Date(timeMs);
  return Number.isNaN(date.getTime()) ? `${timeMs} ms` : date.toISOString();
}
