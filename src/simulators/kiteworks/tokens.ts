// The OAuth side: the registered custom application, its grants and the tokens they mint.
//
// Grants (form fields as the vendor documents them, reference §4.2):
// * authorization_code, the "signature flow": code = base64(client_id)|@@|base64(user_email)|@@|
//   timestamp|@@|nonce|@@|hex(HMAC-SHA1(signature_key, client_id|@@|user_email|@@|timestamp|@@|nonce)).
//   The signature is checked over the timestamp and nonce text exactly as sent; the timestamp may
//   be Unix seconds or milliseconds (>= 1e11 counts as ms), at most an hour old and at most 60 s
//   ahead; the nonce 1..999999; a code works once.
// * urn:ietf:params:oauth:grant-type:jwt-bearer: a compact JWS, RS256 or RS512, verified with the
//   app's public key; iss = client_id, sub = an allowed admin, aud = the server's base URL (with
//   or without a trailing slash; over plain HTTP the https:// form is accepted too, since clients
//   such as kitebroker always write "https://<host>"), exp ahead of now by at most an hour (+60 s),
//   nbf/iat (when present) not more than 60 s ahead, jti present and used once.
// * refresh_token: any refresh token issued and not revoked; the answer repeats it.
// Client authentication: client_id/client_secret in the form, or HTTP Basic (not both).
// Check order: grant_type (invalid_request / unsupported_grant_type), client (invalid_client),
// whether the app may use the grant (unauthorized_client), scope (invalid_scope), the grant.

import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { Prng, randomAlphanumeric, randomHex } from '../common/prng.js';
import type { KiteworksClientConfig } from './types.js';
import { jsonObject, remember } from '../common/once-only.js';

export const GRANT_CODE = 'authorization_code';
export const GRANT_JWT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const GRANT_REFRESH = 'refresh_token';
const GRANTS = new Set([GRANT_CODE, GRANT_JWT, GRANT_REFRESH]);

export type OAuthErrorCode = 'invalid_client' | 'invalid_grant' | 'invalid_request' | 'invalid_scope' | 'unauthorized_client' | 'unsupported_grant_type';

export interface OAuthError {
  readonly error: OAuthErrorCode;
  readonly description: string;
}

export interface Grant {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
  readonly refreshToken: string | undefined;
}

export type GrantResult = { ok: true; grant: Grant } | { ok: false; error: OAuthError };

/** The client with every default filled in. */
export type ResolvedClient = Required<Omit<KiteworksClientConfig, 'jwtPublicKeyPem'>> & { jwtPublicKeyPem: string | undefined };

interface AccessToken {
  readonly user: string;
  readonly expiresAt: number;
  dead: boolean;
}

const HOUR_MS = 3_600_000;
const LEEWAY_MS = 60_000;
const SEP = '|@@|';
/** Expired tokens and remembered codes/jtis are swept once a map holds this many. */
const SWEEP_AT = 10_000;

const fail = (error: OAuthErrorCode, description: string): GrantResult => ({ ok: false, error: { error, description } });

export class OAuthServer {
  private secret: string;
  private readonly publicKey: KeyObject | undefined;
  private readonly users: Set<string>;
  private readonly registeredScopes: Set<string>;
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, { user: string; dead: boolean }>();
  /** Used signature-flow codes (by signature) and JWT ids, with when they could be forgotten. */
  private readonly usedCodes = new Map<string, number>();
  private readonly usedJtis = new Map<string, number>();
  private readonly rng: Prng;
  private audiences: string[] = [];
  private minted = 0;
  private rotations = 0;
  readonly grantCounts: Record<string, number> = {};

  constructor(
    private readonly client: ResolvedClient,
    seed: number,
    private readonly lifetimeMs: number,
  ) {
    this.rng = Prng.derive(seed, 'kiteworks-tokens');
    this.secret = client.clientSecret;
    this.users = new Set(client.users.map((u) => u.toLowerCase()));
    this.registeredScopes = new Set(client.scope.split(/\s+/).filter((s) => s !== ''));
    try {
      this.publicKey = client.jwtPublicKeyPem === undefined ? undefined : createPublicKey(client.jwtPublicKeyPem);
    } catch (err) {
      throw new RangeError(`client.jwtPublicKeyPem is not a public key: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The base URL once the server listens: what a JWT's `aud` must name. */
  setBaseUrl(url: string): void {
    const base = url.replace(/\/+$/, '');
    this.audiences = [base];
    if (base.startsWith('http://')) this.audiences.push(`https://${base.slice('http://'.length)}`);
  }

  get clientConfig(): KiteworksClientConfig {
    const c = this.client;
    return {
      clientId: c.clientId,
      clientSecret: this.secret,
      redirectUri: c.redirectUri,
      scope: c.scope,
      signatureKey: c.signatureKey,
      ...(c.jwtPublicKeyPem === undefined ? {} : { jwtPublicKeyPem: c.jwtPublicKeyPem }),
      allowRefresh: c.allowRefresh,
      users: [...c.users],
    };
  }

  get clientSecret(): string {
    return this.secret;
  }

  get tokensIssued(): number {
    return this.minted;
  }

  get secretRotations(): number {
    return this.rotations;
  }

  /** POST /oauth/token with the form already parsed; `basic` from an Authorization: Basic header. */
  grant(form: URLSearchParams, basic: { id: string; secret: string } | undefined, now: number): GrantResult {
    const get = (name: string): string | undefined => {
      const v = form.get(name);
      return v === null || v === '' ? undefined : v;
    };
    const grantType = get('grant_type');
    if (grantType === undefined) return fail('invalid_request', 'The grant type was not specified in the request');
    if (!GRANTS.has(grantType)) return fail('unsupported_grant_type', `Grant type "${grantType}" not supported`);

    const formId = get('client_id');
    const formSecret = get('client_secret');
    if (basic && (formId !== undefined || formSecret !== undefined)) return fail('invalid_request', 'Only one method may be used to authenticate at a time (Auth header, POST)');
    const id = basic?.id ?? formId;
    const secret = basic?.secret ?? formSecret;
    if (id === undefined || secret === undefined) return fail('invalid_client', 'Client credentials were not found in the headers or body');
    if (id !== this.client.clientId || !sameText(secret, this.secret)) return fail('invalid_client', 'The client credentials are invalid');

    if (grantType === GRANT_CODE && this.client.signatureKey === '') return fail('unauthorized_client', 'The grant type is unauthorized for this client_id');
    if (grantType === GRANT_JWT && this.publicKey === undefined) return fail('unauthorized_client', 'The grant type is unauthorized for this client_id');
    if (grantType === GRANT_REFRESH && !this.client.allowRefresh) return fail('unauthorized_client', 'The grant type is unauthorized for this client_id');

    const requested = get('scope');
    if (requested !== undefined && !requested.split(/\s+/).filter((s) => s !== '').every((s) => this.registeredScopes.has(s))) {
      return fail('invalid_scope', 'An unsupported scope was requested');
    }
    const scope = requested ?? this.client.scope;

    let result: { user: string; refresh: string | undefined } | OAuthError;
    if (grantType === GRANT_CODE) result = this.signatureFlow(get('code'), get('redirect_uri'), now);
    else if (grantType === GRANT_JWT) result = this.jwtFlow(get('assertion'), get('redirect_uri'), now);
    else result = this.refreshFlow(get('refresh_token'));
    if ('error' in result) return { ok: false, error: result };

    const accessToken = this.mintAccess(result.user, now);
    const refreshToken = result.refresh ?? (this.client.allowRefresh ? this.mintRefresh(result.user) : undefined);
    this.grantCounts[grantType] = (this.grantCounts[grantType] ?? 0) + 1;
    return { ok: true, grant: { accessToken, expiresIn: Math.floor(this.lifetimeMs / 1000), scope, refreshToken } };
  }

  /** Whether an access token is known, not revoked and not expired at `now`. */
  accepts(token: string, now: number): boolean {
    const t = this.access.get(token);
    return t !== undefined && !t.dead && now < t.expiresAt;
  }

  /** A refresh token for `user` as if the authorization-code flow had been done once. */
  issueRefreshToken(user: string): string {
    return this.mintRefresh(user.toLowerCase());
  }

  expireAccessTokens(): void {
    for (const t of this.access.values()) t.dead = true;
  }

  revokeAccessToken(token: string): boolean {
    const t = this.access.get(token);
    if (!t) return false;
    t.dead = true;
    return true;
  }

  revokeRefreshTokens(): void {
    for (const t of this.refresh.values()) t.dead = true;
  }

  /** A new client secret; the old one stops working at once. */
  rotateSecret(): string {
    let next = randomAlphanumeric(this.rng, 32);
    while (next === this.secret) next = randomAlphanumeric(this.rng, 32);
    this.secret = next;
    this.rotations++;
    return next;
  }

  // --- grants -------------------------------------------------------------------

  private signatureFlow(code: string | undefined, redirectUri: string | undefined, now: number): { user: string; refresh: undefined } | OAuthError {
    if (redirectUri === undefined) return err('invalid_request', 'Missing parameter: "redirect_uri" is required');
    if (redirectUri !== this.client.redirectUri) return err('invalid_grant', 'The redirect URI is missing or does not match');
    if (code === undefined) return err('invalid_request', 'Missing parameter: "code" is required');
    const parts = code.split(SEP);
    if (parts.length !== 5) return err('invalid_grant', 'Authorization code doesn\'t exist or is invalid for the client');
    const [clientB64, userB64, timestamp, nonce, signature] = parts as [string, string, string, string, string];
    const codeClient = strictBase64(clientB64);
    const user = strictBase64(userB64);
    if (codeClient === undefined || user === undefined || !/^\d{1,16}$/.test(timestamp) || !/^\d{1,6}$/.test(nonce) || !/^[0-9a-fA-F]{40}$/.test(signature)) {
      return err('invalid_grant', 'Authorization code doesn\'t exist or is invalid for the client');
    }
    if (codeClient !== this.client.clientId) return err('invalid_grant', 'Authorization code doesn\'t exist or is invalid for the client');
    const expected = createHmac('sha1', this.client.signatureKey).update([codeClient, user, timestamp, nonce].join(SEP), 'utf8').digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return err('invalid_grant', 'Invalid signature in authorization code');
    const stamp = Number(timestamp);
    const at = stamp >= 1e11 ? stamp : stamp * 1000;
    if (now - at > HOUR_MS) return err('invalid_grant', 'Authorization code has expired');
    if (at - now > LEEWAY_MS) return err('invalid_grant', 'Authorization code timestamp is in the future');
    const n = Number(nonce);
    if (n < 1 || n > 999_999) return err('invalid_grant', 'Invalid nonce in authorization code');
    if (!this.users.has(user.toLowerCase())) return err('invalid_grant', 'The user is not allowed to use this application');
    const key = signature.toLowerCase();
    if (!remember(this.usedCodes, key, at + HOUR_MS + LEEWAY_MS, now)) return err('invalid_grant', 'Authorization code has already been used');
    return { user: user.toLowerCase(), refresh: undefined };
  }

  private jwtFlow(assertion: string | undefined, redirectUri: string | undefined, now: number): { user: string; refresh: undefined } | OAuthError {
    if (assertion === undefined) return err('invalid_request', 'Missing parameter: "assertion" is required');
    if (redirectUri !== undefined && redirectUri !== this.client.redirectUri) return err('invalid_grant', 'The redirect URI does not match');
    const key = this.publicKey;
    if (!key) return err('unauthorized_client', 'The grant type is unauthorized for this client_id');
    const parts = assertion.split('.');
    if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return err('invalid_grant', 'JWT is malformed');
    const [h, p, s] = parts as [string, string, string];
    const header = jsonObject(Buffer.from(h, 'base64url').toString('utf8'));
    const claims = jsonObject(Buffer.from(p, 'base64url').toString('utf8'));
    if (!header || !claims) return err('invalid_grant', 'JWT is malformed');
    const hash = header.alg === 'RS256' ? 'sha256' : header.alg === 'RS512' ? 'sha512' : undefined;
    if (hash === undefined) return err('invalid_grant', 'JWT algorithm not supported (RS256 or RS512)');
    if (!verify(hash, Buffer.from(`${h}.${p}`, 'ascii'), key, Buffer.from(s, 'base64url'))) return err('invalid_grant', 'JWT failed signature verification');
    if (claims.iss !== this.client.clientId) return err('invalid_grant', 'Invalid issuer (iss) provided');
    if (typeof claims.sub !== 'string' || !this.users.has(claims.sub.toLowerCase())) return err('invalid_grant', 'Invalid subject (sub) provided');
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => typeof a === 'string' && this.audiences.includes(a.replace(/\/+$/, '')))) return err('invalid_grant', 'Invalid audience (aud)');
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return err('invalid_grant', 'Expiration (exp) time must be present');
    const exp = claims.exp * 1000;
    if (exp <= now) return err('invalid_grant', 'JWT has expired');
    if (exp > now + HOUR_MS + LEEWAY_MS) return err('invalid_grant', 'Expiration (exp) time must be within the next hour');
    for (const name of ['nbf', 'iat'] as const) {
      const v = claims[name];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) return err('invalid_grant', `Invalid ${name}`);
      if (v * 1000 > now + LEEWAY_MS) return err('invalid_grant', name === 'nbf' ? 'JWT is not yet valid (nbf)' : 'Issued-at (iat) time is in the future');
    }
    if (typeof claims.jti !== 'string' || claims.jti === '') return err('invalid_grant', 'JSON Token Identifier (jti) must be present');
    if (!remember(this.usedJtis, claims.jti, exp + LEEWAY_MS, now)) return err('invalid_grant', 'JSON Token Identifier (jti) has already been used');
    return { user: claims.sub.toLowerCase(), refresh: undefined };
  }

  private refreshFlow(token: string | undefined): { user: string; refresh: string } | OAuthError {
    if (token === undefined) return err('invalid_request', 'Missing parameter: "refresh_token" is required');
    const t = this.refresh.get(token);
    if (!t || t.dead) return err('invalid_grant', 'Invalid refresh token');
    return { user: t.user, refresh: token };
  }

  // --- minting ------------------------------------------------------------------

  private mintAccess(user: string, now: number): string {
    if (this.access.size >= SWEEP_AT) {
      for (const [value, t] of this.access) if (t.dead || now >= t.expiresAt) this.access.delete(value);
    }
    let value = randomHex(this.rng, 40);
    while (this.access.has(value)) value = randomHex(this.rng, 40);
    this.access.set(value, { user, expiresAt: now + this.lifetimeMs, dead: false });
    this.minted++;
    return value;
  }

  private mintRefresh(user: string): string {
    let value = randomHex(this.rng, 40);
    while (this.refresh.has(value)) value = randomHex(this.rng, 40);
    this.refresh.set(value, { user, dead: false });
    return value;
  }
}

/** A seeded alphanumeric string (default secrets and signature keys). */
export function seededText(seed: number, label: string, n: number): string {
  return randomAlphanumeric(Prng.derive(seed, label), n);
}

function err(error: OAuthErrorCode, description: string): OAuthError {
  return { error, description };
}

/** Compares two strings in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Standard base64 (padding optional) decoded to UTF-8; undefined unless it round-trips. */
function strictBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64').replace(/=+$/, '') !== s.replace(/=+$/, '')) return undefined;
  const text = buf.toString('utf8');
  return text === '' || text.includes('\uFFFD') ? undefined : text;
}
