// Fault switches: programmatic (OktaFaults) and over HTTP (POST /__sim/faults), so a test can
// drive a simulator that runs in another process. The counted faults (rate limit, 5xx,
// malformed, slow) and the JSON handling are shared (FaultQueue); the rate limit is answered
// with Okta's 429 E0000047 and X-Rate-Limit-Reset. The cursor, link, permission and
// credential switches are Okta's own.

import { FaultQueue, jsonBool, jsonCount, switchFields, wholeCount, type FaultStep, type QueuedFault } from '../common/fault-queue.js';
import type { OktaCredentials } from './tokens.js';
import type { OktaFaults } from './types.js';

export class FaultState extends FaultQueue implements OktaFaults {
  private badCursors = 0;
  private linkOrigin: string | null = null;
  private denied = false;

  constructor(private readonly credentials: OktaCredentials) {
    super({ wholeRetryAfterSeconds: true });
  }

  badCursorNext(n: number): void {
    this.badCursors = wholeCount(n, 'badCursorNext n');
  }

  nextLinkOrigin(origin: string | null): void {
    this.linkOrigin = origin === null ? null : checkedOrigin(origin);
  }

  denyLogsRead(on: boolean): void {
    this.denied = on;
  }

  revokeApiTokens(): void {
    this.credentials.revokeApiTokens();
  }

  expireAccessTokensNow(): void {
    this.credentials.expireAccessTokens();
  }

  rotateServiceAppKey(): string {
    return this.credentials.rotateKey();
  }

  override reset(): void {
    super.reset();
    this.badCursors = 0;
    this.linkOrigin = null;
    this.denied = false;
  }

  // --- read by the API ------------------------------------------------------

  /** Consumes a queued 429 or 5xx for this log request. */
  take(): QueuedFault | undefined {
    return this.takeTransportError();
  }

  /** Consumes a queued cursor refusal (only requests that carry `after` use one). */
  takeBadCursor(): boolean {
    if (this.badCursors <= 0) return false;
    this.badCursors--;
    return true;
  }

  /** Consumes a queued malformed answer (only requests that would have succeeded use one). */
  takeMalformedAnswer(): QueuedFault | undefined {
    return this.takeMalformed();
  }

  get nextOrigin(): string | null {
    return this.linkOrigin;
  }

  get logsReadDenied(): boolean {
    return this.denied;
  }

  override snapshot(): Record<string, unknown> {
    return {
      ...super.snapshot(),
      badCursorNext: this.badCursors,
      nextLinkOrigin: this.linkOrigin,
      denyLogsRead: this.denied,
      // Test controls are unauthenticated: a test in another process needs the key after a rotation.
      clientId: this.credentials.clientId,
      keyId: this.credentials.keyId,
      privateKeyPem: this.credentials.privateKeyPem ?? null,
    };
  }

  /**
   * JSON: `{"badCursorNext":1,"nextLinkOrigin":"https://elsewhere.example","denyLogsRead":true,
   * "revokeApiTokens":true,"expireAccessTokensNow":true,"rotateServiceAppKey":true}` and the shared switches.
   */
  protected override ownStep(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'badCursorNext': {
        const n = jsonCount(switchFields(value).n, 'badCursorNext');
        return () => this.badCursorNext(n);
      }
      case 'nextLinkOrigin': {
        if (value !== null && typeof value !== 'string') throw new TypeError('nextLinkOrigin must be an origin string or null');
        // Checked now, so a bad body changes nothing.
        const origin = value === null ? null : checkedOrigin(value);
        return () => this.nextLinkOrigin(origin);
      }
      case 'denyLogsRead': {
        const on = jsonBool(value, 'denyLogsRead');
        return () => this.denyLogsRead(on);
      }
      case 'revokeApiTokens':
        return jsonBool(value, 'revokeApiTokens') ? () => this.revokeApiTokens() : undefined;
      case 'expireAccessTokensNow':
        return jsonBool(value, 'expireAccessTokensNow') ? () => this.expireAccessTokensNow() : undefined;
      case 'rotateServiceAppKey':
        return jsonBool(value, 'rotateServiceAppKey') ? () => void this.rotateServiceAppKey() : undefined;
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }
}

/** `scheme://host[:port]` exactly (a trailing slash dropped); throws otherwise. */
function checkedOrigin(text: string): string {
  const origin = text.replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.origin === 'null' || url.origin !== origin) throw new TypeError('nextLinkOrigin must be an origin such as https://elsewhere.example, or null');
  return origin;
}
