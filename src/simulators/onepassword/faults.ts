// Fault switches: programmatic (FaultControls) and over HTTP (POST /__sim/faults), so a
// test can drive a simulator that runs in another process. The counted faults (429, 5xx,
// malformed, slow) and the JSON handling are shared (FaultQueue); 1Password's own are here.

import { FaultQueue, jsonBool, jsonNumber, type FaultStep, type QueuedFault } from '../common/fault-queue.js';
import type { ErrorShape, FaultControls } from './types.js';

const ERROR_SHAPES: readonly ErrorShape[] = ['Error', 'message', 'text'];

/** A fault that replaces the next API response. */
export type InjectedFault = QueuedFault;

export class FaultState extends FaultQueue implements FaultControls {
  /** Malformed answers only to the events endpoints (not introspect). */
  private malformedEventsOnly = false;
  private readonly revoked = new Set<string>();
  private emptyAfterHasMore = false;
  private cursorsValidFrom: number | null = null;
  private stuck = false;
  private shape: ErrorShape = 'Error';
  private quoteToken = false;

  constructor(private readonly now: () => number) {
    super();
  }

  override malformedNext(n: number, opts: { eventsOnly?: boolean } = {}): void {
    super.malformedNext(n);
    this.malformedEventsOnly = opts.eventsOnly ?? false;
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

  hasMoreWithoutProgress(on: boolean): void {
    this.stuck = on;
  }

  errorShape(shape: ErrorShape): void {
    if (!ERROR_SHAPES.includes(shape)) throw new RangeError(`shape must be one of ${ERROR_SHAPES.join(', ')}`);
    this.shape = shape;
  }

  quoteTokenInRefusals(on: boolean): void {
    this.quoteToken = on;
  }

  override reset(): void {
    super.reset();
    this.malformedEventsOnly = false;
    this.revoked.clear();
    this.emptyAfterHasMore = false;
    this.cursorsValidFrom = null;
    this.stuck = false;
    this.shape = 'Error';
    this.quoteToken = false;
  }

  // --- read by the server -------------------------------------------------

  /** Consumes and returns the fault for this request, if one is queued. */
  take(isEventsRequest: boolean): InjectedFault | undefined {
    const malformedAllowed = isEventsRequest || !this.malformedEventsOnly;
    return this.takeTransportError() ?? (malformedAllowed ? this.takeMalformed() : undefined);
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

  get noProgress(): boolean {
    return this.stuck;
  }

  get errorBodyShape(): ErrorShape {
    return this.shape;
  }

  get quotesRefusedToken(): boolean {
    return this.quoteToken;
  }

  override snapshot(): Record<string, unknown> {
    return {
      ...super.snapshot(),
      revokedTokens: this.revoked.size,
      emptyPageAfterHasMore: this.emptyAfterHasMore,
      rejectCursorsIssuedBefore: this.cursorsValidFrom,
      hasMoreWithoutProgress: this.stuck,
      errorShape: this.shape,
      quoteTokenInRefusals: this.quoteToken,
    };
  }

  /** JSON: `revokeToken` takes a token or a list; `rejectCursorsIssuedBefore` also takes "now". */
  protected override ownStep(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'revokeToken': {
        const tokens = Array.isArray(value) ? value : [value];
        if (!tokens.every((t): t is string => typeof t === 'string')) throw new TypeError('revokeToken must be a string or a list of strings');
        return () => tokens.forEach((t) => this.revokeToken(t));
      }
      case 'emptyPageAfterHasMore': {
        const on = jsonBool(value, 'emptyPageAfterHasMore');
        return () => this.emptyPageAfterHasMore(on);
      }
      case 'rejectCursorsIssuedBefore': {
        if (value === 'now') return () => this.rejectCursorsIssuedBefore(this.now());
        const t = jsonNumber(value, 'rejectCursorsIssuedBefore');
        return () => this.rejectCursorsIssuedBefore(t);
      }
      case 'hasMoreWithoutProgress': {
        const on = jsonBool(value, 'hasMoreWithoutProgress');
        return () => this.hasMoreWithoutProgress(on);
      }
      case 'errorShape':
        if (!ERROR_SHAPES.includes(value as ErrorShape)) throw new TypeError(`errorShape must be one of ${ERROR_SHAPES.join(', ')}`);
        return () => this.errorShape(value as ErrorShape);
      case 'quoteTokenInRefusals': {
        const on = jsonBool(value, 'quoteTokenInRefusals');
        return () => this.quoteTokenInRefusals(on);
      }
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }
}
