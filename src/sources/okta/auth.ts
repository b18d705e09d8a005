// How requests to the System Log authenticate: with an SSWS API token (sent as is, nothing to
// renew), or as an OAuth 2.0 service app: an access token from the org authorization server
// (client credentials, the client authenticated by a JWT signed with the app's private key),
// reused until shortly before it expires, and obtained again when the API refuses it.

import { randomUUID } from 'node:crypto';
import type { Clock, HttpClient, HttpResponse, Logger } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { signJwt } from '../common/jwt.js';
import { describeOktaError, readOktaError } from './errors.js';
import { oktaClassifier } from './rate-limit.js';
import type { SigningKey } from './signing-key.js';

export type OktaPhase = 'setup' | 'pull';

export const TOKEN_PATH = '/oauth2/v1/token';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Okta accepts assertions that expire within the hour; a short one is plenty for one request. */
const ASSERTION_LIFETIME_S = 300;

export interface OktaAuthorization {
  /** The Authorization header's value for the next request. */
  header(signal: AbortSignal, phase: OktaPhase): Promise<string>;
  /** The API refused this value (401): forget it, so the next `header` obtains a new one. */
  invalidate(value: string): void;
  /** Whether a refused value can be replaced by a new one (an access token can; an API token cannot). */
  readonly renewable: boolean;
  /** For messages: "the API token", "the access token of service app 0oa…". */
  readonly what: string;
}

/** `Authorization: SSWS <api token>`. */
export class ApiTokenAuthorization implements OktaAuthorization {
  readonly renewable = false;
  readonly what = 'the API token';
  constructor(private readonly token: string) {}

  header(): Promise<string> {
    return Promise.resolve(`SSWS ${this.token}`);
  }

  invalidate(): void {
    // Nothing to renew: the caller reports the refusal.
  }
}

export interface ServiceAppOptions {
  readonly http: HttpClient;
  readonly oktaUrl: string;
  readonly clientId: string;
  readonly keyId: string | undefined;
  readonly signing: SigningKey;
  readonly scope: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redactor: Redactor;
}

/** `Authorization: Bearer <access token>` of a service app (client credentials, private_key_jwt). */
export class ServiceAppAuthorization implements OktaAuthorization {
  readonly renewable = true;
  readonly what: string;
  private held: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly o: ServiceAppOptions) {
    this.what = `the access token of service app ${o.clientId}`;
  }

  async header(signal: AbortSignal, phase: OktaPhase): Promise<string> {
    if (this.held && this.o.clock.now() < this.held.renewAt) return `Bearer ${this.held.value}`;
    // One request at a time obtains it.
    this.pending ??= this.obtain(signal, phase).finally(() => {
      this.pending = undefined;
    });
    return `Bearer ${await this.pending}`;
  }

  invalidate(value: string): void {
    if (this.held !== undefined && value === `Bearer ${this.held.value}`) this.held = undefined;
  }

  /** The signed client assertion: iss = sub = client id, aud = the token endpoint, short-lived, single-use. */
  private assertion(tokenUrl: string): string {
    const now = Math.floor(this.o.clock.now() / 1000);
    return signJwt({
      algorithm: this.o.signing.algorithm,
      ...(this.o.keyId === undefined ? {} : { keyId: this.o.keyId }),
      claims: { iss: this.o.clientId, sub: this.o.clientId, aud: tokenUrl, iat: now, exp: now + ASSERTION_LIFETIME_S, jti: randomUUID() },
      privateKey: this.o.signing.key,
    });
  }

  private async obtain(signal: AbortSignal, phase: OktaPhase): Promise<string> {
    const tokenUrl = `${this.o.oktaUrl}${TOKEN_PATH}`;
    const operation = `POST ${TOKEN_PATH}`;
    const details = { operation, clientId: this.o.clientId };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.o.scope,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: this.assertion(tokenUrl),
    });
    let res: HttpResponse;
    try {
      res = await this.o.http.request({
        method: 'POST',
        url: tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        operation,
        signal,
        classify: oktaClassifier(this.o.clock),
        purpose: 'token',
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const code: ErrorCode = phase === 'setup' ? 'SETUP_UNREACHABLE' : 'PULL_NETWORK';
      throw new SiphonError(code, `Okta at ${this.o.oktaUrl} could not be reached for an access token: ${(err as Error).message}`, details, { cause: err });
    }
    if (res.status !== 200) throw this.refusal(res, phase, details);
    const body = parseObject(res.body);
    const token = body?.['access_token'];
    const expiresIn = Number(body?.['expires_in']);
    if (typeof token !== 'string' || token.length === 0 || !(expiresIn > 0)) {
      throw new SiphonError(phase === 'setup' ? 'SETUP_NOT_PULLABLE' : 'PULL_MALFORMED_RESPONSE', `${operation} answered 200 without an access_token and expires_in`, details);
    }
    const lifetimeMs = expiresIn * 1000;
    this.held = { value: token, renewAt: this.o.clock.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    this.o.logger.info(`Obtained an access token for service app ${this.o.clientId} (scope ${this.o.scope}); it expires in ${expiresIn} seconds`);
    return token;
  }

  private refusal(res: HttpResponse, phase: OktaPhase, details: Record<string, unknown>): SiphonError {
    const info = readOktaError(res.body);
    const what = describeOktaError(res.status, info, this.o.redactor);
    const all = { ...details, status: res.status, error: info.code, attempts: res.attempts };
    const setup = phase === 'setup';
    const app = `service app ${this.o.clientId}`;
    if (info.code === 'invalid_scope') {
      return new SiphonError(
        setup ? 'SETUP_FEATURE_MISSING' : 'PULL_AUTH_LOST',
        `Okta did not grant ${this.o.scope} to ${app} (${what}). Grant okta.logs.read on the app's Okta API Scopes tab`,
        all,
        { permanent: true },
      );
    }
    if (info.code === 'use_dpop_nonce' || info.code === 'invalid_dpop_proof') {
      return new SiphonError(
        setup ? 'SETUP_AUTH_FAILED' : 'PULL_AUTH_LOST',
        `Okta asks ${app} for DPoP proofs (${what}), which Siphon does not send: turn off "Require Demonstrating Proof of Possession (DPoP) header in token requests" for this app`,
        all,
        { permanent: true },
      );
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      return new SiphonError(
        setup ? 'SETUP_AUTH_FAILED' : 'PULL_AUTH_LOST',
        `Okta refused the client assertion of ${app} (${what}). Check credentials.client_id, private_key_file, key_id and jwt_algorithm against the app's public keys (the app must use "Public key / Private key" client authentication)`,
        all,
        { permanent: true },
      );
    }
    const code: ErrorCode = setup ? 'SETUP_NOT_PULLABLE' : res.status === 429 ? 'PULL_RATE_LIMITED' : 'PULL_HTTP_ERROR';
    return new SiphonError(code, `POST ${TOKEN_PATH} answered ${what} after ${res.attempts} attempt(s)`, all);
  }
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
