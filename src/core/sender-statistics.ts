// Sender statistics, in the words of Devo's collectors, every N minutes per output and sender
// service:
//   DevoSenderManagerMonitor(standard_senders,devo_1) -> Number of available senders: 1, sender manager internal queue size: 0
//   DevoSenderManagerMonitor(standard_senders,devo_1) -> Sender: DevoSender(standard_senders,devo_sender_0), status: {"internal_queue_size": 0, "is_connection_open": True}
//   DevoSenderManagerMonitor(standard_senders,devo_1) -> Standard - Total number of messages sent: 44, messages/bytes sent since/to "…/…": 21/9843, (elapsed 0.007 seconds)

import type { Clock, Logger, Channel } from './contracts.js';

/** Messages, bytes and time spent writing, in total and since the last report. */
export class SenderCounters {
  total = 0;
  private messages = 0;
  private bytes = 0;
  private elapsedMs = 0;

  add(messages: number, bytes: number, elapsedMs: number): void {
    this.total += messages;
    this.messages += messages;
    this.bytes += bytes;
    this.elapsedMs += elapsedMs;
  }

  /** The counts since the last call, which starts a new period. */
  takePeriod(): { messages: number; bytes: number; elapsedMs: number } {
    const period = { messages: this.messages, bytes: this.bytes, elapsedMs: this.elapsedMs };
    this.messages = 0;
    this.bytes = 0;
    this.elapsedMs = 0;
    return period;
  }
}

/** What the report needs of one output: its lane (what waits) and what its writes did (counted from its events). */
export interface SenderStatisticsSource {
  readonly lane: {
    readonly outputName: string;
    readonly outputType: string;
    carries(service: Channel): boolean;
    queued(service: Channel): number;
  };
  readonly written: {
    /** Failed writes in a row (0 while the output accepts events). */
    readonly consecutiveFailures: number;
    readonly counters: Readonly<Record<Channel, SenderCounters>>;
  };
}

const SERVICE_LABEL: Record<Channel, string> = { standard: 'Standard', internal: 'Internal' };

/** "devo_platform" -> "Devo", "syslog" -> "Syslog": the prefix Devo's collectors print. */
export function senderTypeName(outputType: string): string {
  const base = outputType === 'devo_platform' ? 'devo' : outputType;
  const name = base.replace(/(^|_)([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
  return name.length > 0 ? name : 'Output';
}

/** "devo_platform" -> "devo_sender_0": the one sender of an output, named as Devo's collectors name theirs. */
function senderInstanceName(outputType: string): string {
  return `${outputType === 'devo_platform' ? 'devo' : outputType}_sender_0`;
}

/** "2024-06-24T03:05:34.119+00:00", as the seeds print times in these lines. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export class SenderStatisticsReporter {
  private periodStart: number;

  constructor(
    private readonly sources: readonly SenderStatisticsSource[],
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.periodStart = clock.now();
  }

  /** Logs one report for every output and channel it carries, and starts a new period. */
  report(): void {
    const now = this.clock.now();
    for (const { lane, written } of this.sources) {
      for (const service of ['standard', 'internal'] as const) {
        if (!lane.carries(service)) continue;
        const counters = written.counters[service];
        const period = counters.takePeriod();
        const typeName = senderTypeName(lane.outputType);
        const log = this.logger.child({ module: `${typeName}SenderManagerMonitor(${service}_senders,${lane.outputName})` });
        const queued = lane.queued(service);
        log.info(`Number of available senders: 1, sender manager internal queue size: ${queued}`);
        // "is_connection_open" answers what an alert on it asks: does the output take events now?
        const accepting = written.consecutiveFailures === 0 ? 'True' : 'False';
        log.info(
          `Sender: ${typeName}Sender(${service}_senders,${senderInstanceName(lane.outputType)}), ` +
            `status: {"internal_queue_size": ${queued}, "is_connection_open": ${accepting}}`,
        );
        log.info(
          `${SERVICE_LABEL[service]} - Total number of messages sent: ${counters.total}, ` +
            `messages/bytes sent since/to "${stamp(this.periodStart)}/${stamp(now)}": ${period.messages}/${period.bytes}, ` +
            `(elapsed ${(period.elapsedMs / 1000).toFixed(3)} seconds)`,
        );
      }
    }
    this.periodStart = now;
  }

  /** Reports every `intervalMs` until `signal` aborts (0: never). */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    if (intervalMs <= 0) return;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
      this.report();
    }
  }
}
