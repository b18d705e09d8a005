// One stream's events turned into their log lines (the seeds' wording, unchanged), their
// metrics and the stream's status, in one place (see core/events.ts).

import type { Clock, Logger } from '../core/contracts.js';
import type { SiphonError } from '../core/errors.js';
import type { EventSink, StreamEvent } from '../core/events.js';
import { describeEventTime } from '../core/event-time.js';
import type { SiphonMetrics } from './metrics.js';
import { BackfillTracker } from './backfill.js';
import { describeDuration, StreamHealth } from './stream-health.js';
import type { StreamState, StreamStatus } from './status-types.js';

export interface StreamInfo {
  input: string;
  service: string;
  /** The connector type. */
  type: string;
  tag: string;
  periodSeconds: number;
  /** no_events_alarm_in_seconds (0: off). */
  alarmSeconds: number;
  /** The configured start time (ms), or null. */
  startMs: number | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class StreamTelemetry implements EventSink<StreamEvent> {
  readonly health: StreamHealth;
  private readonly backfill: BackfillTracker;
  private readonly labels: { input: string; service: string };
  private state: StreamState = 'starting';
  private message = 'Waiting for the first page';
  private eventsDelivered = 0;
  private newestEventTime: number | null = null;
  private checkpointAt: number | null = null;
  private nextPollAt: number | null = null;

  constructor(
    readonly info: StreamInfo,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly metrics: SiphonMetrics | undefined,
    private readonly startedAt: number,
  ) {
    this.labels = { input: info.input, service: info.service };
    this.health = new StreamHealth({ periodMs: info.periodSeconds * 1000, alarmMs: info.alarmSeconds * 1000 }, startedAt);
    this.backfill = new BackfillTracker(info.startMs, logger);
    metrics?.setState(info.input, info.service, this.state);
  }

  emit(event: StreamEvent): void {
    const { logger, metrics, labels, health, clock } = this;
    const now = clock.now();
    switch (event.type) {
      case 'state_loaded':
        this.eventsDelivered = event.eventsDelivered;
        this.newestEventTime = event.newestEventTime;
        this.checkpointAt = event.checkpointAt;
        this.backfill.resumeFrom(event.newestEventTime);
        if (event.newestEventTime !== null) metrics?.lastEvent.set(labels, event.newestEventTime / 1000);
        break;
      case 'pull_started':
        logger.info('Pull Started');
        break;
      case 'page_fetched':
        health.pageFetched();
        metrics?.eventsReceived.inc(labels, event.events);
        break;
      case 'page_prepared':
        if (event.duplicates > 0) metrics?.eventsDuplicates.inc(labels, event.duplicates);
        if (event.obfuscatedFields > 0) metrics?.eventsObfuscatedFields.inc(labels, event.obfuscatedFields);
        break;
      case 'implausible_time':
        metrics?.eventsImplausibleTime.inc(labels);
        if (event.first) {
          logger.warn(
            `Event ${event.key ?? '(without an id)'} has an implausible time ${describeEventTime(event.time)} (${event.limit}): it is delivered, ` +
              'but its time moves no position (newest event time, cursor, dedup memory). Further such events of this stream are only ' +
              'counted ("Number of events with an implausible time" in the cycle statistics)',
            { key: event.key ?? null, time: event.time },
          );
        }
        break;
      case 'unserializable_event':
        metrics?.eventsUnserializable.inc(labels);
        logger.warn(
          `Event ${event.key ?? '(without an id)'} could not be serialised: ${event.reason}. It is delivered as a "siphon_unserializable_event" ` +
            'record with its id and time, so the original can be fetched from the vendor; the stream goes on',
          { key: event.key ?? null },
        );
        break;
      case 'recovery_skipped':
        logger.warn(
          `${event.records} event(s) of this page had reached an output before the last stop ` +
            'without being committed (the process ended between delivery and checkpoint); they are not sent to that output again',
        );
        break;
      case 'page_committed':
        this.eventsDelivered = event.eventsDelivered;
        this.checkpointAt = event.at;
        if (event.delivered > 0) {
          metrics?.eventsDelivered.inc(labels, event.delivered);
          health.eventsArrived(now);
        }
        if (event.newestEventTime !== null) {
          this.newestEventTime = event.newestEventTime;
          metrics?.lastEvent.set(labels, event.newestEventTime / 1000);
        }
        if (health.backfilling) this.backfill.progress(this.newestEventTime, now);
        break;
      case 'partial':
        if (logger.isDebugEnabled()) logger.debug(`(Partial) ${event.stats.describe(now)}`);
        break;
      case 'cycle_completed':
        logger.info(event.stats.describe(now));
        if (event.stats.caughtUp) logger.info('The data is up to date!');
        health.succeeded(now, event.stats.caughtUp);
        metrics?.lastSuccess.set(labels, now / 1000);
        if (event.waitMs !== undefined) {
          this.nextPollAt = now + event.waitMs;
          logger.info(
            `Data collection completed. Elapsed time: ${(event.elapsedMs / 1000).toFixed(3)} seconds. ` +
              `Waiting for ${(event.waitMs / 1000).toFixed(3)} second(s) until the next one`,
          );
        }
        break;
      case 'cycle_failed':
        health.failed(event.error, now);
        if (event.waitMs !== undefined) {
          this.nextPollAt = now + event.waitMs;
          logger.error(
            `${event.error.describe()} The checkpoint did not move; retrying in ${(event.waitMs / 1000).toFixed(0)} second(s) ` +
              `(consecutive failures: ${event.consecutive})`,
            event.error.details,
          );
        }
        break;
      case 'stopped':
        health.stop();
        this.nextPollAt = null;
        break;
    }
    this.judge(now);
  }

  /** The vendor throttled a request of this stream. */
  throttled(): void {
    this.health.throttled(this.clock.now());
    this.judge(this.clock.now());
  }

  /** Its input's setup failed: the stream cannot pull, and says why (a cluster replica keeps trying it). */
  setupFailed(error: SiphonError): void {
    const now = this.clock.now();
    this.health.failed(error, now);
    this.judge(now);
  }

  /** Re-judges the state (time alone can make a stream stale or failed); logs a change worth telling. */
  judge(now: number): void {
    const verdict = this.health.judge(now, this.startedAt);
    this.message = verdict.message;
    if (verdict.state === this.state) return;
    const before = this.state;
    this.state = verdict.state;
    this.metrics?.setState(this.info.input, this.info.service, verdict.state);
    this.logChange(before, verdict.state, now);
  }

  /** Starting, back-filling and healthy come and go quietly; trouble and recovery from it are said. */
  private logChange(before: StreamState, after: StreamState, now: number): void {
    const quiet: ReadonlySet<StreamState> = new Set(['starting', 'backfilling', 'healthy', 'stopped']);
    if (after === 'stale') {
      this.logger.warn(`No new event for ${describeDuration(now - this.health.lastArrival)}: the stream is stale (pulls succeed, but bring nothing new). ${this.message}`);
    } else if (before === 'stale') {
      this.logger.info(`New events arrived: the stream is no longer stale (now ${after})`);
    } else if (!quiet.has(after)) {
      const log = after === 'throttled' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger);
      log(`Stream state: ${before} -> ${after}. ${this.message}`);
    } else if (!quiet.has(before)) {
      this.logger.info(`Stream state: ${before} -> ${after}. ${this.message}`);
    }
  }

  /** Seconds since the newest delivered event, and since the checkpoint (for the scrape-time gauges). */
  ages(now: number): { lagSeconds: number | null; checkpointAgeSeconds: number | null } {
    return {
      lagSeconds: this.newestEventTime === null ? null : Math.max(0, (now - this.newestEventTime) / 1000),
      checkpointAgeSeconds: this.checkpointAt === null ? null : Math.max(0, (now - this.checkpointAt) / 1000),
    };
  }

  get currentState(): StreamState {
    return this.state;
  }

  status(now: number): StreamStatus {
    const { lagSeconds } = this.ages(now);
    return {
      input: this.info.input,
      service: this.info.service,
      type: this.info.type,
      tag: this.info.tag,
      state: this.state,
      message: this.message,
      last_success_at: iso(this.health.lastSuccess),
      last_event_at: iso(this.newestEventTime),
      last_error: this.health.lastError,
      events_delivered: this.eventsDelivered,
      lag_seconds: lagSeconds === null ? null : Math.round(lagSeconds),
      checkpoint_at: iso(this.checkpointAt),
      next_poll_at: iso(this.nextPollAt),
      backfill: this.health.backfilling ? this.backfill.snapshot(this.newestEventTime, now) : null,
    };
  }
}
