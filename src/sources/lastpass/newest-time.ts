// The newest event Time a LastPass page brings, for the saved position's
// `last_event_time_in_utc`. Times are the account's wall times; absurd ones (a vendor's
// 9999-12-31, see core/event-time.ts) are passed over, so they never become the newest.

import type { VendorEvent } from '../../core/contracts.js';
import { EVENT_TIME_TOLERANCE_MS, usableEventTime, type EventTimeBounds } from '../../core/event-time.js';
import { formatWallTime, parseWallTime, type WallClockZone } from './zoned-time.js';

/**
 * The newest plausible Time of `events` as UTC text (`YYYY-MM-DD HH:MM:SS`), or `previous`
 * when that is newer or no Time is plausible.
 */
export function newestUtcTime(events: readonly VendorEvent[], previous: string | null, zone: WallClockZone, bounds: EventTimeBounds): string | null {
  // `YYYY-MM-DD HH:MM:SS` sorts as text: find the newest plausible one, convert it once.
  const lowest = bounds.startMs === null ? '' : formatWallTime(zone.toWall(bounds.startMs - EVENT_TIME_TOLERANCE_MS));
  const highest = formatWallTime(zone.toWall(bounds.nowMs + EVENT_TIME_TOLERANCE_MS));
  let newestText: string | undefined;
  for (const event of events) {
    const time = event['Time'];
    if (typeof time === 'string' && time >= lowest && time <= highest && (newestText === undefined || time > newestText)) newestText = time;
  }
  const wall = newestText === undefined ? undefined : parseWallTime(newestText);
  const newest = usableEventTime(wall === undefined ? undefined : zone.toUtc(wall, 'earlier'), bounds);
  if (newest === undefined) return previous;
  const previousMs = previous === null ? undefined : parseWallTime(previous);
  return previousMs !== undefined && previousMs >= newest ? previous : formatWallTime(newest);
}
