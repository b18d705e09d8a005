// Who may read the simulated System Log: SSWS API tokens, and the OAuth 2.0 service app
// with its access tokens.
//
// POST /oauth2/v1/token (the org authorization server), form fields as Okta documents them
// for a service app: grant_type=client_credentials, scope (required: the org authorization
// server has no default scope), client_assertion_type=urn:ietf:params:oauth:client-assertion-
// type:jwt-bearer, client_assertion = a compact JWS signed with the key registered for the
// app: alg RS256/384/512 (an RSA key) or ES256/384/512 (a P-256/384/521 key), `kid` (when
// sent) the registered key's, iss = sub = client_id, aud = this endpoint's full URL, exp
// ahead and at most an hour ahead (60 s leeway), iat (when sent) not ahead, jti (when sent)
// used once. Each requested scope must be granted to the app.
// Statuses and texts of the refusals are not documented by Okta: 401 invalid_client for any
// problem with the assertion, 400 invalid_scope / invalid_request / unsupported_grant_type
// for the rest, with descriptions in Okta's style (invented where unknown).

import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { Prng, randomAlphanumeric } from '../common/prng.js';
import { oktaId } from './org.js';
import type { OktaServiceAppConfig } from './types.js';
import { jsonObject, remember } from '../common/once-only.js';

export const TOKEN_PATH = '/oauth2/v1/token';
export const LOGS_SCOPE = 'okta.logs.read';
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const HOUR_MS = 3_600_000;
const LEEWAY_MS = 60_000;
/** Expired tokens and remembered jtis are swept once a map holds this many. */
const SWEEP_AT = 10_000;

export type OAuthErrorCode = 'invalid_client' | 'invalid_request' | 'invalid_scope' | 'unsupported_grant_type';

export interface OAuthRefusal {
  readonly status: 400 | 401;
  readonly error: OAuthErrorCode;
  readonly description: string;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

export type GrantResult = { ok: true; token: IssuedToken } | { ok: false; refusal: OAuthRefusal };

/** What an access token allows. */
interface AccessToken {
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
  dead: boolean;
}

/** The curve each ES algorithm needs (node's names). */
const CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
const HASHES: Readonly<Record<string, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

const refuse = (status: 400 | 401, error: OAuthErrorCode, description: string): GrantResult => ({ ok: false, refusal: { status, error, description } });
const badClient = (description: string): GrantResult => refuse(401, 'invalid_client', description);

export class OktaCredentials {
  private readonly apiTokens: Set<string>;
  private readonly revokedApiTokens = new Set<string>();
  readonly clientId: string;
  readonly keyId: string;
  readonly grantedScopes: readonly string[];
  private publicKey: KeyObject;
  /** The private half, when the simulator made the pair. */
  private privatePem: string | undefined;
  private readonly access = new Map<string, AccessToken>();
  private readonly usedJtis = new Map<string, number>();
  private readonly rng: Prng;
  private tokenUrl = '';
  private minted = 0;

  constructor(
    apiTokens: readonly string[],
    app: OktaServiceAppConfig,
    seed: number,
    private readonly lifetimeMs: number,
  ) {
    if (apiTokens.length === 0 || !apiTokens.every((t) => typeof t === 'string' && t.length > 0)) throw new RangeError('apiTokens: non-empty strings');
    this.apiTokens = new Set(apiTokens);
    this.rng = Prng.derive(seed, 'okta-tokens');
    this.clientId = app.clientId ?? oktaId(Prng.derive(seed, 'okta-client-id'), '0oa');
    this.keyId = app.keyId ?? randomAlphanumeric(Prng.derive(seed, 'okta-key-id'), 43);
    this.grantedScopes = app.grantedScopes ?? [LOGS_SCOPE];
    if (app.publicKeyPem !== undefined) {
      try {
        this.publicKey = createPublicKey(app.publicKeyPem);
      } catch (err) {
        throw new RangeError(`serviceApp.publicKeyPem is not a public key: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else {
      const pair = newKeyPair();
      this.publicKey = pair.publicKey;
      this.privatePem = pair.privatePem;
    }
  }

  /** The full URL of the token endpoint once the server listens: what `aud` must name. */
  setTokenUrl(baseUrl: string): void {
    this.tokenUrl = `${baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`;
  }

  get privateKeyPem(): string | undefined {
    return this.privatePem;
  }

  get tokensIssued(): number {
    return this.minted;
  }

  get tokens(): readonly string[] {
    return [...this.apiTokens];
  }

  /** An SSWS token that is known and not revoked. */
  acceptsApiToken(token: string): boolean {
    return this.apiTokens.has(token) && !this.revokedApiTokens.has(token);
  }

  /** The scopes of a live access token, or undefined. */
  accessScopes(token: string, now: number): ReadonlySet<string> | undefined {
    const t = this.access.get(token);
    return t !== undefined && !t.dead && now < t.expiresAt ? t.scopes : undefined;
  }

  revokeApiTokens(): void {
    for (const t of this.apiTokens) this.revokedApiTokens.add(t);
  }

  expireAccessTokens(): void {
    for (const t of this.access.values()) t.dead = true;
  }

  /** Replaces the registered key with a new pair; returns the new private key. Issued tokens stay valid, as in Okta. */
  rotateKey(): string {
    const pair = newKeyPair();
    this.publicKey = pair.publicKey;
    this.privatePem = pair.privatePem;
    return pair.privatePem;
  }

  /** POST /oauth2/v1/token with the form already parsed. */
  grant(form: URLSearchParams, now: number): GrantResult {
    const get = (name: string): string | undefined => {
      const v = form.get(name);
      return v === null || v === '' ? undefined : v;
    };
    const grantType = get('grant_type');
    if (grantType === undefined) return refuse(400, 'invalid_request', "The 'grant_type' parameter is required.");
    if (grantType !== 'client_credentials') return refuse(400, 'unsupported_grant_type', `The grant type '${grantType}' is not supported by a service app.`);
    const assertion = get('client_assertion');
    if (assertion === undefined) return badClient('Client authentication failed. Either the client or the client credentials are invalid.');
    if (get('client_assertion_type') !== ASSERTION_TYPE) return refuse(400, 'invalid_request', "The 'client_assertion_type' parameter is invalid.");

    const checked = this.checkAssertion(assertion, now);
    if (checked !== undefined) return checked;
    const formClient = get('client_id');
    if (formClient !== undefined && formClient !== this.clientId) return badClient("The 'client_id' parameter does not match the client_assertion.");

    const requested = (get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
    if (requested.length === 0) return refuse(400, 'invalid_scope', "The authorization server resource does not have any configured default scopes, 'scope' must be provided.");
    const missing = requested.filter((s) => !this.grantedScopes.includes(s));
    if (missing.length > 0) return refuse(400, 'invalid_scope', `The following scopes were requested, but not granted: ${missing.join(', ')}`);

    return { ok: true, token: { accessToken: this.mint(new Set(requested), now), expiresIn: Math.floor(this.lifetimeMs / 1000), scope: requested.join(' ') } };
  }

  /** Undefined when the assertion is good; the refusal otherwise. */
  private checkAssertion(assertion: string, now: number): GrantResult | undefined {
    const parts = assertion.split('.');
    if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return badClient('The client_assertion is not a valid JWT.');
    const [h, p, s] = parts as [string, string, string];
    const header = jsonObject(Buffer.from(h, 'base64url').toString('utf8'));
    const claims = jsonObject(Buffer.from(p, 'base64url').toString('utf8'));
    if (!header || !claims) return badClient('The client_assertion is not a valid JWT.');
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const hash = HASHES[alg];
    if (hash === undefined) return badClient(`The client_assertion algorithm '${alg}' is not supported.`);
    if (header.kid !== undefined && header.kid !== this.keyId) return badClient('The client_assertion signature is invalid: no registered key has this kid.');
    if (!keyFits(this.publicKey, alg)) return badClient('The client_assertion signature is invalid.');
    const key = alg.startsWith('ES') ? { key: this.publicKey, dsaEncoding: 'ieee-p1363' as const } : this.publicKey;
    if (!verify(hash, Buffer.from(`${h}.${p}`, 'ascii'), key, Buffer.from(s, 'base64url'))) return badClient('The client_assertion signature is invalid.');

    if (claims.iss !== this.clientId || claims.sub !== this.clientId) return badClient("The 'iss' and 'sub' claims of the client_assertion must be the client_id.");
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.includes(this.tokenUrl)) return badClient('The audience claim for client_assertion must be the endpoint invoked for the request.');
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return badClient("The client_assertion must have an 'exp' claim.");
    const exp = claims.exp * 1000;
    if (exp <= now) return badClient('The client_assertion token is expired.');
    if (exp > now + HOUR_MS + LEEWAY_MS) return badClient('The client_assertion token has an expiration too far into the future.');
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat * 1000 > now + LEEWAY_MS)) return badClient("The client_assertion 'iat' claim is in the future.");
    if (claims.jti !== undefined) {
      if (typeof claims.jti !== 'string' || claims.jti === '') return badClient("The client_assertion 'jti' claim is invalid.");
      if (!remember(this.usedJtis, claims.jti, exp + LEEWAY_MS, now)) return badClient("The client_assertion token's 'jti' has already been used.");
    }
    return undefined;
  }

  private mint(scopes: ReadonlySet<string>, now: number): string {
    if (this.access.size >= SWEEP_AT) {
      for (const [value, t] of this.access) if (t.dead || now >= t.expiresAt) this.access.delete(value);
    }
    let value = `eyJ${randomAlphanumeric(this.rng, 80)}`;
    while (this.access.has(value)) value = `eyJ${randomAlphanumeric(this.rng, 80)}`;
    this.access.set(value, { scopes, expiresAt: now + this.lifetimeMs, dead: false });
    this.minted++;
    return value;
  }
}

/** EC P-256: quick to make, and one of the kinds Okta accepts. */
function newKeyPair(): { publicKey: KeyObject; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function keyFits(key: KeyObject, alg: string): boolean {
  if (alg.startsWith('RS')) return key.asymmetricKeyType === 'rsa';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVES[alg];
}
