// The logger. Text lines keep the Devo collectors' shape, so operators' habits and
// alerts still work:
//   2023-07-29T20:42:44.401 INFO InputProcess::OnePasswordPuller(onepassword,10001,audit) -> The data is up to date!
// `--log-format json` prints one JSON object per line instead. Every line goes through
// the Redactor before it is written: secrets never reach a log.

import type { LogContext, LogLevel, Logger } from '../core/contracts.js';
import { redactAll, type Redactor } from '../core/redact.js';

export type LogFormat = 'text' | 'json';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TEXT_LEVEL: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** Where lines go; tests pass an array-backed sink. */
export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  format: LogFormat;
  level: LogLevel;
  redactor: Redactor;
  sink?: LogSink;
  now?: () => number;
  /** Observers of every record at or above `level` (the internal channel). */
  listeners?: Array<(record: LogRecord) => void>;
}

export interface LogRecord {
  time: number;
  level: LogLevel;
  msg: string;
  context: LogContext;
  fields: Record<string, unknown>;
}

const stderrSink: LogSink = { write: (line) => void process.stderr.write(line) };

/** Local ISO time without the zone, like the seeds show (UTC here). */
function textTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

function describeContext(ctx: LogContext): string {
  const module = ctx.module ?? 'MainThread';
  const process = ctx.input ? 'InputProcess' : 'MainProcess';
  const parts = [ctx.input, ctx.inputId, ctx.service].filter((p) => p !== undefined && p !== '');
  return parts.length > 0 ? `${process}::${module}(${parts.join(',')})` : `${process}::${module}`;
}

function stringifyFields(fields: Record<string, unknown>): string {
  const keys = Object.keys(fields);
  if (keys.length === 0) return '';
  return ` ${JSON.stringify(fields, errorReplacer)}`;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

class SiphonLogger implements Logger {
  constructor(
    private readonly options: LoggerOptions,
    private readonly context: LogContext,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  child(context: LogContext): Logger {
    return new SiphonLogger(this.options, { ...this.context, ...context });
  }

  isDebugEnabled(): boolean {
    return LEVEL_RANK[this.options.level] <= LEVEL_RANK.debug;
  }

  private log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.options.level]) return;
    const time = (this.options.now ?? Date.now)();
    const raw =
      this.options.format === 'json'
        ? JSON.stringify(
            {
              time: new Date(time).toISOString(),
              level,
              ...this.context,
              msg,
              ...fields,
            },
            errorReplacer,
          )
        : `${textTime(time)} ${TEXT_LEVEL[level]} ${describeContext(this.context)} -> ${msg}${stringifyFields(fields)}`;
    const line = redactAll(raw, this.options.redactor);
    (this.options.sink ?? stderrSink).write(`${line}\n`);
    const listeners = this.options.listeners;
    if (listeners && listeners.length > 0) {
      const record: LogRecord = {
        time,
        level,
        msg: this.options.redactor.redact(msg),
        context: { ...this.context },
        fields,
      };
      for (const listener of listeners) listener(record);
    }
  }
}

export function createLogger(options: LoggerOptions, context: LogContext = {}): Logger {
  return new SiphonLogger(options, context);
}

/** Collects lines in memory: for tests. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line.replace(/\n$/, ''));
  }
}
