// Fault switches: programmatic (LarkFaults) and over HTTP (POST /__sim/faults), so a test
// can drive a simulator that runs in another process. The counted faults (rate limit, 5xx,
// malformed, slow) and the JSON handling are shared (FaultQueue); Lark's rate-limit answer
// options (status, reset header) and its token and scope switches are here.

import {
  FaultQueue,
  isErrorStatus,
  jsonBool,
  jsonCount,
  jsonNumber,
  switchFields,
  wholeCount,
  type FaultStep,
  type QueuedFault,
} from '../common/fault-queue.js';
import type { AppRegistry } from './tokens.js';
import type { InvalidTokenStatus, LarkFaults, LarkRateLimitFault } from './types.js';

/** A fault that replaces the next audit_infos answer; the rate limit carries Lark's status and reset. */
export type InjectedFault =
  | { kind: 'rate-limit'; status: 429 | 400; resetSeconds: number }
  | Exclude<QueuedFault, { kind: 'rate-limit' }>;

const INVALID_TOKEN_STATUSES: readonly InvalidTokenStatus[] = [401, 400, 200];
const DEFAULT_RESET_SECONDS = 1;

export class FaultState extends FaultQueue implements LarkFaults {
  private limitStatus: 429 | 400 = 429;
  private tokenErrors = 0;
  private tokenErrorStatus = 500;
  private scopeRevoked = false;
  private invalidStatus: InvalidTokenStatus = 401;

  constructor(private readonly apps: AppRegistry) {
    super({ wholeRetryAfterSeconds: true });
  }

  /** `resetSeconds` (alias `retryAfterSeconds`) is the x-ogw-ratelimit-reset value. */
  override rateLimitNext(n: number, opts: LarkRateLimitFault & { retryAfterSeconds?: number } = {}): void {
    const status = opts.status ?? 429;
    if (status !== 429 && status !== 400) throw new RangeError('rateLimitNext status must be 429 or 400');
    const reset = opts.resetSeconds ?? opts.retryAfterSeconds;
    if (reset !== undefined) wholeCount(reset, 'rateLimitNext resetSeconds');
    super.rateLimitNext(n, reset === undefined ? undefined : { retryAfterSeconds: reset });
    this.limitStatus = status;
  }

  expireTokensNow(): void {
    this.apps.expireAll();
  }

  revokeToken(token: string): boolean {
    return this.apps.revoke(token);
  }

  revokeScope(on: boolean): void {
    this.scopeRevoked = on;
  }

  rotateSecret(): string {
    return this.apps.rotateSecret();
  }

  tokenEndpointErrorNext(n: number, status = 500): void {
    if (!isErrorStatus(status)) throw new RangeError('tokenEndpointErrorNext status must be 400..599');
    this.tokenErrors = wholeCount(n, 'tokenEndpointErrorNext n');
    this.tokenErrorStatus = status;
  }

  invalidTokenStatus(status: InvalidTokenStatus): void {
    if (!INVALID_TOKEN_STATUSES.includes(status)) throw new RangeError('invalidTokenStatus must be 401, 400 or 200');
    this.invalidStatus = status;
  }

  override reset(): void {
    super.reset();
    this.limitStatus = 429;
    this.tokenErrors = 0;
    this.tokenErrorStatus = 500;
    this.scopeRevoked = false;
    this.invalidStatus = 401;
  }

  // --- read by the API ------------------------------------------------------

  /** Consumes and returns the fault for this audit_infos request: rate limit, then 5xx, then malformed. */
  take(): InjectedFault | undefined {
    const f = this.takeTransportError() ?? this.takeMalformed();
    if (f?.kind !== 'rate-limit') return f;
    return { kind: 'rate-limit', status: this.limitStatus, resetSeconds: f.retryAfterSeconds ?? DEFAULT_RESET_SECONDS };
  }

  /** Consumes a queued token endpoint error; returns its HTTP status. */
  takeTokenError(): number | undefined {
    if (this.tokenErrors <= 0) return undefined;
    this.tokenErrors--;
    return this.tokenErrorStatus;
  }

  get scopeMissing(): boolean {
    return this.scopeRevoked;
  }

  get invalidTokenHttpStatus(): InvalidTokenStatus {
    return this.invalidStatus;
  }

  override snapshot(): Record<string, unknown> {
    const { retryAfterSeconds, ...shared } = super.snapshot();
    return {
      ...shared,
      rateLimitStatus: this.limitStatus,
      resetSeconds: retryAfterSeconds,
      tokenEndpointErrorNext: this.tokenErrors,
      tokenEndpointErrorStatus: this.tokenErrorStatus,
      scopeRevoked: this.scopeRevoked,
      invalidTokenStatus: this.invalidStatus,
      secretRotations: this.apps.secretRotations,
      // Test controls are unauthenticated: a test in another process needs the new secret after a rotation.
      appId: this.apps.appId,
      appSecret: this.apps.appSecret,
    };
  }

  /**
   * Applies a JSON body; `rateLimitNext` takes `{"n":2,"status":400,"resetSeconds":3}`. The
   * shared queue ignores fields it does not know, so that switch is checked and applied here,
   * after the rest (and after `reset`), and only when the rest was accepted.
   */
  override applyJson(body: unknown): string | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.hasOwn(body, 'rateLimitNext')) return super.applyJson(body);
    const { rateLimitNext, ...rest } = body as Record<string, unknown>;
    let step: FaultStep;
    try {
      step = this.rateLimitStep(rateLimitNext);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    const problem = super.applyJson(rest);
    if (problem !== undefined) return problem;
    step();
    return undefined;
  }

  /** JSON: `{"expireTokensNow":true,"revokeToken":"t-…","revokeScope":true,"rotateSecret":true,"tokenEndpointErrorNext":{"n":1,"status":503},"invalidTokenStatus":400}`. */
  protected override ownStep(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'expireTokensNow':
        return jsonBool(value, 'expireTokensNow') ? () => this.expireTokensNow() : undefined;
      case 'revokeToken': {
        if (typeof value !== 'string' || value === '') throw new TypeError('revokeToken must be a token string');
        return () => void this.revokeToken(value);
      }
      case 'revokeScope': {
        const on = jsonBool(value, 'revokeScope');
        return () => this.revokeScope(on);
      }
      case 'rotateSecret':
        return jsonBool(value, 'rotateSecret') ? () => void this.rotateSecret() : undefined;
      case 'tokenEndpointErrorNext': {
        const o = switchFields(value);
        const n = jsonCount(o.n, 'tokenEndpointErrorNext.n');
        const status = o.status === undefined ? 500 : jsonNumber(o.status, 'tokenEndpointErrorNext.status');
        if (!isErrorStatus(status)) throw new RangeError('tokenEndpointErrorNext.status must be 400..599');
        return () => this.tokenEndpointErrorNext(n, status);
      }
      case 'invalidTokenStatus': {
        if (!INVALID_TOKEN_STATUSES.includes(value as InvalidTokenStatus)) throw new RangeError('invalidTokenStatus must be 401, 400 or 200');
        const status = value as InvalidTokenStatus;
        return () => this.invalidTokenStatus(status);
      }
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }

  private rateLimitStep(value: unknown): FaultStep {
    const o = switchFields(value);
    const n = jsonCount(o.n, 'rateLimitNext.n');
    const status = o.status === undefined ? 429 : o.status;
    if (status !== 429 && status !== 400) throw new RangeError('rateLimitNext.status must be 429 or 400');
    const resetValue = o.resetSeconds ?? o.retryAfterSeconds;
    const resetSeconds = resetValue === undefined ? undefined : jsonCount(resetValue, 'rateLimitNext.resetSeconds');
    return () => this.rateLimitNext(n, resetSeconds === undefined ? { status } : { status, resetSeconds });
  }
}
