// The LastPass `reporting` stream: reads time windows ("passes") from the saved position up
// to now minus a lag, page by page with the vendor's `next`, newest first. Everything is in
// the account's wall time, the only time the API speaks, so the two occurrences of an
// autumn hour are read the way the API filters them; the framework owns state, and this
// turns a saved position into the next page.

import type { Clock, Logger, Page, PullPosition, StreamPuller, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { formatWallTime, parseWallTime, WallClockZone } from './zoned-time.js';
import type { LastPassApi } from './api.js';
import { readCursor, type LastPassCursor, type LastPassPass } from './cursor.js';
import { DEFAULT_FIRST_START_BACK_MS, dedupRetainRanges, nextWindow, type TimeRange } from '../common/time-windows.js';
import { occurrenceKeys } from './event-keys.js';
import { newestUtcTime } from './newest-time.js';
import type { LastPassServiceSettings } from './settings.js';
import { validateAccess } from './validate.js';


export interface LastPassStreamOptions {
  readonly name: string;
  readonly tag: string;
  readonly settings: LastPassServiceSettings;
  readonly api: LastPassApi;
  readonly logger: Logger;
  readonly clock: Clock;
  /** "input/service", for error messages. */
  readonly where: string;
}

export class LastPassStream implements StreamPuller<LastPassCursor> {
  readonly name: string;
  readonly tag: string;
  private readonly zone: WallClockZone;
  private readonly lagMs: number;
  private readonly overlapMs: number;
  private readonly windowMs: number;
  /** The last Time converted, and its instant (pages come sorted: consecutive events often share it). */
  private lastTimeText = '';
  private lastTimeUtc: number | undefined;

  constructor(private readonly o: LastPassStreamOptions) {
    this.name = o.name;
    this.tag = o.tag;
    this.zone = new WallClockZone(o.settings.time_zone);
    this.lagMs = o.settings.lag_in_seconds * 1000;
    this.overlapMs = o.settings.overlap_in_seconds * 1000;
    this.windowMs = o.settings.backfill_window_in_seconds * 1000;
  }

  async fetchPage(position: PullPosition<LastPassCursor>, signal: AbortSignal): Promise<Page<LastPassCursor>> {
    const cursor = this.adoptZone(readCursor(position.cursor, this.o.where) ?? this.initialCursor());
    let pass = cursor.pass;
    if (!pass) {
      pass = this.planPass(cursor);
      if (!pass) {
        // Nothing new to read yet; the overlap of the last window stays remembered.
        const until = cursor.read_until;
        const dedupRetain = until === null ? [] : this.retain({ from: until, to: until, previous_to: null, next_page_key: null, boundary: null }, false);
        return { events: [], cursor, hasMore: false, requests: 0, dedupRetain };
      }
      this.o.logger.info(`Fetching all reporting event(s) having Time between ${pass.from} and ${pass.to} (${this.zone.name})`);
    }
    const page = await this.o.api.reporting({ from: pass.from, to: pass.to, next: pass.next_page_key }, signal);
    if (page.next !== null && (page.events.length === 0 || JSON.stringify(page.next) === JSON.stringify(pass.next_page_key))) {
      // Following it would ask for the same page for ever.
      throw new SiphonError(
        'PULL_MALFORMED_RESPONSE',
        `Error during API call to ${this.o.api.endpoint}: the API answered next=${JSON.stringify(page.next)} without moving on ` +
          `(${page.events.length} event(s), Time between ${pass.from} and ${pass.to})`,
        { from: pass.from, to: pass.to },
      );
    }
    const { keys, carry } = occurrenceKeys(page.events, pass.boundary);
    const lastEvent = newestUtcTime(page.events, cursor.last_event_time_in_utc, this.zone, {
      startMs: parseWall(cursor.start_time_in_utc),
      nowMs: this.o.clock.now(),
    });
    if (page.next !== null) {
      const next: LastPassPass = { ...pass, next_page_key: page.next, boundary: carry };
      return {
        events: page.events,
        keys,
        cursor: { ...cursor, last_event_time_in_utc: lastEvent, pass: next },
        hasMore: true,
        requests: page.attempts,
        dedupRetain: this.retain(pass, true),
      };
    }
    // A window shorter than the longest reached the target: caught up. A full-length one was a
    // back-fill step, and the next follows at once.
    const caughtUp = parseWall(pass.to) - parseWall(pass.from) < this.windowMs;
    if (caughtUp) this.o.logger.info('No more next_page_key values returned. Setting pull_completed to True.');
    return {
      events: page.events,
      keys,
      cursor: { ...cursor, last_event_time_in_utc: lastEvent, read_until: pass.to, pass: null },
      hasMore: !caughtUp,
      requests: page.attempts,
      dedupRetain: this.retain(pass, false),
    };
  }

  /** Keys come with each page (they depend on the page: see event-keys.ts). */
  eventKey(): string | undefined {
    return undefined;
  }

  /**
   * The Time as an instant: in a repeated autumn hour the first occurrence. A Time in the
   * future (a vendor clock error) is the framework's to judge (core/event-time.ts).
   */
  eventTime(event: VendorEvent): number | undefined {
    const time = event['Time'];
    if (typeof time !== 'string') return undefined;
    if (time !== this.lastTimeText) {
      const wall = parseWallTime(time);
      this.lastTimeText = time;
      this.lastTimeUtc = wall === undefined ? undefined : this.zone.toUtc(wall, 'earlier');
    }
    return this.lastTimeUtc;
  }

  /** The LastPass integrator's "Validate": one reporting request over the last few minutes. */
  probe(signal: AbortSignal): Promise<void> {
    return validateAccess(this.o.api, this.zone, this.o.clock.now(), signal, { service: this.name });
  }

  private initialCursor(): LastPassCursor {
    const startMs = this.o.settings.start_time_in_utc?.ms ?? this.o.clock.now() - DEFAULT_FIRST_START_BACK_MS;
    return {
      cursor_version: 1,
      start_time_in_utc: formatWallTime(startMs),
      time_zone: this.zone.name,
      last_event_time_in_utc: null,
      read_until: null,
      pass: null,
    };
  }

  /**
   * The positions are the API's own wall times, whatever zone the setting named, so a
   * corrected time_zone keeps them; it changes how far "now" reaches and how Times map to instants.
   */
  private adoptZone(cursor: LastPassCursor): LastPassCursor {
    if (cursor.time_zone === this.zone.name) return cursor;
    this.o.logger.warn(
      `time_zone changed from ${cursor.time_zone} to ${this.zone.name}: the saved position (${cursor.read_until ?? 'none'}) is kept, ` +
        'as the API reads it in the account zone; the next window is planned in the new zone',
    );
    return { ...cursor, time_zone: this.zone.name };
  }

  /** The newest wall time whose events can all be read now (see WallClockZone.settledWall). */
  private target(): number {
    return this.zone.settledWall(this.o.clock.now() - this.lagMs);
  }

  /** The next window, in the account's wall time (see time-windows.ts). */
  private planPass(cursor: LastPassCursor): LastPassPass | null {
    const start = Math.floor(this.zone.toWall(parseWall(cursor.start_time_in_utc)) / 1000) * 1000;
    const readUntil = cursor.read_until === null ? null : parseWall(cursor.read_until);
    const window = nextWindow({ readUntil, start, target: this.target(), overlapMs: this.overlapMs, maxSpanMs: this.windowMs });
    if (!window) return null;
    return { from: formatWallTime(window.from), to: formatWallTime(window.to), previous_to: cursor.read_until, next_page_key: null, boundary: null };
  }

  /** Event times (instants) the dedup memory keeps after a page of `pass`. */
  private retain(pass: LastPassPass, stillPaging: boolean): TimeRange[] {
    const window = { from: parseWall(pass.from), to: parseWall(pass.to), previousTo: pass.previous_to === null ? null : parseWall(pass.previous_to) };
    return dedupRetainRanges(window, this.overlapMs, stillPaging, (wall) => this.zone.toUtc(wall));
  }
}

/** A wall time already validated (cursor fields, the pass window). */
function parseWall(text: string): number {
  const wall = parseWallTime(text);
  if (wall === undefined) throw new SiphonError('INTERNAL', `not a wall time: ${text}`);
  return wall;
}
