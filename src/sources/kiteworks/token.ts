// The OAuth 2.0 access token of a Kiteworks custom application: obtained with the configured
// flow (signature, JWT assertion, or a refresh token), reused until it expires, renewed with
// the refresh token when one was given, and obtained again once when the API says 401.

import type { KeyObject } from 'node:crypto';
import type { Clock, HttpClient, HttpResponse, Logger, RetryDecision } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { describeKiteworksError, readKiteworksError } from './errors.js';
import { jwtAssertion, signatureFlowCode } from './grants.js';
import { flowOf, type KiteworksCredentials } from './settings.js';

export type KiteworksPhase = 'setup' | 'pull';

export interface AccessTokenOptions {
  readonly http: HttpClient;
  readonly baseUrl: string;
  readonly apiVersion: number;
  readonly credentials: KiteworksCredentials;
  /** The JWT flow's signing key (read from private_key_file). */
  readonly privateKey: KeyObject | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hides secrets in the vendor's refusals before they are cut. */
  readonly redactor: Redactor;
}

/** Kiteworks answers its rate limit (30 requests/s per IP) with 403: retried like a 429. */
export function classifyKiteworksResponse(res: HttpResponse): RetryDecision {
  if (res.status === 403) {
    // A real refusal says so; only an anonymous 403 is taken for the rate limit.
    const { code } = readKiteworksError(res.body);
    return code === 'ERR_ACCESS_USER' ? { kind: 'done' } : { kind: 'retry', rateLimited: true };
  }
  if (res.status === 429) return { kind: 'retry', rateLimited: true };
  if (res.status >= 500 && res.status !== 501) return { kind: 'retry', rateLimited: false };
  return { kind: 'done' };
}

export class AccessTokens {
  private held: { value: string; renewAt: number } | undefined;
  private refreshToken: string | undefined;
  private pending: Promise<string> | undefined;
  private readonly flow: 'signature' | 'jwt' | 'refresh';

  constructor(private readonly o: AccessTokenOptions) {
    this.flow = flowOf(o.credentials);
    this.refreshToken = o.credentials.refresh_token;
  }

  async get(signal: AbortSignal, phase: KiteworksPhase): Promise<string> {
    if (this.held && this.o.clock.now() < this.held.renewAt) return this.held.value;
    this.pending ??= this.obtain(signal, phase).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The API refused `token` (401): forget it so the next call obtains another. */
  invalidate(token: string): void {
    if (this.held?.value === token) this.held = undefined;
  }

  private async obtain(signal: AbortSignal, phase: KiteworksPhase): Promise<string> {
    if (this.refreshToken !== undefined) {
      try {
        return await this.grant(this.refreshForm(this.refreshToken), 'refresh token', signal, phase);
      } catch (err) {
        // A refused refresh token: the configured flow can still start afresh (unless it is the flow).
        if (this.flow === 'refresh' || !(err instanceof SiphonError && err.permanent)) throw err;
        this.o.logger.warn(`The refresh token was refused; obtaining a new access token with the ${this.flow} flow`);
        this.refreshToken = undefined;
      }
    }
    return this.grant(this.flowForm(), `${this.flow} flow`, signal, phase);
  }

  private refreshForm(refreshToken: string): URLSearchParams {
    const c = this.o.credentials;
    return new URLSearchParams({ grant_type: 'refresh_token', client_id: c.client_id, client_secret: c.client_secret, refresh_token: refreshToken });
  }

  private flowForm(): URLSearchParams {
    const c = this.o.credentials;
    const now = this.o.clock.now();
    const form = new URLSearchParams({ client_id: c.client_id, client_secret: c.client_secret, redirect_uri: c.redirect_uri ?? '' });
    if (this.flow === 'signature') {
      form.set('grant_type', 'authorization_code');
      form.set('code', signatureFlowCode({ clientId: c.client_id, userEmail: c.user_email ?? '', signatureKey: c.signature_key ?? '', nowMs: now }));
    } else {
      if (!this.o.privateKey) throw new SiphonError('INTERNAL', 'the JWT flow has no private key');
      form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
      form.set('assertion', jwtAssertion({ clientId: c.client_id, userEmail: c.user_email ?? '', audience: this.o.baseUrl, privateKey: this.o.privateKey, algorithm: c.jwt_algorithm, nowMs: now }));
    }
    if (c.scope !== undefined) form.set('scope', c.scope);
    return form;
  }

  private async grant(form: URLSearchParams, how: string, signal: AbortSignal, phase: KiteworksPhase): Promise<string> {
    const operation = 'POST /oauth/token';
    const details = { operation, flow: how };
    let res: HttpResponse;
    try {
      res = await this.o.http.request({
        method: 'POST',
        url: `${this.o.baseUrl}/oauth/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-accellion-version': String(this.o.apiVersion) },
        body: form.toString(),
        operation,
        signal,
        classify: classifyKiteworksResponse,
        purpose: 'token',
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const code: ErrorCode = phase === 'setup' ? 'SETUP_UNREACHABLE' : 'PULL_NETWORK';
      throw new SiphonError(code, `Kiteworks at ${this.o.baseUrl} could not be reached for a token: ${(err as Error).message}`, details, { cause: err });
    }
    const info = readKiteworksError(res.body);
    if (res.status === 400 || res.status === 401) {
      throw new SiphonError(
        phase === 'setup' ? 'SETUP_AUTH_FAILED' : 'PULL_AUTH_LOST',
        `Kiteworks refused the ${how} (${describeKiteworksError(res.status, info, this.o.redactor)}). Check credentials.client_id, client_secret, ` +
          (this.flow === 'refresh' ? 'and refresh_token (it may have been revoked)' : 'user_email, redirect_uri and the signature key or private key, and that the application may use this flow'),
        { ...details, status: res.status, error: info.code },
        { permanent: true },
      );
    }
    if (res.status !== 200) {
      const code: ErrorCode = phase === 'setup' ? 'SETUP_NOT_PULLABLE' : res.status === 403 ? 'PULL_RATE_LIMITED' : 'PULL_HTTP_ERROR';
      throw new SiphonError(code, `POST /oauth/token answered ${describeKiteworksError(res.status, info, this.o.redactor)} after ${res.attempts} attempt(s)`, { ...details, status: res.status });
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      // handled below
    }
    const token = body['access_token'];
    // expires_in is a number or a string, depending on the version.
    const expiresIn = Number(body['expires_in']);
    if (typeof token !== 'string' || token.length === 0 || !(expiresIn > 0)) {
      throw new SiphonError(phase === 'setup' ? 'SETUP_NOT_PULLABLE' : 'PULL_MALFORMED_RESPONSE', `POST /oauth/token answered 200 without an access_token and expires_in`, details);
    }
    if (typeof body['refresh_token'] === 'string' && body['refresh_token'].length > 0) this.refreshToken = body['refresh_token'];
    const lifetimeMs = expiresIn * 1000;
    this.held = { value: token, renewAt: this.o.clock.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    this.o.logger.info(`Obtained an access token with the ${how}; it expires in ${expiresIn} seconds`);
    return token;
  }
}
