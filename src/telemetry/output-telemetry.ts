// An output's delivery events turned into their log lines, metrics, the sender statistics'
// counters and the output's status.

import type { Logger, Channel } from '../core/contracts.js';
import type { EventSink, OutputEvent } from '../core/events.js';
import { SenderCounters } from '../core/sender-statistics.js';
import type { SiphonMetrics } from './metrics.js';
import { errorSummary } from './stream-health.js';
import type { ErrorSummary, OutputState, OutputStatus } from './status-types.js';

/** A failure's reason label: the kind the output named (refused, timeout...), else the error code. */
function reasonOf(details: Readonly<Record<string, unknown>>, code: string): string {
  const failure = details['failure'];
  return typeof failure === 'string' ? failure : code.toLowerCase();
}

export class OutputTelemetry implements EventSink<OutputEvent> {
  /** Messages, bytes and write time per channel, for the sender statistics. */
  readonly counters: Record<Channel, SenderCounters> = { standard: new SenderCounters(), internal: new SenderCounters() };
  /** Failed writes in a row (0 while the output takes events). */
  consecutiveFailures = 0;
  private lastError: ErrorSummary | null = null;
  private stopped = false;

  constructor(
    readonly name: string,
    readonly type: string,
    /** The output's delivery-side logger (its "SenderManager"). */
    private readonly logger: Logger,
    private readonly metrics: SiphonMetrics | undefined,
    private readonly now: () => number,
  ) {}

  emit(event: OutputEvent): void {
    const { logger, metrics, name } = this;
    switch (event.type) {
      case 'output_written':
        this.counters[event.service].add(event.events, event.bytes, event.elapsedMs);
        metrics?.outputEventsSent.inc({ output: name }, event.events);
        metrics?.outputBytesSent.inc({ output: name }, event.bytes);
        break;
      case 'output_write_failed': {
        this.consecutiveFailures += 1;
        this.lastError = errorSummary(event.error, this.now());
        metrics?.outputErrors.inc({ output: name, reason: reasonOf(event.error.details, event.error.code) });
        // One warning per failure at first, then one in ten: an outage of hours stays readable.
        if (event.attempt <= 3 || event.attempt % 10 === 0) {
          logger.warn(
            `${event.error.describe()} ${event.events} event(s) stay queued for output ${name} and are sent again in ${(event.waitMs / 1000).toFixed(1)} s ` +
              `(attempt ${event.attempt}; pulling waits while the queue is full)`,
          );
        }
        break;
      }
      case 'output_gave_up':
        this.consecutiveFailures += 1;
        this.lastError = errorSummary(event.error, this.now());
        metrics?.outputErrors.inc({ output: name, reason: reasonOf(event.error.details, event.error.code) });
        logger.error(`${event.error.describe()} Output ${name} failed ${event.attempt} time(s) in a row; giving up (nothing was acknowledged, so no checkpoint moved)`);
        break;
      case 'output_recovered':
        logger.info(`Output ${name} accepts events again after ${event.failures} failed attempt(s); delivery resumes where it stopped`);
        this.consecutiveFailures = 0;
        break;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  get state(): OutputState {
    if (this.stopped) return 'stopped';
    return this.consecutiveFailures > 0 ? 'failing' : 'healthy';
  }

  status(queued: number): OutputStatus {
    return { name: this.name, type: this.type, state: this.state, queue_events: queued, last_error: this.lastError };
  }
}
