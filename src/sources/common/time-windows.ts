// Time windows for vendors that are read by time range rather than by cursor (LastPass,
// Lark): each window re-reads an overlap of the one before, so events that arrive late are
// still found, and the dedup memory is told exactly which event times it must remember.
// Times are ms; the caller decides their meaning (instants, or a zone's wall times).

import type { VendorEvent } from '../../core/contracts.js';
import { usableEventTime, type EventTimeBounds } from '../../core/event-time.js';
import { toRfc3339Seconds } from '../../core/time.js';

/** Without a start setting, a new stream begins this long before its first start. */
export const DEFAULT_FIRST_START_BACK_MS = 86_400_000;

export interface TimeWindow {
  /** Both inclusive. */
  readonly from: number;
  readonly to: number;
}

export interface WindowPlanInput {
  /** Where the last finished window ended; null before the first. */
  readonly readUntil: number | null;
  /** Where the stream starts. */
  readonly start: number;
  /** The newest time that may be read now (now minus the lag, or less). */
  readonly target: number;
  readonly overlapMs: number;
  /** Longest window (the vendor's limit, or a back-fill step). Must exceed the overlap. */
  readonly maxSpanMs: number;
}

/**
 * The next window: from the previous end minus the overlap, at most `maxSpanMs` long, up to
 * the target. Null when the target has not reached the previous end (nothing can be read
 * yet). A target equal to the previous end still reads: the overlap may hold late events.
 */
export function nextWindow(o: WindowPlanInput): TimeWindow | null {
  const lastEnd = o.readUntil ?? o.start - 1000;
  if (o.target < lastEnd) return null;
  const from = o.readUntil === null ? o.start : Math.max(o.start, o.readUntil - o.overlapMs);
  return { from, to: Math.max(from, Math.min(o.target, from + o.maxSpanMs)) };
}

export type TimeRange = readonly [number, number];

/**
 * What the dedup memory must keep after a page of `window`: the overlap the next window will
 * read again and, while the window is still being paged (pages may come newest first), the
 * part of it the previous window delivered already. `toKeyTime` maps window times to the
 * times the dedup memory holds (identity for instants).
 */
export function dedupRetainRanges(
  window: TimeWindow & { readonly previousTo: number | null },
  overlapMs: number,
  stillPaging: boolean,
  toKeyTime: (t: number) => number = (t) => t,
): TimeRange[] {
  const ranges: TimeRange[] = [[toKeyTime(window.to - overlapMs), toKeyTime(window.to) + 999]];
  if (stillPaging && window.previousTo !== null) ranges.push([toKeyTime(window.from), toKeyTime(window.previousTo) + 999]);
  return ranges;
}

/**
 * The newest event time of `items` as RFC 3339 text, or `previous` when that is newer (or there
 * is none). Absurd times (see core/event-time.ts) are passed over; one ahead of the clock
 * within the tolerance counts as the clock.
 */
export function newestEventTime(
  items: readonly VendorEvent[],
  eventTime: (event: VendorEvent) => number | undefined,
  previous: string | null,
  bounds: EventTimeBounds,
): string | null {
  let newest = previous === null ? Number.NEGATIVE_INFINITY : Date.parse(previous);
  for (const item of items) {
    const t = usableEventTime(eventTime(item), bounds);
    if (t !== undefined && t > newest) newest = t;
  }
  return newest === Number.NEGATIVE_INFINITY ? null : toRfc3339Seconds(newest);
}
