// One 1Password event stream (audit, item_usage or sign_in_attempts): the cursor logic.
// The framework owns state; this only turns a saved position into the next page.

import type { Clock, Logger, Page, PullPosition, StreamPuller, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { parseVendorTimestamp, toRfc3339Seconds } from '../../core/time.js';
import { CursorRejectedError, type OnePasswordApi } from './api.js';

/** The API keeps 120 days of history; a stream with no start setting begins there. */
const HISTORY_MS = 120 * 24 * 3600 * 1000;

export interface OnePasswordStreamOptions {
  name: string;
  tag: string;
  endpoint: string;
  pageSize: number;
  /** Configured start (ms), or undefined for the start of the 120-day history. */
  startMs: number | undefined;
  api: OnePasswordApi;
  logger: Logger;
  clock: Clock;
}

export class OnePasswordStream implements StreamPuller<string> {
  readonly name: string;
  readonly tag: string;

  constructor(private readonly o: OnePasswordStreamOptions) {
    this.name = o.name;
    this.tag = o.tag;
  }

  async fetchPage(position: PullPosition<string>, signal: AbortSignal): Promise<Page<string>> {
    if (position.cursor === null) return this.reset(this.initialStart(), signal, 0);
    try {
      const { page, attempts } = await this.o.api.events(this.o.endpoint, { cursor: position.cursor }, signal);
      return { events: page.items, cursor: page.cursor, hasMore: page.has_more, requests: attempts };
    } catch (err) {
      if (!(err instanceof CursorRejectedError)) throw err;
      // A lost cursor: start again at the newest delivered event's second (start_time is
      // inclusive); the dedup memory drops what was already delivered.
      const from = position.newestEventTime ?? this.initialStart();
      this.o.logger.warn(
        `${err.message}. Restarting the stream from ${toRfc3339Seconds(from)} (the newest delivered event); already delivered events are filtered out`,
      );
      return this.reset(from, signal, 1);
    }
  }

  eventKey(event: VendorEvent): string | undefined {
    const uuid = event['uuid'];
    return typeof uuid === 'string' && uuid.length > 0 ? uuid : undefined;
  }

  eventTime(event: VendorEvent): number | undefined {
    return parseVendorTimestamp(event['timestamp']);
  }

  /** One small ResetCursor request over the last minute: proves the endpoint answers this token. */
  async probe(signal: AbortSignal): Promise<void> {
    try {
      await this.o.api.events(this.o.endpoint, { limit: 1, start_time: toRfc3339Seconds(this.o.clock.now() - 60_000) }, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const reason = err instanceof SiphonError ? err.message : String(err);
      const code = err instanceof SiphonError && err.code === 'PULL_AUTH_LOST' ? 'SETUP_FEATURE_MISSING' : 'SETUP_NOT_PULLABLE';
      throw new SiphonError(code, `Failed to fetch data from /${this.o.endpoint}. Source is not pullable: ${reason}`, { service: this.name });
    }
  }

  private initialStart(): number {
    return this.o.startMs ?? this.o.clock.now() - HISTORY_MS;
  }

  private async reset(fromMs: number, signal: AbortSignal, previousRequests: number): Promise<Page<string>> {
    const body = { limit: this.o.pageSize, start_time: toRfc3339Seconds(fromMs) };
    this.o.logger.debug(`Starting a new cursor from ${body.start_time}`);
    const { page, attempts } = await this.o.api.events(this.o.endpoint, body, signal);
    return { events: page.items, cursor: page.cursor, hasMore: page.has_more, requests: previousRequests + attempts };
  }
}
