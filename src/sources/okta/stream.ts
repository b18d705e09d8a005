// The Okta `system_log` stream: polling requests, as Okta recommends for exporting the log.
// The first request asks for everything written since the start time; afterwards the stream
// follows Okta's `next` links, and the last one is the saved position. Polling requests filter
// on when Okta wrote an event, not on its `published` time, so an event written late is still
// served after the ones before it: the next link never skips it. An empty page means caught
// up; its next link (the same position) is where the next cycle resumes. The framework owns
// state; this only turns a saved position into the next page.

import type { Clock, Logger, Page, PullPosition, StreamPuller, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { excerpt, type Redactor } from '../../core/redact.js';
import { parseVendorTimestamp } from '../../core/time.js';
import { DEFAULT_FIRST_START_BACK_MS } from '../common/time-windows.js';
import { CursorRejectedError, type OktaApi } from './api.js';
import { ForeignLinkError, LOGS_PATH, readOktaCursor, sameOrgLogsLink, withLimit, type OktaCursor } from './cursor.js';

/** Okta keeps the System Log for 90 days: a start before that is moved to it. */
export const RETENTION_MS = 90 * 86_400_000;

export interface SystemLogStreamOptions {
  readonly name: string;
  readonly tag: string;
  readonly oktaUrl: string;
  readonly pageSize: number;
  /** Configured start (ms), or undefined for a day before the first pull. */
  readonly startMs: number | undefined;
  readonly api: OktaApi;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly redactor: Redactor;
  /** `input/stream`, for messages about the saved position. */
  readonly where: string;
}

export class SystemLogStream implements StreamPuller<OktaCursor> {
  readonly name: string;
  readonly tag: string;

  constructor(private readonly o: SystemLogStreamOptions) {
    this.name = o.name;
    this.tag = o.tag;
  }

  async fetchPage(position: PullPosition<OktaCursor>, signal: AbortSignal): Promise<Page<OktaCursor>> {
    const cursor = readOktaCursor(position.cursor, this.o.where);
    if (cursor === null) return this.since(this.o.startMs ?? this.o.clock.now() - DEFAULT_FIRST_START_BACK_MS, signal, 0);
    try {
      return await this.follow(withLimit(cursor.next, this.o.pageSize), signal, 0);
    } catch (err) {
      if (!(err instanceof CursorRejectedError)) throw err;
      // A lost cursor: ask again for everything written since the newest delivered event
      // was published (nothing undelivered was written before it); the dedup memory drops
      // what was already delivered.
      const newest = position.newestEventTime;
      const from = newest ?? this.o.startMs ?? this.o.clock.now() - DEFAULT_FIRST_START_BACK_MS;
      const what = newest === null ? 'the start: nothing was delivered yet' : 'the newest delivered event';
      this.o.logger.warn(`${err.message}. Restarting the stream from ${new Date(from).toISOString()} (${what}); already delivered events are filtered out`);
      return this.since(from, signal, 1);
    }
  }

  eventKey(event: VendorEvent): string | undefined {
    const uuid = event['uuid'];
    return typeof uuid === 'string' && uuid.length > 0 ? uuid : undefined;
  }

  eventTime(event: VendorEvent): number | undefined {
    return parseVendorTimestamp(event['published']);
  }

  /** One event of the last minute: proves the org answers this credential and lets it read the log. */
  async probe(signal: AbortSignal): Promise<void> {
    await this.o.api.logs(this.sinceQuery(this.o.clock.now() - 60_000, 1), signal, 'setup');
  }

  /** A polling request from `fromMs` (a persistence time), kept within Okta's retention. */
  private since(fromMs: number, signal: AbortSignal, previousRequests: number): Promise<Page<OktaCursor>> {
    const oldest = this.o.clock.now() - RETENTION_MS;
    let from = fromMs;
    if (from < oldest) {
      from = oldest;
      this.o.logger.warn(`${new Date(fromMs).toISOString()} is older than the 90 days Okta keeps its System Log: starting from ${new Date(from).toISOString()} instead`);
    }
    this.o.logger.debug(`Starting a polling request from ${new Date(from).toISOString()}`);
    return this.follow(this.sinceQuery(from, this.o.pageSize), signal, previousRequests);
  }

  private sinceQuery(fromMs: number, limit: number): string {
    return `${LOGS_PATH}?${new URLSearchParams({ since: new Date(fromMs).toISOString(), sortOrder: 'ASCENDING', limit: String(limit) }).toString()}`;
  }

  private async follow(pathAndQuery: string, signal: AbortSignal, previousRequests: number): Promise<Page<OktaCursor>> {
    const page = await this.o.api.logs(pathAndQuery, signal, 'pull');
    const operation = `GET ${LOGS_PATH}`;
    if (page.next === undefined) {
      // A polling request always has one (also on an empty page): without it there is no
      // telling where to resume, so the page is not delivered and the stream retries.
      throw new SiphonError('PULL_MALFORMED_RESPONSE', `${operation} answered without a Link header rel="next", which Okta always sends to a polling request: is a proxy removing it?`, { operation });
    }
    const next = sameOrgLogsLink(page.next, this.o.oktaUrl);
    if (next === undefined) throw new ForeignLinkError(operation, this.shown(page.next), this.o.oktaUrl);
    return { events: page.events, cursor: { cursor_version: 1, next }, hasMore: page.events.length > 0, requests: previousRequests + page.attempts };
  }

  /** Where a refused link points (scheme, host, path), for the message. */
  private shown(link: string): string {
    let text = link;
    try {
      const url = new URL(link, this.o.oktaUrl);
      text = `${url.origin}${url.pathname}`;
    } catch {
      // Not a URL: quoted as it is, redacted and cut.
    }
    return excerpt(text, this.o.redactor, { maxChars: 120 });
  }
}
