// The faults every simulator queues for "the next n requests" (429, 5xx, a malformed 200)
// and the slow-response delay: their checks, the order they are served in, their snapshot
// and the JSON body of POST /__sim/faults. Each simulator's FaultState extends FaultQueue
// with its vendor's own switches (ownStep), so both accept these switches the same way.

/** A queued fault that replaces the next API answer. */
export type QueuedFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number | undefined }
  | { kind: 'server-error'; status: number }
  | { kind: 'malformed'; variant: number };

/** Applies one switch of a JSON body; built only once the switch's value has been checked. */
export type FaultStep = () => void;

export interface FaultQueueOptions {
  /** Malformed variants keep rotating across reset() instead of starting again at the first. */
  readonly variantsSurviveReset?: boolean;
  /** In JSON, `rateLimitNext.retryAfterSeconds` must be whole seconds (direct calls take fractions). */
  readonly wholeRetryAfterSeconds?: boolean;
}

export abstract class FaultQueue {
  private rateLimited = 0;
  private retryAfterSeconds: number | undefined;
  private serverErrors = 0;
  private serverStatus = 500;
  private malformed = 0;
  /** Malformed answers served so far: picks the variant, so successive ones differ. */
  private malformedServed = 0;
  private slowMs = 0;

  constructor(private readonly options: FaultQueueOptions = {}) {}

  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void {
    const count = wholeCount(n, 'rateLimitNext n');
    const after = opts?.retryAfterSeconds;
    if (after !== undefined && (!Number.isFinite(after) || after < 0)) throw new RangeError('retryAfterSeconds must be >= 0');
    this.rateLimited = count;
    this.retryAfterSeconds = after;
  }

  serverErrorNext(n: number, status = 500): void {
    if (!isErrorStatus(status)) throw new RangeError('serverErrorNext status must be 400..599');
    this.serverErrors = wholeCount(n, 'serverErrorNext n');
    this.serverStatus = status;
  }

  malformedNext(n: number): void {
    this.malformed = wholeCount(n, 'malformedNext n');
  }

  slowResponses(ms: number): void {
    this.slowMs = wholeCount(ms, 'slowResponses ms');
  }

  reset(): void {
    this.rateLimited = 0;
    this.retryAfterSeconds = undefined;
    this.serverErrors = 0;
    this.serverStatus = 500;
    this.malformed = 0;
    if (this.options.variantsSurviveReset !== true) this.malformedServed = 0;
    this.slowMs = 0;
  }

  get delayMs(): number {
    return this.slowMs;
  }

  snapshot(): Record<string, unknown> {
    return {
      rateLimitNext: this.rateLimited,
      retryAfterSeconds: this.retryAfterSeconds ?? null,
      serverErrorNext: this.serverErrors,
      serverErrorStatus: this.serverStatus,
      malformedNext: this.malformed,
      slowResponses: this.slowMs,
    };
  }

  /**
   * Applies a JSON body such as `{"reset":true,"rateLimitNext":{"n":2,"retryAfterSeconds":1}}`.
   * A bare number stands for `n`. Every switch is checked before anything changes, so a bad
   * body changes nothing; returns the problem, or undefined when applied.
   */
  applyJson(body: unknown): string | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
    const b = body as Record<string, unknown>;
    const steps: FaultStep[] = [];
    try {
      // reset first, whatever the key order, so {"reset":true,"malformedNext":1} means both.
      if (b.reset === true) steps.push(() => this.reset());
      for (const [key, value] of Object.entries(b)) {
        const step = this.stepFor(key, value);
        if (step) steps.push(step);
      }
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    for (const step of steps) step();
    return undefined;
  }

  /**
   * A vendor switch of a JSON body: checks the value fully (so applying cannot throw) and
   * returns what applies it, or undefined when there is nothing to do; throws for a bad value
   * or an unknown key.
   */
  protected abstract ownStep(key: string, value: unknown): FaultStep | undefined;

  /** Consumes a queued 429 or, when none is left, a queued 5xx. */
  protected takeTransportError(): QueuedFault | undefined {
    if (this.rateLimited > 0) {
      this.rateLimited--;
      return { kind: 'rate-limit', retryAfterSeconds: this.retryAfterSeconds };
    }
    if (this.serverErrors > 0) {
      this.serverErrors--;
      return { kind: 'server-error', status: this.serverStatus };
    }
    return undefined;
  }

  /** Consumes a queued malformed answer. Vendors call it after their own faults, if any. */
  protected takeMalformed(): QueuedFault | undefined {
    if (this.malformed <= 0) return undefined;
    this.malformed--;
    return { kind: 'malformed', variant: this.malformedServed++ };
  }

  // Steps call the public methods, so a vendor's override (1Password's malformedNext) applies
  // to JSON exactly as to a direct call.
  private stepFor(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'reset':
        jsonBool(value, 'reset');
        return undefined;
      case 'rateLimitNext': {
        const o = switchFields(value);
        const n = jsonCount(o.n, 'rateLimitNext.n');
        const after = o.retryAfterSeconds === undefined ? undefined : this.jsonRetryAfter(o.retryAfterSeconds);
        return () => this.rateLimitNext(n, after === undefined ? undefined : { retryAfterSeconds: after });
      }
      case 'serverErrorNext': {
        const o = switchFields(value);
        const n = jsonCount(o.n, 'serverErrorNext.n');
        const status = o.status === undefined ? 500 : jsonNumber(o.status, 'serverErrorNext.status');
        if (!isErrorStatus(status)) throw new RangeError('serverErrorNext.status must be 400..599');
        return () => this.serverErrorNext(n, status);
      }
      case 'malformedNext': {
        const n = jsonCount(switchFields(value).n, 'malformedNext');
        return () => this.malformedNext(n);
      }
      case 'slowResponses': {
        const ms = jsonCount(value, 'slowResponses');
        return () => this.slowResponses(ms);
      }
      default:
        return this.ownStep(key, value);
    }
  }

  private jsonRetryAfter(v: unknown): number {
    const name = 'rateLimitNext.retryAfterSeconds';
    if (this.options.wholeRetryAfterSeconds === true) return jsonCount(v, name);
    const after = jsonNumber(v, name);
    if (after < 0) throw new RangeError(`${name} must be >= 0`);
    return after;
  }
}

/** A counted switch's value as fields: a bare number stands for `{"n": number}`. */
export function switchFields(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { n: value };
}

export function wholeCount(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return n;
}

export function jsonNumber(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} must be a number`);
  return v;
}

export function jsonCount(v: unknown, name: string): number {
  return wholeCount(jsonNumber(v, name), name);
}

export function jsonBool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be true or false`);
  return v;
}

/** An HTTP error status an injected fault may answer with. */
export function isErrorStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}
