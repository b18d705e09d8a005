// An input's events (its HTTP requests, its setup) turned into their log lines and metrics;
// a throttled request also tells the stream it was made for.

import type { Logger } from '../core/contracts.js';
import type { EventSink, InputEvent } from '../core/events.js';
import type { SiphonError } from '../core/errors.js';
import type { SiphonMetrics } from './metrics.js';
import type { StreamTelemetry } from './stream-telemetry.js';

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 0);
}

export class InputTelemetry implements EventSink<InputEvent> {
  /** The last setup failure, until setup succeeds (a reason the collector is not ready). */
  setupError: SiphonError | undefined;

  constructor(
    readonly name: string,
    /** The logger of the input's HTTP client: retries are said as its lines. */
    private readonly httpLogger: Logger,
    private readonly metrics: SiphonMetrics | undefined,
  ) {}

  /** The input's streams, by service name: a throttled request tells its stream. */
  private readonly streams = new Map<string, StreamTelemetry>();

  addStream(stream: StreamTelemetry): void {
    this.streams.set(stream.info.service, stream);
  }

  emit(event: InputEvent): void {
    const { metrics, httpLogger: logger, name: input } = this;
    switch (event.type) {
      case 'request_answered': {
        const service = event.service ?? '';
        metrics?.requests.inc({ input, service, status: String(event.status) });
        metrics?.requestDuration.observe({ input, service }, event.durationMs / 1000);
        break;
      }
      case 'request_retry': {
        const { operation, attempt, maxAttempts, delayMs } = event;
        if (event.status === undefined) {
          logger.warn(`${operation} failed (attempt ${attempt}/${maxAttempts}): ${event.reason ?? 'unknown'}; retrying in ${seconds(delayMs)} s`, {
            operation,
            attempt,
            maxAttempts,
            delayMs,
            error: event.reason,
          });
        } else {
          logger.warn(
            `${operation} answered HTTP ${event.status}${event.rateLimited ? ' (rate limited)' : ''} (attempt ${attempt}/${maxAttempts}); retrying in ${seconds(delayMs)} s`,
            { operation, status: event.status, attempt, maxAttempts, delayMs, rateLimited: event.rateLimited },
          );
        }
        break;
      }
      case 'request_gave_up':
        logger.debug(`${event.operation} answered HTTP ${event.status} after ${event.attempts} attempts; giving up`, {
          operation: event.operation,
          status: event.status,
          attempts: event.attempts,
        });
        break;
      case 'throttled':
        metrics?.throttled.inc({ input });
        if (event.service !== undefined) this.streams.get(event.service)?.throttled();
        break;
      case 'token_renewed':
        metrics?.tokenRenewals.inc({ input });
        if (logger.isDebugEnabled()) logger.debug(`${event.operation}: a new access token was obtained`);
        break;
      case 'setup_succeeded':
        this.setupError = undefined;
        break;
      case 'setup_failed':
        this.setupError = event.error;
        for (const stream of this.streams.values()) stream.setupFailed(event.error);
        break;
    }
  }
}
