// Fault switches: programmatic (FaultControls) and over HTTP (POST /__sim/faults), so a
// test can drive a simulator that runs in another process.

import type { ErrorShape, FaultControls } from './types.js';

/** A fault that replaces the next API response. */
export type InjectedFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number | undefined }
  | { kind: 'server-error'; status: number }
  | { kind: 'malformed'; variant: number };

export class FaultState implements FaultControls {
  private rateLimited = 0;
  private retryAfterSeconds: number | undefined;
  private serverErrors = 0;
  private serverStatus = 500;
  private malformed = 0;
  /** Malformed answers only to the events endpoints (not introspect). */
  private malformedEventsOnly = false;
  private malformedServed = 0;
  private slowMs = 0;
  private readonly revoked = new Set<string>();
  private emptyAfterHasMore = false;
  private cursorsValidFrom: number | null = null;
  private shape: ErrorShape = 'Error';

  constructor(private readonly now: () => number) {}

  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void {
    this.rateLimited = count(n, 'n');
    const after = opts?.retryAfterSeconds;
    if (after !== undefined && (!Number.isFinite(after) || after < 0)) throw new RangeError('retryAfterSeconds must be >= 0');
    this.retryAfterSeconds = after;
  }

  serverErrorNext(n: number, status = 500): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('status must be 400..599');
    this.serverErrors = count(n, 'n');
    this.serverStatus = status;
  }

  malformedNext(n: number, opts: { eventsOnly?: boolean } = {}): void {
    this.malformed = count(n, 'n');
    this.malformedEventsOnly = opts.eventsOnly ?? false;
  }

  slowResponses(ms: number): void {
    this.slowMs = count(ms, 'ms');
  }

  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  emptyPageAfterHasMore(on: boolean): void {
    this.emptyAfterHasMore = on;
  }

  rejectCursorsIssuedBefore(time: number): void {
    if (!Number.isFinite(time)) throw new RangeError('time must be ms since the epoch');
    this.cursorsValidFrom = time;
  }

  errorShape(shape: ErrorShape): void {
    if (shape !== 'Error' && shape !== 'message') throw new RangeError("shape must be 'Error' or 'message'");
    this.shape = shape;
  }

  reset(): void {
    this.rateLimited = 0;
    this.retryAfterSeconds = undefined;
    this.serverErrors = 0;
    this.serverStatus = 500;
    this.malformed = 0;
    this.malformedEventsOnly = false;
    this.malformedServed = 0;
    this.slowMs = 0;
    this.revoked.clear();
    this.emptyAfterHasMore = false;
    this.cursorsValidFrom = null;
    this.shape = 'Error';
  }

  // --- read by the server -------------------------------------------------

  /** Consumes and returns the fault for this request, if one is queued. */
  take(isEventsRequest: boolean): InjectedFault | undefined {
    if (this.rateLimited > 0) {
      this.rateLimited--;
      return { kind: 'rate-limit', retryAfterSeconds: this.retryAfterSeconds };
    }
    if (this.serverErrors > 0) {
      this.serverErrors--;
      return { kind: 'server-error', status: this.serverStatus };
    }
    if (this.malformed > 0 && (isEventsRequest || !this.malformedEventsOnly)) {
      this.malformed--;
      return { kind: 'malformed', variant: this.malformedServed++ };
    }
    return undefined;
  }

  get delayMs(): number {
    return this.slowMs;
  }

  isRevoked(token: string): boolean {
    return this.revoked.has(token);
  }

  get emptyPageQuirk(): boolean {
    return this.emptyAfterHasMore;
  }

  isCursorExpired(issuedMs: number): boolean {
    return this.cursorsValidFrom !== null && issuedMs < this.cursorsValidFrom;
  }

  get errorBodyShape(): ErrorShape {
    return this.shape;
  }

  snapshot(): Record<string, unknown> {
    return {
      rateLimitNext: this.rateLimited,
      retryAfterSeconds: this.retryAfterSeconds ?? null,
      serverErrorNext: this.serverErrors,
      serverErrorStatus: this.serverStatus,
      malformedNext: this.malformed,
      slowResponses: this.slowMs,
      revokedTokens: this.revoked.size,
      emptyPageAfterHasMore: this.emptyAfterHasMore,
      rejectCursorsIssuedBefore: this.cursorsValidFrom,
      errorShape: this.shape,
    };
  }

  /**
   * Applies a JSON body such as `{"reset":true,"rateLimitNext":{"n":2,"retryAfterSeconds":1}}`.
   * Numbers stand for `n`; `rejectCursorsIssuedBefore` also takes "now". Everything is checked
   * before anything changes; returns the problem, or undefined when applied.
   */
  applyJson(body: unknown): string | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
    const steps: Array<() => void> = [];
    const b = body as Record<string, unknown>;
    try {
      // reset first, whatever the key order, so {"reset":true,"malformedNext":1} means both.
      if (b.reset === true) steps.push(() => this.reset());
      for (const [key, value] of Object.entries(b)) steps.push(...this.stepFor(key, value));
      const check = new FaultState(this.now);
      // Dry run on a scratch instance catches range errors before touching the real state.
      for (const [key, value] of Object.entries(b)) for (const step of check.stepFor(key, value)) step();
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    for (const step of steps) step();
    return undefined;
  }

  private stepFor(key: string, value: unknown): Array<() => void> {
    const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : { n: v });
    switch (key) {
      case 'reset':
        if (typeof value !== 'boolean') throw new TypeError('reset must be true or false');
        return [];
      case 'rateLimitNext': {
        const o = obj(value);
        const after = o.retryAfterSeconds === undefined ? undefined : num(o.retryAfterSeconds, 'retryAfterSeconds');
        const n = num(o.n, 'rateLimitNext.n');
        return [() => this.rateLimitNext(n, after === undefined ? undefined : { retryAfterSeconds: after })];
      }
      case 'serverErrorNext': {
        const o = obj(value);
        const n = num(o.n, 'serverErrorNext.n');
        const status = o.status === undefined ? 500 : num(o.status, 'serverErrorNext.status');
        return [() => this.serverErrorNext(n, status)];
      }
      case 'malformedNext': {
        const n = num(obj(value).n, 'malformedNext');
        return [() => this.malformedNext(n)];
      }
      case 'slowResponses': {
        const ms = num(value, 'slowResponses');
        return [() => this.slowResponses(ms)];
      }
      case 'revokeToken': {
        const tokens = Array.isArray(value) ? value : [value];
        if (!tokens.every((t): t is string => typeof t === 'string')) throw new TypeError('revokeToken must be a string or a list of strings');
        return tokens.map((t) => () => this.revokeToken(t));
      }
      case 'emptyPageAfterHasMore':
        if (typeof value !== 'boolean') throw new TypeError('emptyPageAfterHasMore must be true or false');
        return [() => this.emptyPageAfterHasMore(value)];
      case 'rejectCursorsIssuedBefore': {
        if (value === 'now') return [() => this.rejectCursorsIssuedBefore(this.now())];
        const t = num(value, 'rejectCursorsIssuedBefore');
        return [() => this.rejectCursorsIssuedBefore(t)];
      }
      case 'errorShape':
        if (value !== 'Error' && value !== 'message') throw new TypeError("errorShape must be 'Error' or 'message'");
        return [() => this.errorShape(value)];
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }
}

function count(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return n;
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} must be a number`);
  return v;
}
