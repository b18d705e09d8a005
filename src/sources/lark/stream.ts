// The Lark `audit_infos` stream: time windows of at most 30 days (the API's limit), never
// older than the 180-day retention, each re-reading an overlap of the previous one, paged
// with page_token. The framework owns state; this turns a saved position into the next page.

import type { Clock, Logger, Page, PullPosition, StreamPuller, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { toRfc3339Seconds } from '../../core/time.js';
import { DEFAULT_FIRST_START_BACK_MS, dedupRetainRanges, newestEventTime, nextWindow } from '../common/time-windows.js';
import type { LarkApi } from './api.js';
import { readLarkCursor, type LarkCursor, type LarkPass } from './cursor.js';
import { LARK_MAX_SPAN_MS, LARK_RETENTION_MS, type LarkServiceSettings } from './settings.js';

/** Start this far inside the retention, so "now" moving on does not push the window out of it. */
const RETENTION_MARGIN_MS = 10 * 60_000;

export interface LarkStreamOptions {
  readonly name: string;
  readonly tag: string;
  readonly settings: LarkServiceSettings;
  readonly api: LarkApi;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly where: string;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export class LarkStream implements StreamPuller<LarkCursor> {
  readonly name: string;
  readonly tag: string;
  private readonly lagMs: number;
  private readonly overlapMs: number;

  constructor(private readonly o: LarkStreamOptions) {
    this.name = o.name;
    this.tag = o.tag;
    this.lagMs = o.settings.lag_in_seconds * 1000;
    this.overlapMs = o.settings.overlap_in_seconds * 1000;
  }

  async fetchPage(position: PullPosition<LarkCursor>, signal: AbortSignal): Promise<Page<LarkCursor>> {
    const cursor = readLarkCursor(position.cursor, this.o.where) ?? this.initialCursor();
    let pass = cursor.pass;
    if (!pass) {
      pass = this.planPass(cursor);
      if (!pass) return { events: [], cursor, hasMore: false, requests: 0, dedupRetain: this.retain(cursor.read_until, cursor.read_until, null, false) };
      this.o.logger.info(`Fetching audit_infos event(s) having event_time between ${toRfc3339Seconds(pass.oldest * 1000)} and ${toRfc3339Seconds(pass.latest * 1000)}`);
    }
    const page = await this.o.api.auditInfos(
      { oldest: pass.oldest, latest: pass.latest, pageSize: this.o.settings.page_size, userIdType: this.o.settings.user_id_type, pageToken: pass.page_token ?? undefined },
      signal,
      'pull',
    );
    this.o.logger.info(`Retrieved ${page.items.length} audit_infos event(s)`);
    const lastEvent = newestEventTime(page.items, (e) => this.eventTime(e), cursor.last_event_time_in_utc, {
      startMs: Date.parse(cursor.start_time_in_utc),
      nowMs: this.o.clock.now(),
    });
    if (page.hasMore && page.pageToken !== undefined) {
      if (page.pageToken === pass.page_token) {
        throw new SiphonError('PULL_MALFORMED_RESPONSE', `Some error occurred while fetching audit infos from Lark server. Error details: the API answered the page_token it was sent; stopping rather than looping`, { oldest: pass.oldest, latest: pass.latest }, { devoId: 301 });
      }
      return {
        events: page.items,
        cursor: { ...cursor, last_event_time_in_utc: lastEvent, pass: { ...pass, page_token: page.pageToken } },
        hasMore: true,
        requests: page.attempts,
        dedupRetain: this.retain(pass.oldest, pass.latest, pass.previous_latest, true),
      };
    }
    if (page.hasMore) this.o.logger.warn('The API answered has_more without a page_token: this window is taken as complete');
    // A window shorter than 30 days reached "now": caught up. A full one was a back-fill step.
    const caughtUp = (pass.latest - pass.oldest) * 1000 < LARK_MAX_SPAN_MS;
    return {
      events: page.items,
      cursor: { ...cursor, last_event_time_in_utc: lastEvent, read_until: pass.latest, pass: null },
      hasMore: !caughtUp,
      requests: page.attempts,
      dedupRetain: this.retain(pass.oldest, pass.latest, pass.previous_latest, false),
    };
  }

  /** unique_id identifies a record; event_id does not (it names the kind of event). */
  eventKey(event: VendorEvent): string | undefined {
    const id = event['unique_id'];
    return typeof id === 'string' && id.length > 0 ? id : typeof id === 'number' ? String(id) : undefined;
  }

  /** event_time is Unix seconds (sometimes as a string). A time in the future is the framework's to judge (core/event-time.ts). */
  eventTime(event: VendorEvent): number | undefined {
    const raw = event['event_time'];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
    return value === undefined ? undefined : value * 1000;
  }

  /** One small request over the last few minutes: the app may read audit logs. */
  async probe(signal: AbortSignal): Promise<void> {
    const latest = seconds(this.o.clock.now());
    await this.o.api.auditInfos({ oldest: latest - 300, latest, pageSize: 1, userIdType: this.o.settings.user_id_type }, signal, 'setup');
  }

  private initialCursor(): LarkCursor {
    const startMs = this.o.settings.initial_start_time_in_utc_value?.ms ?? this.o.clock.now() - DEFAULT_FIRST_START_BACK_MS;
    return { cursor_version: 1, start_time_in_utc: toRfc3339Seconds(startMs), last_event_time_in_utc: null, read_until: null, pass: null };
  }

  /** The next window, clamped into the retention (with a warning: older records are gone). */
  private planPass(cursor: LarkCursor): LarkPass | null {
    const now = this.o.clock.now();
    const floor = seconds(now - LARK_RETENTION_MS + RETENTION_MARGIN_MS) * 1000;
    const configured = Date.parse(cursor.start_time_in_utc);
    const readUntil = cursor.read_until === null ? null : cursor.read_until * 1000;
    const wanted = readUntil === null ? configured : Math.max(configured, readUntil - this.overlapMs);
    if (wanted < floor) {
      this.o.logger.warn(
        `Lark keeps audit records for 180 days: reading from ${toRfc3339Seconds(floor)} instead of ${toRfc3339Seconds(wanted)}; older records are no longer available`,
      );
    }
    const window = nextWindow({
      readUntil,
      start: Math.max(configured, floor),
      target: seconds(now - this.lagMs) * 1000,
      overlapMs: this.overlapMs,
      maxSpanMs: LARK_MAX_SPAN_MS,
    });
    if (!window) return null;
    return { oldest: seconds(Math.max(window.from, floor)), latest: seconds(window.to), previous_latest: cursor.read_until, page_token: null };
  }

  /** Event times the dedup memory keeps after a page of the window [oldest, latest]. */
  private retain(oldest: number | null, latest: number | null, previous: number | null, stillPaging: boolean): Array<readonly [number, number]> {
    if (oldest === null || latest === null) return [];
    return dedupRetainRanges({ from: oldest * 1000, to: latest * 1000, previousTo: previous === null ? null : previous * 1000 }, this.overlapMs, stillPaging);
  }
}
