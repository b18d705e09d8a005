// The Kiteworks `admin` stream: windows of at most 29 days from the saved position to now
// minus a lag, each re-reading an overlap of the previous one, read oldest first with
// offset paging until a short page. The framework owns state.

import type { Clock, Logger, Page, PullPosition, StreamPuller, VendorEvent } from '../../core/contracts.js';
import { toRfc3339Seconds } from '../../core/time.js';
import { DEFAULT_FIRST_START_BACK_MS, dedupRetainRanges, newestEventTime, nextWindow } from '../common/time-windows.js';
import type { KiteworksApi } from './api.js';
import { readKiteworksCursor, type KiteworksCursor, type KiteworksPass } from './cursor.js';
import { KITEWORKS_MAX_SPAN_MS, type KiteworksServiceSettings } from './settings.js';


export interface KiteworksStreamOptions {
  readonly name: string;
  readonly tag: string;
  readonly settings: KiteworksServiceSettings;
  readonly api: KiteworksApi;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly where: string;
}

/** `created` is "2025-09-30T03:14:54+0000" (no colon) or "+00:00"; both parse. */
function parseCreated(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}

export class KiteworksStream implements StreamPuller<KiteworksCursor> {
  readonly name: string;
  readonly tag: string;
  private readonly lagMs: number;
  private readonly overlapMs: number;

  constructor(private readonly o: KiteworksStreamOptions) {
    this.name = o.name;
    this.tag = o.tag;
    this.lagMs = o.settings.lag_in_seconds * 1000;
    this.overlapMs = o.settings.overlap_in_seconds * 1000;
  }

  async fetchPage(position: PullPosition<KiteworksCursor>, signal: AbortSignal): Promise<Page<KiteworksCursor>> {
    const cursor = readKiteworksCursor(position.cursor, this.o.where) ?? this.initialCursor();
    let pass = cursor.pass;
    if (!pass) {
      pass = this.planPass(cursor);
      if (!pass) return { events: [], cursor, hasMore: false, requests: 0, dedupRetain: this.retain(cursor.read_until, cursor.read_until, null, false) };
      this.o.logger.info(`Fetching admin activities created between ${pass.start} and ${pass.end}`);
    }
    const limit = this.o.settings.event_fetch_limit_in_items;
    const { items, attempts } = await this.o.api.activities({ start: pass.start, end: pass.end, offset: pass.offset, limit }, signal, 'pull');
    const lastEvent = newestEventTime(items, (e) => this.eventTime(e), cursor.last_event_time_in_utc, {
      startMs: Date.parse(cursor.start_time_in_utc),
      nowMs: this.o.clock.now(),
    });
    if (items.length >= limit) {
      return {
        events: items,
        cursor: { ...cursor, last_event_time_in_utc: lastEvent, pass: { ...pass, offset: pass.offset + items.length } },
        hasMore: true,
        requests: attempts,
        dedupRetain: this.retain(pass.start, pass.end, pass.previous_end, true),
      };
    }
    // A short page ends the window. A window shorter than 29 days reached "now": caught up.
    const caughtUp = Date.parse(pass.end) - Date.parse(pass.start) < KITEWORKS_MAX_SPAN_MS;
    return {
      events: items,
      cursor: { ...cursor, last_event_time_in_utc: lastEvent, read_until: pass.end, pass: null },
      hasMore: !caughtUp,
      requests: attempts,
      dedupRetain: this.retain(pass.start, pass.end, pass.previous_end, false),
    };
  }

  /** Ids are integers in one answer shape and UUID strings in the other: always a string. */
  eventKey(event: VendorEvent): string | undefined {
    const id = event['id'];
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  /** A time in the future is the framework's to judge (core/event-time.ts). */
  eventTime(event: VendorEvent): number | undefined {
    return parseCreated(event['created']);
  }

  /** One small request over the last few minutes: the user may read the activity log. */
  async probe(signal: AbortSignal): Promise<void> {
    const now = this.o.clock.now();
    await this.o.api.activities({ start: toRfc3339Seconds(now - 300_000), end: toRfc3339Seconds(now), offset: 0, limit: 1 }, signal, 'setup');
  }

  private initialCursor(): KiteworksCursor {
    const startMs = this.o.settings.historical_poll_datetime?.ms ?? this.o.clock.now() - DEFAULT_FIRST_START_BACK_MS;
    return { cursor_version: 1, start_time_in_utc: toRfc3339Seconds(startMs), last_event_time_in_utc: null, read_until: null, pass: null };
  }

  private planPass(cursor: KiteworksCursor): KiteworksPass | null {
    const window = nextWindow({
      readUntil: cursor.read_until === null ? null : Date.parse(cursor.read_until),
      start: Date.parse(cursor.start_time_in_utc),
      target: Math.floor((this.o.clock.now() - this.lagMs) / 1000) * 1000,
      overlapMs: this.overlapMs,
      maxSpanMs: KITEWORKS_MAX_SPAN_MS,
    });
    if (!window) return null;
    return { start: toRfc3339Seconds(window.from), end: toRfc3339Seconds(window.to), previous_end: cursor.read_until, offset: 0 };
  }

  private retain(start: string | null, end: string | null, previous: string | null, stillPaging: boolean): Array<readonly [number, number]> {
    if (start === null || end === null) return [];
    return dedupRetainRanges({ from: Date.parse(start), to: Date.parse(end), previousTo: previous === null ? null : Date.parse(previous) }, this.overlapMs, stillPaging);
  }
}
