// Test helpers for the HTTP module: a fake clock, a capturing logger, real local servers.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, LogContext, Logger, LogLevel } from '../../src/core/contracts.js';
import type { HttpSettings } from '../../src/config/fields.js';

/** Lets pending promise callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** A clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private t = 1_700_000_000_000) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time to `t` (never backwards through timers), firing due timers in order. */
  async advanceTo(target: number): Promise<void> {
    await flush();
    for (;;) {
      const next = this.nextTimer();
      if (next === undefined || next.at > target) break;
      this.fire(next);
      await flush();
    }
    this.t = Math.max(this.t, target);
    await flush();
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.t + ms);
  }

  /** Fires timers until none are left. */
  async runAll(maxSteps = 100_000): Promise<void> {
    await flush();
    for (let i = 0; i < maxSteps; i++) {
      const next = this.nextTimer();
      if (next === undefined) return;
      this.fire(next);
      await flush();
    }
    throw new Error('FakeClock.runAll: too many steps');
  }

  /** Steps the wall clock without firing timers (an NTP correction). */
  jump(ms: number): void {
    this.t += ms;
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.resolve();
  }
}

export interface LogLine {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** Implements the Logger contract and keeps every line for assertions. */
export class CapturingLogger implements Logger {
  constructor(readonly lines: LogLine[] = []) {}
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', msg, fields });
  }
  child(_context: LogContext): Logger {
    return new CapturingLogger(this.lines);
  }
  isDebugEnabled(): boolean {
    return true;
  }
  /** Everything logged, as one string, for "never contains" checks. */
  text(): string {
    return JSON.stringify(this.lines);
  }
}

export interface SeenRequest {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0. `handler` gets the 0-based request index. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, index: number, body: string) => void): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = seen.length;
      seen.push({ at, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, index, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function fastSettings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    connect_timeout_seconds: 2,
    response_timeout_seconds: 5,
    request_timeout_seconds: 30,
    max_retries: 3,
    backoff_base_seconds: 0.01,
    backoff_max_seconds: 0.05,
    max_body_megabytes: 1,
    ...overrides,
  };
}
