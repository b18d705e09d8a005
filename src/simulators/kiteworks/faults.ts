// Fault switches: programmatic (KiteworksFaults) and over HTTP (POST /__sim/faults), so a
// test can drive a simulator that runs in another process. The counted faults (rate limit,
// 5xx, malformed, slow) and the JSON handling are shared (FaultQueue); the rate limit is
// answered with Kiteworks' 403. The WAF block, token and response-format switches are here.

import { FaultQueue, jsonBool, jsonCount, switchFields, wholeCount, type FaultStep, type QueuedFault } from '../common/fault-queue.js';
import type { OAuthServer } from './tokens.js';
import { CREATED_OFFSET_STYLES, RESPONSE_SHAPES, type CreatedOffsetStyle, type KiteworksFaults, type ResponseShape } from './types.js';

/** A fault that replaces the next activities answer. */
export type InjectedFault = QueuedFault | { kind: 'waf' };

export class FaultState extends FaultQueue implements KiteworksFaults {
  private waf = 0;
  private shape: ResponseShape;
  private expiresText = false;
  private offsetStyle: CreatedOffsetStyle = '+0000';
  private denied = false;

  constructor(
    private readonly oauth: OAuthServer,
    private readonly defaultShape: ResponseShape,
  ) {
    super({ wholeRetryAfterSeconds: true });
    this.shape = defaultShape;
  }

  wafBlockNext(n: number): void {
    this.waf = wholeCount(n, 'wafBlockNext n');
  }

  expireAccessTokensNow(): void {
    this.oauth.expireAccessTokens();
  }

  revokeAccessToken(token: string): boolean {
    return this.oauth.revokeAccessToken(token);
  }

  revokeRefreshTokens(): void {
    this.oauth.revokeRefreshTokens();
  }

  responseShape(shape: ResponseShape): void {
    if (!RESPONSE_SHAPES.includes(shape)) throw new RangeError(`responseShape must be one of ${RESPONSE_SHAPES.join(', ')}`);
    this.shape = shape;
  }

  expiresInAsString(on: boolean): void {
    this.expiresText = on;
  }

  createdOffsetStyle(style: CreatedOffsetStyle): void {
    if (!CREATED_OFFSET_STYLES.includes(style)) throw new RangeError(`createdOffsetStyle must be one of ${CREATED_OFFSET_STYLES.join(', ')}`);
    this.offsetStyle = style;
  }

  denyActivityLog(on: boolean): void {
    this.denied = on;
  }

  rotateClientSecret(): string {
    return this.oauth.rotateSecret();
  }

  override reset(): void {
    super.reset();
    this.waf = 0;
    this.shape = this.defaultShape;
    this.expiresText = false;
    this.offsetStyle = '+0000';
    this.denied = false;
  }

  // --- read by the API ------------------------------------------------------

  /** Consumes the front-door fault for this activities request: WAF, then rate limit, then 5xx. */
  take(): InjectedFault | undefined {
    if (this.waf > 0) {
      this.waf--;
      return { kind: 'waf' };
    }
    return this.takeTransportError();
  }

  /** Consumes a queued malformed answer (only requests that would have succeeded use one). */
  takeMalformedAnswer(): QueuedFault | undefined {
    return this.takeMalformed();
  }

  get currentShape(): ResponseShape {
    return this.shape;
  }

  get currentOffsetStyle(): CreatedOffsetStyle {
    return this.offsetStyle;
  }

  get expiresInIsString(): boolean {
    return this.expiresText;
  }

  get activityLogDenied(): boolean {
    return this.denied;
  }

  override snapshot(): Record<string, unknown> {
    return {
      ...super.snapshot(),
      wafBlockNext: this.waf,
      responseShape: this.shape,
      expiresInAsString: this.expiresText,
      createdOffsetStyle: this.offsetStyle,
      denyActivityLog: this.denied,
      secretRotations: this.oauth.secretRotations,
      // Test controls are unauthenticated: a test in another process needs the new secret after a rotation.
      clientId: this.oauth.clientConfig.clientId,
      clientSecret: this.oauth.clientSecret,
    };
  }

  /**
   * JSON: `{"wafBlockNext":2,"expireAccessTokensNow":true,"revokeAccessToken":"…","revokeRefreshTokens":true,
   * "responseShape":"data","expiresInAsString":true,"createdOffsetStyle":"+00:00","denyActivityLog":true,
   * "rotateClientSecret":true}` and the shared switches.
   */
  protected override ownStep(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'wafBlockNext': {
        const n = jsonCount(switchFields(value).n, 'wafBlockNext');
        return () => this.wafBlockNext(n);
      }
      case 'expireAccessTokensNow':
        return jsonBool(value, 'expireAccessTokensNow') ? () => this.expireAccessTokensNow() : undefined;
      case 'revokeAccessToken': {
        if (typeof value !== 'string' || value === '') throw new TypeError('revokeAccessToken must be a token string');
        return () => void this.revokeAccessToken(value);
      }
      case 'revokeRefreshTokens':
        return jsonBool(value, 'revokeRefreshTokens') ? () => this.revokeRefreshTokens() : undefined;
      case 'responseShape': {
        if (!RESPONSE_SHAPES.includes(value as ResponseShape)) throw new RangeError(`responseShape must be one of ${RESPONSE_SHAPES.join(', ')}`);
        const shape = value as ResponseShape;
        return () => this.responseShape(shape);
      }
      case 'expiresInAsString': {
        const on = jsonBool(value, 'expiresInAsString');
        return () => this.expiresInAsString(on);
      }
      case 'createdOffsetStyle': {
        if (!CREATED_OFFSET_STYLES.includes(value as CreatedOffsetStyle)) throw new RangeError(`createdOffsetStyle must be one of ${CREATED_OFFSET_STYLES.join(', ')}`);
        const style = value as CreatedOffsetStyle;
        return () => this.createdOffsetStyle(style);
      }
      case 'denyActivityLog': {
        const on = jsonBool(value, 'denyActivityLog');
        return () => this.denyActivityLog(on);
      }
      case 'rotateClientSecret':
        return jsonBool(value, 'rotateClientSecret') ? () => void this.rotateClientSecret() : undefined;
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }
}
