// The internal channel (Devo's "internal sender service"): Siphon's own log records at info and above, delivered to the
// outputs that carry `internal`, shaped as Devo's collectors shape theirs:
//   tag devo.collectors.out.local.info
//   {"msg": "Pull Started", "time": "2024-06-24T02:45:25.789Z", "level": "info", "collector_name": "lark_collector",
//    "collector_version": "1.0.0", "input_name": "lark", "service_name": "audit_infos", "module_name": "LarkBasePuller"}
// They never hold up pulling: when the queue is full they wait in a small buffer, and past
// its bound the oldest are dropped (and counted), since they are logs, not customer events.

import type { Clock, LogContext, LogLevel, OutputRecord } from './contracts.js';

export interface InternalLogRecord {
  readonly time: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly context: LogContext;
}

export interface InternalRecordsOptions {
  readonly collectorName: string;
  readonly collectorVersion: string;
  /** Offers records to the delivery queue; false when it has no room. */
  readonly offer: (records: readonly OutputRecord[]) => boolean;
  readonly clock: Clock;
  /** Records kept while the queue is full. */
  readonly maxBuffered?: number;
  /** How often buffered records are offered. */
  readonly flushIntervalMs?: number;
}

const LEVEL_NAME: Record<LogLevel, string> = { debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

export class InternalRecords {
  private buffer: OutputRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Records dropped because the buffer was full (the queue had no room for too long). */
  dropped = 0;

  constructor(private readonly o: InternalRecordsOptions) {}

  /** The logger listener: keeps info and above. */
  readonly listener = (record: InternalLogRecord): void => {
    if (record.level === 'debug') return;
    this.buffer.push(this.toOutputRecord(record));
    const max = this.o.maxBuffered ?? 2_000;
    if (this.buffer.length > max) {
      const excess = this.buffer.length - max;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  };

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.o.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Offers what is buffered; keeps it when the queue has no room. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const records = this.buffer;
    if (this.o.offer(records)) this.buffer = [];
  }

  /** Stops the timer; returns whether there was anything to send (false when never started: `siphon check`). */
  stop(): boolean {
    if (!this.timer) return false;
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    return true;
  }

  private toOutputRecord(record: InternalLogRecord): OutputRecord {
    const level = LEVEL_NAME[record.level];
    const event = {
      msg: record.msg,
      time: new Date(record.time).toISOString(),
      level,
      collector_name: this.o.collectorName,
      collector_version: this.o.collectorVersion,
      input_name: record.context.input ?? null,
      service_name: record.context.service ?? null,
      module_name: record.context.module ?? 'MainThread',
    };
    return {
      tag: `devo.collectors.out.local.${level}`,
      input: record.context.input ?? '',
      service: record.context.service ?? '',
      event,
      eventJson: JSON.stringify(event),
    };
  }
}
