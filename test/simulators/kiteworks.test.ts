import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startKiteworksSimulator,
  type KiteworksClientConfig,
  type KiteworksSimulator,
  type KiteworksSimulatorOptions,
} from '../../src/simulators/kiteworks/index.js';
import { makeTestPki, rsaKeyPairPem, type TestPki } from '../support/certs.js';
import { assertLiveFeedAddsEvents } from './live-feed-check.js';

const TOKEN_PATH = '/oauth/token';
const ACTIVITIES_PATH = '/rest/admin/activities';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** A fixed instant: 2026-05-01 10:00:00 UTC. */
const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const NOW_S = NOW / 1000;
const DAY = 86_400_000;

const UNAUTHORIZED = { errors: [{ code: 'ERR_AUTH_UNAUTHORIZED', message: 'Unauthorized' }] };
const INVALID_PARAMETER = { errors: [{ code: 'ERR_INVALID_PARAMETER', message: 'Invalid Parameter Exception' }] };
const RATE_LIMITED = { errors: [{ code: 'ERR_REQUEST_LIMIT', message: 'Rate limit exceeded' }] };
const ACCESS_DENIED = { errors: [{ code: 'ERR_ACCESS_USER', message: 'Insufficient permissions' }] };
const WAF = { errors: [{ code: 'ERR_WAF', message: 'Request blocked by WAF' }] };

const jwtKeys = rsaKeyPairPem();
const otherKeys = rsaKeyPairPem();

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

interface Activity extends Record<string, unknown> {
  id: string | number;
  created: string;
}

/** A test clock that only moves when told to. */
class Clock {
  constructor(public t = NOW) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

async function withSim(opts: KiteworksSimulatorOptions, fn: (sim: KiteworksSimulator, clock: Clock) => Promise<void>): Promise<void> {
  const clock = new Clock();
  const sim = await startKiteworksSimulator({ now: clock.now, rateLimit: false, initialEvents: 40, ...opts });
  try {
    await fn(sim, clock);
  } finally {
    await sim.close();
  }
}

interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Trusted CA (HTTPS only); without it the default trust store applies. */
  ca?: string;
}

/** One request over node:http or node:https (no connection reuse). */
function send(url: string, init: SendInit = {}): Promise<Reply> {
  const u = new URL(url);
  const headers = { ...(init.headers ?? {}), ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }) };
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Left empty for bodies that are not JSON.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { method, headers, agent: false, ...(init.ca === undefined ? {} : { ca: init.ca }) }, onResponse)
        : httpRequest(u, { method, headers, agent: false }, onResponse);
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** POST /oauth/token with a form body (fields URL-encoded by URLSearchParams). */
function tokenRequest(sim: KiteworksSimulator, fields: Record<string, string> | string, extra: SendInit = {}): Promise<Reply> {
  const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
  return send(`${sim.url}${TOKEN_PATH}`, { ...extra, body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(extra.headers ?? {}) } });
}

let nonceCounter = 1;

/** The signature-flow code as the vendor documents it. */
function signatureCode(c: { clientId: string; signatureKey: string }, user: string, timestamp: string, nonce = String(nonceCounter++)): string {
  const sig = createHmac('sha1', c.signatureKey).update([c.clientId, user, timestamp, nonce].join('|@@|')).digest('hex');
  return [Buffer.from(c.clientId).toString('base64'), Buffer.from(user).toString('base64'), timestamp, nonce, sig].join('|@@|');
}

function signatureFields(sim: KiteworksSimulator, clock: Clock, over: Record<string, string> = {}): Record<string, string> {
  const c = sim.client;
  return {
    grant_type: 'authorization_code',
    client_id: c.clientId,
    client_secret: c.clientSecret,
    redirect_uri: c.redirectUri,
    code: signatureCode({ clientId: c.clientId, signatureKey: c.signatureKey ?? '' }, c.users?.[0] ?? '', String(Math.floor(clock.t / 1000))),
    ...over,
  };
}

async function getToken(sim: KiteworksSimulator, clock: Clock): Promise<string> {
  const r = await tokenRequest(sim, signatureFields(sim, clock));
  assert.equal(r.status, 200, r.text);
  const token = r.json.access_token;
  assert.equal(typeof token, 'string');
  return token as string;
}

const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function makeJwt(privateKeyPem: string, claims: Record<string, unknown>, alg: 'RS256' | 'RS512' = 'RS512'): string {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign(alg === 'RS256' ? 'sha256' : 'sha512', Buffer.from(`${head}.${body}`), privateKeyPem).toString('base64url');
  return `${head}.${body}.${sig}`;
}

let jtiCounter = 1;

function jwtClaims(sim: KiteworksSimulator, clock: Clock, over: Record<string, unknown> = {}): Record<string, unknown> {
  const s = Math.floor(clock.t / 1000);
  return { iss: sim.client.clientId, sub: sim.client.users?.[0], aud: sim.url, iat: s, nbf: s - 60, exp: s + 300, jti: `jti-${jtiCounter++}`, ...over };
}

function jwtFields(sim: KiteworksSimulator, assertion: string): Record<string, string> {
  return { grant_type: JWT_GRANT, assertion, client_id: sim.client.clientId, client_secret: sim.client.clientSecret };
}

function activities(sim: KiteworksSimulator, token: string | undefined, params: Record<string, string | number>, init: SendInit = {}): Promise<Reply> {
  const url = new URL(`${sim.url}${ACTIVITIES_PATH}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return send(url.toString(), { ...init, headers: { 'X-Accellion-Version': '28', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(init.headers ?? {}) } });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A window covering the default history (a week before NOW) and then some. */
const WIDE = { startDateTime: iso(NOW - 8 * DAY), endDateTime: iso(NOW + DAY) };

function list(r: Reply, key: 'events' | 'data' = 'events'): Activity[] {
  assert.equal(r.status, 200, r.text);
  const items = r.json[key];
  assert.ok(Array.isArray(items), r.text.slice(0, 200));
  return items as Activity[];
}

function createdMs(created: string): number {
  assert.match(created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+0000|\+00:00)$/);
  return Date.parse(created.replace(/\+00:?00$/, 'Z'));
}

function assertOAuthError(r: Reply, error: string): void {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error, error, r.text);
  assert.equal(typeof r.json.error_description, 'string');
}

let pki: TestPki | undefined;
let pkiDir: string | undefined;
async function testPki(): Promise<TestPki> {
  if (!pki) {
    pkiDir = await mkdtemp(join(tmpdir(), 'siphon-kw-pki-'));
    pki = await makeTestPki(pkiDir);
  }
  return pki;
}
after(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

// --- the registered client -------------------------------------------------------------

test('client: defaults are filled in (seeded secret and signature key, admin users, redirect URI, refresh allowed)', async () => {
  await withSim({}, async (sim) => {
    const c: KiteworksClientConfig = sim.client;
    assert.ok(c.clientId.length > 0);
    assert.match(c.clientSecret, /^[A-Za-z0-9]{32}$/);
    assert.match(c.signatureKey ?? '', /^[A-Za-z0-9]{40}$/);
    assert.equal(c.redirectUri, 'https://siphon.invalid/callback');
    assert.equal(c.allowRefresh, true);
    assert.equal(c.users?.[0], 'admin@example-corp.com');
    assert.ok((c.users?.length ?? 0) >= 2);
    assert.equal(c.jwtPublicKeyPem, undefined);
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
  // Same seed, same client and events; options override.
  const a = await startKiteworksSimulator({ seed: 7, now: () => NOW, initialEvents: 20 });
  const b = await startKiteworksSimulator({ seed: 7, now: () => NOW, initialEvents: 20, client: { clientId: 'siphon', users: ['soc@example-corp.com'], allowRefresh: false } });
  try {
    assert.deepEqual(a.events(), b.events());
    assert.equal(b.client.clientId, 'siphon');
    assert.deepEqual(b.client.users, ['soc@example-corp.com']);
    assert.equal(b.client.clientSecret, a.client.clientSecret);
  } finally {
    await a.close();
    await b.close();
  }
});

// --- signature flow --------------------------------------------------------------------

test('signature flow: a correct code gets a bearer token (no-store, numeric expires_in, scope, refresh token)', async () => {
  await withSim({}, async (sim, clock) => {
    const r = await tokenRequest(sim, signatureFields(sim, clock));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(r.json), ['access_token', 'expires_in', 'token_type', 'scope', 'refresh_token']);
    assert.match(r.json.access_token as string, /^[0-9a-f]{40}$/);
    assert.equal(r.json.expires_in, 3600);
    assert.equal(r.json.token_type, 'bearer');
    assert.equal(r.json.scope, 'GET/admin/* GET/users/*');
    assert.match(r.json.refresh_token as string, /^[0-9a-f]{40}$/);
    assert.equal(list(await activities(sim, r.json.access_token as string, WIDE)).length, 40);

    // Timestamps in milliseconds (as one Java client sends), a narrower scope, another allowed admin,
    // and names and values percent-encoded beyond what URLSearchParams does.
    const c = sim.client;
    const other = c.users?.[1] ?? '';
    const code = signatureCode({ clientId: c.clientId, signatureKey: c.signatureKey ?? '' }, other, String(clock.t - 30_000));
    const enc = (s: string): string => encodeURIComponent(s).replace(/_/g, '%5F');
    const raw = [['grant_type', 'authorization_code'], ['client_id', c.clientId], ['client_secret', c.clientSecret], ['redirect_uri', c.redirectUri], ['code', code], ['scope', 'GET/admin/*']]
      .map(([k, v]) => `${enc(k ?? '')}=${enc(v ?? '')}`)
      .join('&');
    const ms = await tokenRequest(sim, raw);
    assert.equal(ms.status, 200, ms.text);
    assert.equal(ms.json.scope, 'GET/admin/*');

    // Client credentials as HTTP Basic instead of the form.
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64');
    const { client_id: _id, client_secret: _secret, ...rest } = signatureFields(sim, clock);
    const viaBasic = await tokenRequest(sim, rest, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(viaBasic.status, 200, viaBasic.text);

    const stats = sim.stats();
    assert.equal(stats.tokenRequests, 3);
    assert.equal(stats.tokensIssued, 3);
    assert.deepEqual(stats.grants, { authorization_code: 3 });
  });
});

test('signature flow: bad HMAC, wrong redirect_uri, expired or future timestamp, replay, unknown user, bad nonce are refused', async () => {
  await withSim({}, async (sim, clock) => {
    const c = sim.client;
    const key = { clientId: c.clientId, signatureKey: c.signatureKey ?? '' };
    const admin = c.users?.[0] ?? '';
    const ts = String(NOW_S);

    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode({ ...key, signatureKey: 'wrong-key' }, admin, ts) })), 'invalid_grant');
    // A valid signature over different text than the code carries.
    const tampered = signatureCode(key, admin, ts, '41').replace('|@@|41|@@|', '|@@|42|@@|');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: tampered })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { redirect_uri: 'https://siphon.invalid/other' })), 'invalid_grant');
    const { redirect_uri: _r, ...noRedirect } = signatureFields(sim, clock);
    assertOAuthError(await tokenRequest(sim, noRedirect), 'invalid_request');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, String(NOW_S - 3601)) })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, String(NOW - 3_601_000)) })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, String(NOW_S + 600)) })), 'invalid_grant');
    // An hour old exactly is still fine.
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, String(NOW_S - 3600)) }))).status, 200);
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, 'someone@example-corp.com', ts) })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, ts, '0') })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode(key, admin, ts, '1000000') })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: signatureCode({ ...key, clientId: 'other-app' }, admin, ts) })), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: 'not-a-code' })), 'invalid_grant');

    const once = signatureCode(key, admin, ts, '999999');
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock, { code: once }))).status, 200);
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { code: once })), 'invalid_grant');
    assert.equal(sim.stats().grants.authorization_code, 2);
    assert.equal(sim.stats().lastRequests.at(-1)?.detail, 'Authorization code has already been used');
  });
});

test('token endpoint: client authentication, grant types, body format and scope errors', async () => {
  await withSim({}, async (sim, clock) => {
    const c = sim.client;
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { client_secret: 'nope' })), 'invalid_client');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { client_id: 'someone-else' })), 'invalid_client');
    const { client_secret: _s, ...noSecret } = signatureFields(sim, clock);
    assertOAuthError(await tokenRequest(sim, noSecret), 'invalid_client');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { grant_type: 'password' })), 'unsupported_grant_type');
    const { grant_type: _g, ...noGrant } = signatureFields(sim, clock);
    assertOAuthError(await tokenRequest(sim, noGrant), 'invalid_request');
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { scope: '*/files/*' })), 'invalid_scope');
    // JSON is not a form; a repeated field is refused.
    const json = await send(`${sim.url}${TOKEN_PATH}`, { body: JSON.stringify(signatureFields(sim, clock)), headers: { 'content-type': 'application/json' } });
    assertOAuthError(json, 'invalid_request');
    assertOAuthError(await tokenRequest(sim, `${new URLSearchParams(signatureFields(sim, clock)).toString()}&client_id=${encodeURIComponent(c.clientId)}`), 'invalid_request');
    // The JWT flow is off unless a public key is registered.
    assertOAuthError(await tokenRequest(sim, jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock)))), 'unauthorized_client');
    assert.deepEqual(sim.stats().grants, {});
    assert.equal(sim.stats().tokensIssued, 0);
    // Wrong method and unknown paths.
    const get = await send(`${sim.url}${TOKEN_PATH}`);
    assert.equal(get.status, 405);
    const missing = await send(`${sim.url}/rest/admin/nothing`);
    assert.equal(missing.status, 404);
    assert.ok(Array.isArray(missing.json.errors));
  });
  await withSim({ client: { signatureKey: '' } }, async (sim, clock) => {
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock)), 'unauthorized_client');
  });
});

// --- JWT assertion flow ------------------------------------------------------------------

test('JWT flow: RS512 and RS256 assertions signed with the registered key get tokens; aud with or without a slash', async () => {
  await withSim({ client: { jwtPublicKeyPem: jwtKeys.publicKeyPem } }, async (sim, clock) => {
    const r = await tokenRequest(sim, jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock))));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.token_type, 'bearer');
    assert.equal(typeof r.json.refresh_token, 'string');
    assert.equal(list(await activities(sim, r.json.access_token as string, WIDE)).length, 40);
    const rs256 = await tokenRequest(sim, jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { aud: `${sim.url}/` }), 'RS256')));
    assert.equal(rs256.status, 200, rs256.text);
    // kitebroker writes aud as https://<host> whatever the scheme it reaches.
    const httpsAud = await tokenRequest(sim, jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { aud: sim.url.replace('http:', 'https:'), sub: 'ADMIN@example-corp.com' }))));
    assert.equal(httpsAud.status, 200, httpsAud.text);
    assert.deepEqual(sim.stats().grants, { [JWT_GRANT]: 3 });
  });
});

test('JWT flow: wrong key, wrong aud/iss/sub, expired, too long, not yet valid, replayed jti, bad alg are invalid_grant', async () => {
  await withSim({ client: { jwtPublicKeyPem: jwtKeys.publicKeyPem } }, async (sim, clock) => {
    const refused = async (assertion: string): Promise<void> => assertOAuthError(await tokenRequest(sim, jwtFields(sim, assertion)), 'invalid_grant');
    await refused(makeJwt(otherKeys.privateKeyPem, jwtClaims(sim, clock)));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { aud: 'https://kiteworks.example.com' })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { aud: `${sim.url}/oauth/token` })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { iss: 'another-app' })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { sub: 'intruder@example-corp.com' })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { exp: NOW_S - 1 })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { exp: NOW_S + 7200 })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { nbf: NOW_S + 600 })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { iat: NOW_S + 600 })));
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { jti: undefined })));
    await refused('not.a.jwt');
    // alg none / HS256 are not accepted.
    const claims = b64url(JSON.stringify(jwtClaims(sim, clock)));
    await refused(`${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${claims}.AAAA`);
    await refused(`${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${claims}.${createHmac('sha256', sim.client.clientSecret).update('x').digest('base64url')}`);
    // Within the 60 s leeway for nbf/iat.
    assert.equal((await tokenRequest(sim, jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { iat: NOW_S + 30, nbf: NOW_S + 30 }))))).status, 200);

    const once = makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { jti: 'only-once' }));
    assert.equal((await tokenRequest(sim, jwtFields(sim, once))).status, 200);
    await refused(once);
    // A new assertion with the used jti is a replay too.
    await refused(makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { jti: 'only-once', iat: NOW_S + 1 })));
    // Client credentials are still required.
    assertOAuthError(await tokenRequest(sim, { ...jwtFields(sim, makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock))), client_secret: 'wrong' }), 'invalid_client');
    // Later, an assertion made then has expired.
    const made = makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock));
    clock.advance(301_000);
    await refused(made);
  });
});

// --- refresh ---------------------------------------------------------------------------

test('refresh: a refresh token gets new access tokens and comes back unchanged until revoked', async () => {
  await withSim({ tokenLifetimeSeconds: 60 }, async (sim, clock) => {
    const refresh = sim.issueRefreshToken();
    const fields = { grant_type: 'refresh_token', client_id: sim.client.clientId, client_secret: sim.client.clientSecret, refresh_token: refresh };
    const first = await tokenRequest(sim, fields);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.refresh_token, refresh);
    assert.equal(first.json.expires_in, 60);
    clock.advance(61_000);
    assertOAuthError(await tokenRequest(sim, { ...fields, refresh_token: 'f'.repeat(40) }), 'invalid_grant');
    assert.deepEqual((await activities(sim, first.json.access_token as string, WIDE)).json, UNAUTHORIZED);
    const second = await tokenRequest(sim, fields);
    assert.equal(second.json.refresh_token, refresh);
    assert.notEqual(second.json.access_token, first.json.access_token);
    assert.equal((await activities(sim, second.json.access_token as string, WIDE)).status, 200);

    // The refresh token of a signature-flow grant works the same way.
    const granted = await tokenRequest(sim, signatureFields(sim, clock));
    assert.equal((await tokenRequest(sim, { ...fields, refresh_token: granted.json.refresh_token as string })).status, 200);

    sim.faults.revokeRefreshTokens();
    assertOAuthError(await tokenRequest(sim, fields), 'invalid_grant');
    assertOAuthError(await tokenRequest(sim, { ...fields, refresh_token: granted.json.refresh_token as string }), 'invalid_grant');
    // Access tokens already issued live on.
    assert.equal((await activities(sim, second.json.access_token as string, WIDE)).status, 200);
    assert.deepEqual(sim.stats().grants, { refresh_token: 3, authorization_code: 1 });
    assert.throws(() => sim.issueRefreshToken('nobody@example-corp.com'), RangeError);
  });
});

test('refresh: a client without refresh gets no refresh_token and unauthorized_client on the refresh grant', async () => {
  await withSim({ client: { allowRefresh: false } }, async (sim, clock) => {
    const r = await tokenRequest(sim, signatureFields(sim, clock));
    assert.equal(r.status, 200);
    assert.equal(Object.hasOwn(r.json, 'refresh_token'), false);
    const refresh = sim.issueRefreshToken();
    assertOAuthError(await tokenRequest(sim, { grant_type: 'refresh_token', client_id: sim.client.clientId, client_secret: sim.client.clientSecret, refresh_token: refresh }), 'unauthorized_client');
  });
});

test('expires_in: a number by default, a string by switch; the lifetime option applies', async () => {
  await withSim({ tokenLifetimeSeconds: 900 }, async (sim, clock) => {
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock))).json.expires_in, 900);
    sim.faults.expiresInAsString(true);
    const r = await tokenRequest(sim, signatureFields(sim, clock));
    assert.equal(r.json.expires_in, '900');
    assert.match(r.text, /"expires_in":"900"/);
    sim.faults.reset();
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock))).json.expires_in, 900);
  });
});

// --- bearer ------------------------------------------------------------------------------

test('bearer: missing, unknown, expired, expired-by-switch and revoked tokens get 401 ERR_AUTH_UNAUTHORIZED', async () => {
  await withSim({ tokenLifetimeSeconds: 10 }, async (sim, clock) => {
    const missing = await activities(sim, undefined, WIDE);
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json, UNAUTHORIZED);
    assert.deepEqual((await activities(sim, 'a'.repeat(40), WIDE)).json, UNAUTHORIZED);
    assert.deepEqual((await send(`${sim.url}${ACTIVITIES_PATH}?${new URLSearchParams(WIDE).toString()}`, { headers: { authorization: 'Basic eDp5' } })).json, UNAUTHORIZED);

    const a = await getToken(sim, clock);
    assert.equal((await activities(sim, a, WIDE)).status, 200);
    clock.advance(9_999);
    assert.equal((await activities(sim, a, WIDE)).status, 200);
    clock.advance(1);
    const expired = await activities(sim, a, WIDE);
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.json, UNAUTHORIZED);

    const b = await getToken(sim, clock);
    const c = await getToken(sim, clock);
    assert.equal(sim.faults.revokeAccessToken(b), true);
    assert.equal(sim.faults.revokeAccessToken('unknown'), false);
    assert.deepEqual((await activities(sim, b, WIDE)).json, UNAUTHORIZED);
    assert.equal((await activities(sim, c, WIDE)).status, 200);
    sim.faults.expireAccessTokensNow();
    assert.deepEqual((await activities(sim, c, WIDE)).json, UNAUTHORIZED);
    assert.equal((await activities(sim, await getToken(sim, clock), WIDE)).status, 200);
    assert.equal(sim.stats().lastRequests.at(-1)?.tokenSuffix?.length, 6);
  });
});

test('secret rotation: the old secret gets invalid_client, the new one works, issued tokens keep working', async () => {
  await withSim({}, async (sim, clock) => {
    const old = sim.client.clientSecret;
    const token = await getToken(sim, clock);
    const fresh = sim.faults.rotateClientSecret();
    assert.notEqual(fresh, old);
    assert.equal(sim.client.clientSecret, fresh);
    assertOAuthError(await tokenRequest(sim, signatureFields(sim, clock, { client_secret: old })), 'invalid_client');
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock))).status, 200);
    assert.equal((await activities(sim, token, WIDE)).status, 200);
    // reset() does not bring the old secret back.
    sim.faults.reset();
    assert.equal(sim.client.clientSecret, fresh);
  });
});

test('X-Accellion-Version: any value is served and recorded; a missing one is served and counted', async () => {
  await withSim({}, async (sim, clock) => {
    const token = await getToken(sim, clock);
    assert.equal((await activities(sim, token, WIDE)).status, 200);
    assert.equal((await activities(sim, token, WIDE, { headers: { 'X-Accellion-Version': '15' } })).status, 200);
    assert.equal((await activities(sim, token, WIDE, { headers: { 'X-Accellion-Version': '28' } })).status, 200);
    const url = `${sim.url}${ACTIVITIES_PATH}?${new URLSearchParams(WIDE).toString()}`;
    assert.equal((await send(url, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const stats = sim.stats();
    assert.deepEqual(stats.versionHeaders, ['28', '15']);
    assert.equal(stats.versionMissing, 1);
    assert.equal(stats.requests, 4);
    assert.deepEqual(stats.requestTimes, [NOW, NOW, NOW, NOW]);
  });
});

// --- query parameters -----------------------------------------------------------------

test('query: startDateTime/endDateTime are required UTC ISO 8601 date-times (422 otherwise); start > end is 422', async () => {
  await withSim({}, async (sim, clock) => {
    const token = await getToken(sim, clock);
    const bad = async (params: Record<string, string>): Promise<void> => {
      const r = await activities(sim, token, params);
      assert.equal(r.status, 422, JSON.stringify(params));
      assert.deepEqual(r.json, INVALID_PARAMETER);
    };
    await bad({});
    await bad({ startDateTime: WIDE.startDateTime });
    await bad({ endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: '', endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: '2026-04-01', endDateTime: '2026-05-01' });
    await bad({ startDateTime: '2026-04-01T00:00:00', endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: '2026-04-01T00:00:00+0200', endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: '2026-02-30T00:00:00Z', endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: '1714557600', endDateTime: WIDE.endDateTime });
    await bad({ startDateTime: iso(NOW), endDateTime: iso(NOW - 1000) });
    // A "+" left unencoded in the query string arrives as a space.
    const raw = `${sim.url}${ACTIVITIES_PATH}?startDateTime=2026-04-01T00:00:00+0000&endDateTime=2026-05-01T00:00:00%2B0000`;
    const plus = await send(raw, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual([plus.status, plus.json], [422, INVALID_PARAMETER]);
    for (const [start, end] of [
      ['2026-04-24T00:00:00Z', '2026-05-02T00:00:00Z'],
      ['2026-04-24T00:00:00.000Z', '2026-05-01T23:59:59.999Z'],
      ['2026-04-24T00:00:00+0000', '2026-05-02T00:00:00+0000'],
      ['2026-04-24T00:00:00+00:00', '2026-05-02T00:00:00.5+00:00'],
    ] as const) {
      assert.equal(list(await activities(sim, token, { startDateTime: start, endDateTime: end })).length, 40, `${start} ${end}`);
    }
    // start == end is a valid (one-second) window.
    assert.equal((await activities(sim, token, { startDateTime: iso(NOW), endDateTime: iso(NOW) })).status, 200);
    const refusals = sim.stats().lastRequests.filter((r) => r.code === 'ERR_INVALID_PARAMETER');
    assert.equal(refusals.length, 11);
    assert.equal(refusals.at(-1)?.detail, 'startDateTime/endDateTime is not a UTC ISO 8601 date-time');
  });
});

test('query: limit 1..10000 (default 100), offset >= 0, orderBy created:asc|desc; maxRangeDays when set', async () => {
  await withSim({ initialEvents: 150 }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    const refused: Array<Record<string, string>> = [{ limit: '0' }, { limit: '10001' }, { limit: '-1' }, { limit: 'ten' }, { limit: '1.5' }, { offset: '-1' }, { offset: 'x' }, { orderBy: 'created' }, { orderBy: 'username:asc' }];
    for (const params of refused) {
      const r = await activities(sim, token, { ...WIDE, ...params });
      assert.deepEqual([r.status, r.json], [422, INVALID_PARAMETER], JSON.stringify(params));
    }
    assert.equal(list(await activities(sim, token, WIDE)).length, 100);
    assert.equal(list(await activities(sim, token, { ...WIDE, limit: 10_000 })).length, 150);
    assert.equal(list(await activities(sim, token, { ...WIDE, limit: 1 })).length, 1);
    assert.equal(list(await activities(sim, token, { ...WIDE, offset: 1000 })).length, 0);
    // compact and unknown parameters are ignored.
    assert.equal(list(await activities(sim, token, { ...WIDE, compact: 'false', maxPages: -1 })).length, 100);
  });
  await withSim({ maxRangeDays: 29 }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    assert.equal((await activities(sim, token, { startDateTime: iso(NOW - 29 * DAY), endDateTime: iso(NOW) })).status, 200);
    const wide = await activities(sim, token, { startDateTime: iso(NOW - 29 * DAY - 1000), endDateTime: iso(NOW) });
    assert.deepEqual([wide.status, wide.json], [422, INVALID_PARAMETER]);
  });
});

test('paging: created:asc pages walked by offset until a short page match the ground truth; desc is the exact reverse', async () => {
  await withSim({ history: [{ from: NOW - 3 * DAY, to: NOW, count: 230 }] }, async (sim, clock) => {
    // Ties: three at one instant, in insertion order.
    const tied = sim.addEvents(3, { at: NOW - DAY });
    const token = await getToken(sim, clock);
    const window = { startDateTime: iso(NOW - 2 * DAY), endDateTime: iso(NOW) };
    const truth = (sim.events('events') as Activity[]).filter((e) => createdMs(e.created) >= NOW - 2 * DAY && createdMs(e.created) <= NOW);
    assert.ok(truth.length > 100);

    const walk = async (orderBy: string, limit: number): Promise<{ items: Activity[]; pages: number[] }> => {
      const items: Activity[] = [];
      const pages: number[] = [];
      for (let offset = 0; ; offset += limit) {
        const page = list(await activities(sim, token, { ...window, orderBy, offset, limit }));
        pages.push(page.length);
        items.push(...page);
        if (page.length < limit) return { items, pages };
      }
    };
    const asc = await walk('created:asc', 40);
    assert.deepEqual(asc.items.map((e) => e.id), truth.map((e) => e.id));
    assert.deepEqual(asc.items, truth);
    assert.equal(asc.pages.at(-1), truth.length % 40);
    assert.ok(asc.pages.slice(0, -1).every((n) => n === 40));
    for (let i = 1; i < asc.items.length; i++) assert.ok(createdMs(asc.items[i - 1]?.created ?? '') <= createdMs(asc.items[i]?.created ?? ''));
    const tiedIds = tied.map((e) => e.id);
    const tiedServed = asc.items.filter((e) => tiedIds.includes(e.id)).map((e) => e.id);
    assert.deepEqual(tiedServed, tiedIds);

    const desc = await walk('created:desc', 33);
    assert.deepEqual(desc.items.map((e) => e.id), truth.map((e) => e.id).reverse());
    // The default order is desc.
    const first = list(await activities(sim, token, { ...window, limit: 5 }));
    assert.deepEqual(first.map((e) => e.id), desc.items.slice(0, 5).map((e) => e.id));
    // An exact multiple of the page size ends with an empty page.
    const exact = truth.length;
    const pages = [list(await activities(sim, token, { ...window, orderBy: 'created:asc', limit: exact })).length, list(await activities(sim, token, { ...window, orderBy: 'created:asc', limit: exact, offset: exact })).length];
    assert.deepEqual(pages, [exact, 0]);
  });
});

test('window bounds: inclusive at second precision (fractions of the parameters are dropped)', async () => {
  await withSim({ initialEvents: 0 }, async (sim, clock) => {
    const t = NOW - 3_600_000;
    const [a] = sim.addEvents(1, { at: t + 400 });
    const token = await getToken(sim, clock);
    const ids = async (start: string, end: string): Promise<unknown[]> => list(await activities(sim, token, { startDateTime: start, endDateTime: end })).map((e) => e.id);
    assert.equal(a?.created, '2026-05-01T09:00:00+0000');
    assert.deepEqual(await ids(iso(t), iso(t)), [a?.id]);
    assert.deepEqual(await ids('2026-05-01T09:00:00.999Z', '2026-05-01T09:00:00.001Z'), [a?.id]);
    assert.deepEqual(await ids('2026-05-01T09:00:01Z', iso(NOW)), []);
    assert.deepEqual(await ids(iso(t - 60_000), '2026-05-01T08:59:59.999Z'), []);
  });
});

test('shapes: the same activities as {"events":[…]} (UUID ids) and {"data":[…]} (integer ids); +0000 or +00:00', async () => {
  await withSim({ initialEvents: 60 }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    const events = sim.events('events');
    const data = sim.events('data');
    assert.equal(events.length, 60);
    assert.equal(data.length, 60);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as Record<string, unknown>;
      const d = data[i] as Record<string, unknown>;
      assert.deepEqual(Object.keys(e), ['id', 'created', 'eventName', 'description', 'successful', 'userName', 'ipAddress', 'clientName', 'geolocationId', 'userAgent', 'alertUuid', 'data']);
      assert.deepEqual(Object.keys(d), ['id', 'created', 'event', 'message', 'type', 'successful', 'user', 'permissions', 'data']);
      assert.match(e.id as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(Number.isSafeInteger(d.id));
      assert.equal(e.created, d.created);
      assert.match(e.created as string, /^2026-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
      assert.equal(e.eventName, d.event);
      assert.equal(e.description, d.message);
      assert.equal(e.successful, d.successful);
      assert.equal(e.userName, (d.user as Record<string, unknown>).email);
      assert.deepEqual(e.data, d.data);
      assert.equal(typeof e.geolocationId, 'number');
      assert.ok(Array.isArray(d.permissions));
    }
    // Integer ids are an auto-increment in insertion order; UUIDs are unique.
    assert.equal(new Set(events.map((e) => e.id)).size, 60);
    assert.equal(new Set(data.map((e) => e.id)).size, 60);

    const servedEvents = list(await activities(sim, token, { ...WIDE, orderBy: 'created:asc' }));
    assert.deepEqual(servedEvents, events);
    sim.faults.responseShape('data');
    const served = await activities(sim, token, { ...WIDE, orderBy: 'created:asc' });
    assert.equal(Object.hasOwn(served.json, 'events'), false);
    assert.deepEqual(list(served, 'data'), data);
    assert.deepEqual(sim.events(), data);

    sim.faults.createdOffsetStyle('+00:00');
    const colon = list(await activities(sim, token, { ...WIDE, orderBy: 'created:asc' }), 'data');
    assert.ok(colon.every((e) => /\+00:00$/.test(e.created)));
    assert.deepEqual(colon.map((e) => createdMs(e.created)), data.map((e) => createdMs(e.created as string)));
    assert.ok(sim.events('events').every((e) => (e.created as string).endsWith('+00:00')));
    sim.faults.reset();
    assert.ok(list(await activities(sim, token, WIDE)).every((e) => e.created.endsWith('+0000')));
  });
  await withSim({ responseShape: 'data' }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    assert.equal(list(await activities(sim, token, WIDE), 'data').length, 40);
    sim.faults.reset();
    assert.equal(list(await activities(sim, token, WIDE), 'data').length, 40);
  });
});

test('activities look real: logins and failed logins, uploads, downloads, mail, permissions, admin actions, IPv6, several clients', async () => {
  await withSim({ initialEvents: 3000 }, async (sim) => {
    const events = sim.events('events');
    const names = new Set(events.map((e) => e.eventName as string));
    for (const name of [
      'user_logged_in', 'admin_logged_in', 'session_started', 'user_login_failed', 'tfa_login_failed', 'add_file', 'add_file_version', 'upload',
      'download_file', 'download', 'download_zip', 'send_mail', 'view_mail', 'view_file', 'add_permission', 'modify_permission', 'delete_permission',
      'move_file', 'delete_file', 'add_user', 'change_user_role', 'update_policy',
    ]) {
      assert.ok(names.has(name), name);
    }
    const failed = events.filter((e) => /_failed$/.test(e.eventName as string));
    assert.ok(failed.length > 0 && failed.every((e) => e.successful === false));
    assert.ok(events.filter((e) => !/_failed$/.test(e.eventName as string)).every((e) => e.successful === true));
    assert.ok(events.some((e) => (e.ipAddress as string).includes(':')));
    assert.ok(new Set(events.map((e) => e.clientName)).size >= 5);
    const upload = events.find((e) => e.eventName === 'add_file');
    const file = (upload?.data as Record<string, Record<string, unknown>>).file;
    assert.deepEqual(['id', 'name', 'path', 'size'].map((k) => typeof file?.[k]), ['string', 'string', 'string', 'number']);
    const mail = events.find((e) => e.eventName === 'send_mail');
    assert.ok(Array.isArray((mail?.data as Record<string, unknown>).recipients));
    assert.ok(events.some((e) => typeof e.alertUuid === 'string'));
  });
});

test('filters: eventFilters:in (encoded %3A or not) selects categories; userId selects one user', async () => {
  await withSim({ initialEvents: 400 }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    const loginNames = new Set(['user_logged_in', 'admin_logged_in', 'session_started', 'user_login_failed', 'admin_login_failed', 'tfa_login_failed']);
    const expected = sim.events('events').filter((e) => loginNames.has(e.eventName as string)).map((e) => e.id);
    assert.ok(expected.length > 0);
    // URLSearchParams encodes the colon in the name: eventFilters%3Ain=…
    const url = new URL(`${sim.url}${ACTIVITIES_PATH}`);
    url.searchParams.set('eventFilters:in', 'valid_login,invalid_login');
    for (const [k, v] of Object.entries({ ...WIDE, orderBy: 'created:asc', limit: '10000' })) url.searchParams.set(k, v);
    assert.match(url.search, /eventFilters%3Ain=valid_login%2Cinvalid_login/);
    const encoded = list(await send(url.toString(), { headers: { authorization: `Bearer ${token}` } }));
    assert.deepEqual(encoded.map((e) => e.id), expected);
    const plain = list(await send(url.toString().replace('eventFilters%3Ain', 'eventFilters:in'), { headers: { authorization: `Bearer ${token}` } }));
    assert.deepEqual(plain.map((e) => e.id), expected);
    assert.equal(sim.stats().lastRequests.at(-1)?.query['eventFilters:in'], 'valid_login,invalid_login');

    const failedOnly = list(await activities(sim, token, { ...WIDE, 'eventFilters:in': 'invalid_login', limit: 10_000 }));
    assert.ok(failedOnly.length > 0 && failedOnly.every((e) => e.successful === false));
    // Paging applies after the filter.
    const page2 = list(await activities(sim, token, { ...WIDE, 'eventFilters:in': 'valid_login,invalid_login', orderBy: 'created:asc', offset: 3, limit: 4 }));
    assert.deepEqual(page2.map((e) => e.id), expected.slice(3, 7));
    assert.deepEqual(list(await activities(sim, token, { ...WIDE, 'eventFilters:in': 'no_such_category' })), []);

    const data = sim.events('data');
    const someone = (data[0]?.user as Record<string, string>).userId ?? '';
    const theirs = data.filter((e) => (e.user as Record<string, string>).userId === someone).map((e) => e.id);
    sim.faults.responseShape('data');
    const byUser = list(await activities(sim, token, { ...WIDE, userId: someone, orderBy: 'created:asc', limit: 10_000 }), 'data');
    assert.deepEqual(byUser.map((e) => e.id), theirs);
  });
});

// --- limits and faults ---------------------------------------------------------------------

test('rate limit: over 30 requests in a second (token endpoint and API together) get 403 ERR_REQUEST_LIMIT', async () => {
  await withSim({ rateLimit: { perSecond: 30 } }, async (sim, clock) => {
    const token = await getToken(sim, clock);
    for (let i = 0; i < 29; i++) assert.equal((await activities(sim, token, { ...WIDE, limit: 1 })).status, 200, `request ${i + 2}`);
    const over = await activities(sim, token, { ...WIDE, limit: 1 });
    assert.equal(over.status, 403);
    assert.deepEqual(over.json, RATE_LIMITED);
    const tokenOver = await tokenRequest(sim, signatureFields(sim, clock));
    assert.deepEqual([tokenOver.status, tokenOver.json], [403, RATE_LIMITED]);
    clock.advance(1_000);
    assert.equal((await activities(sim, token, { ...WIDE, limit: 1 })).status, 200);
    const stats = sim.stats();
    assert.equal(stats.lastRequests.filter((r) => r.code === 'ERR_REQUEST_LIMIT').length, 2);
    assert.equal(stats.requests, 31);
  });
});

test('faults: injected 403 rate limits pass; ERR_ACCESS_USER persists until switched off', async () => {
  await withSim({}, async (sim, clock) => {
    const token = await getToken(sim, clock);
    sim.faults.rateLimitNext(2);
    for (let i = 0; i < 2; i++) assert.deepEqual((await activities(sim, token, WIDE)).json, RATE_LIMITED);
    assert.equal((await activities(sim, token, WIDE)).status, 200);
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 2 });
    const withHint = await activities(sim, token, WIDE);
    assert.deepEqual([withHint.status, withHint.headers['retry-after']], [403, '2']);

    sim.faults.denyActivityLog(true);
    for (let i = 0; i < 5; i++) {
      const r = await activities(sim, token, WIDE);
      assert.deepEqual([r.status, r.json], [403, ACCESS_DENIED]);
    }
    // A bad token is still 401 first.
    assert.equal((await activities(sim, 'bad', WIDE)).status, 401);
    sim.faults.denyActivityLog(false);
    assert.equal((await activities(sim, token, WIDE)).status, 200);
  });
});

test('faults: 490 WAF, 5xx, malformed 200s, then normal service', async () => {
  await withSim({}, async (sim, clock) => {
    const token = await getToken(sim, clock);
    sim.faults.wafBlockNext(1);
    const waf = await activities(sim, token, WIDE);
    assert.deepEqual([waf.status, waf.json], [490, WAF]);
    sim.faults.serverErrorNext(1);
    const e500 = await activities(sim, token, WIDE);
    assert.equal(e500.status, 500);
    assert.equal((e500.json.errors as Array<Record<string, string>>)[0]?.code, 'ERR_INTERNAL_SERVER_ERROR');
    sim.faults.serverErrorNext(1, 503);
    const e503 = await activities(sim, token, WIDE);
    assert.equal(e503.status, 503);
    assert.match(e503.text, /<html>/);
    sim.faults.malformedNext(5);
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await activities(sim, token, WIDE);
      assert.equal(r.status, 200);
      const items = r.json.events;
      assert.ok(!Array.isArray(items) || items.some((x) => x === null), r.text);
      bodies.add(r.text);
    }
    assert.equal(bodies.size, 5);
    // A query error does not use up a malformed answer.
    sim.faults.malformedNext(1);
    assert.equal((await activities(sim, token, {})).status, 422);
    assert.equal((await activities(sim, token, WIDE)).json.events, undefined);
    assert.equal(list(await activities(sim, token, WIDE)).length, 40);
    sim.faults.serverErrorNext(3);
    sim.faults.reset();
    assert.equal((await activities(sim, token, WIDE)).status, 200);
  });
});

test('late events: stamped 5-300 s before now, visible now, at their place in the order', async () => {
  await withSim({ initialEvents: 100, historyMs: 3_600_000 }, async (sim) => {
    const late = sim.addEvents(20, { late: true });
    for (const e of late) {
      const age = NOW - createdMs(e.created as string);
      assert.ok(age >= 5_000 && age <= 300_000, String(age));
    }
    const all = sim.events('events');
    assert.equal(all.length, 120);
    for (let i = 1; i < all.length; i++) assert.ok(createdMs(all[i - 1]?.created as string) <= createdMs(all[i]?.created as string));
    const ids = new Set(all.map((e) => e.id));
    assert.ok(late.every((e) => ids.has(e.id)));
    // In the spec shape, late events have the newest integer ids (insertion order), whatever their time.
    const data = sim.events('data');
    const lateIds = new Set(late.map((e) => e.id));
    const isLate = (i: number): boolean => lateIds.has(all[i]?.id);
    const historyIntIds = data.filter((_, i) => !isLate(i)).map((e) => e.id as number);
    const lateIntIds = data.filter((_, i) => isLate(i)).map((e) => e.id as number);
    assert.equal(lateIntIds.length, 20);
    assert.ok(lateIntIds.every((id) => id > Math.max(...historyIntIds)));
  });
});

test('live feed adds events by itself; close() stops it', async () => {
  await assertLiveFeedAddsEvents(() => startKiteworksSimulator({ initialEvents: 0, liveEventsPerSecond: 200, rateLimit: false }));
});

// --- control routes ---------------------------------------------------------------------------

test('control routes: stats, faults as JSON (checked before applying), add events, ground truth in either shape', async () => {
  await withSim({}, async (sim, clock) => {
    const token = await getToken(sim, clock);
    const post = (path: string, body: unknown): Promise<Reply> => send(`${sim.url}${path}`, { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

    const snap = await send(`${sim.url}/__sim/faults`);
    assert.equal(snap.json.clientSecret, sim.client.clientSecret);
    assert.equal(snap.json.responseShape, 'events');

    const applied = await post('/__sim/faults', { wafBlockNext: 1, responseShape: 'data', createdOffsetStyle: '+00:00', expiresInAsString: true, rateLimitNext: { n: 1 } });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.json.wafBlockNext, 1);
    assert.equal((await activities(sim, token, WIDE)).status, 490);
    assert.equal((await activities(sim, token, WIDE)).status, 403);
    const served = list(await activities(sim, token, WIDE), 'data');
    assert.ok(served.every((e) => typeof e.id === 'number' && e.created.endsWith('+00:00')));
    assert.equal((await tokenRequest(sim, signatureFields(sim, clock))).json.expires_in, '3600');

    // A bad body changes nothing.
    const badKey = await post('/__sim/faults', { reset: true, nonsense: 1 });
    assert.equal(badKey.status, 400);
    assert.equal((await send(`${sim.url}/__sim/faults`)).json.responseShape, 'data');
    assert.equal((await post('/__sim/faults', { responseShape: 'xml' })).status, 400);
    assert.equal((await post('/__sim/faults', 'not json')).status, 400);

    assert.equal((await post('/__sim/faults', { denyActivityLog: true })).status, 200);
    assert.deepEqual((await activities(sim, token, WIDE)).json, ACCESS_DENIED);
    const rotated = await post('/__sim/faults', { reset: true, rotateClientSecret: true, revokeAccessToken: token });
    assert.equal(rotated.json.clientSecret, sim.client.clientSecret);
    assert.equal(rotated.json.denyActivityLog, false);
    assert.deepEqual((await activities(sim, token, WIDE)).json, UNAUTHORIZED);
    const token2 = await getToken(sim, clock);
    assert.equal((await post('/__sim/faults', { expireAccessTokensNow: true })).status, 200);
    assert.deepEqual((await activities(sim, token2, WIDE)).json, UNAUTHORIZED);
    const refresh = sim.issueRefreshToken();
    assert.equal((await post('/__sim/faults', { revokeRefreshTokens: true })).status, 200);
    assertOAuthError(await tokenRequest(sim, { grant_type: 'refresh_token', client_id: sim.client.clientId, client_secret: sim.client.clientSecret, refresh_token: refresh }), 'invalid_grant');

    const added = await post('/__sim/events', { n: 3, at: NOW - 1000 });
    assert.deepEqual(added.json, { added: 3, total: 43 });
    assert.equal((await post('/__sim/events', { n: -1 })).status, 400);
    assert.equal((await post('/__sim/events', { n: 1, late: 'yes' })).status, 400);
    const late = await post('/__sim/events', { n: 2, late: true });
    assert.deepEqual(late.json, { added: 2, total: 45 });

    const truthData = await send(`${sim.url}/__sim/events?shape=data`);
    const truthEvents = await send(`${sim.url}/__sim/events?shape=events`);
    const d = JSON.parse(truthData.text) as Activity[];
    const e = JSON.parse(truthEvents.text) as Activity[];
    assert.equal(d.length, 45);
    assert.ok(d.every((x) => typeof x.id === 'number'));
    assert.ok(e.every((x) => typeof x.id === 'string'));
    assert.deepEqual(e, sim.events('events'));
    assert.deepEqual(JSON.parse((await send(`${sim.url}/__sim/events`)).text), sim.events());
    assert.equal((await send(`${sim.url}/__sim/events?shape=xml`)).status, 400);
    assert.equal((await send(`${sim.url}/__sim/nothing`)).status, 404);

    const stats = (await send(`${sim.url}/__sim/stats`)).json;
    assert.equal(stats.tokenRequests, 4);
    assert.deepEqual(stats.grants, { authorization_code: 3 });
    assert.deepEqual(stats.versionHeaders, ['28']);
    assert.ok(Array.isArray(stats.lastRequests) && Array.isArray(stats.requestTimes));
  });
});

// --- TLS ------------------------------------------------------------------------------------

test('TLS: HTTPS with a CA-signed certificate works for a client that trusts the CA (token by JWT, activities)', async () => {
  const p = await testPki();
  const clock = new Clock();
  const sim = await startKiteworksSimulator({ now: clock.now, rateLimit: false, initialEvents: 25, tls: { key: p.serverKeyPem, cert: p.serverCertPem }, client: { jwtPublicKeyPem: jwtKeys.publicKeyPem } });
  try {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const assertion = makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock));
    const r = await tokenRequest(sim, jwtFields(sim, assertion), { ca: p.caCertPem });
    assert.equal(r.status, 200, r.text);
    const page = await activities(sim, r.json.access_token as string, WIDE, { ca: p.caCertPem });
    assert.equal(list(page).length, 25);
    // An http:// aud does not name an HTTPS server.
    const httpAud = makeJwt(jwtKeys.privateKeyPem, jwtClaims(sim, clock, { aud: sim.url.replace('https:', 'http:') }));
    assertOAuthError(await tokenRequest(sim, jwtFields(sim, httpAud), { ca: p.caCertPem }), 'invalid_grant');
    // Without the private CA the certificate is not trusted.
    await assert.rejects(send(`${sim.url}/__sim/stats`), (err: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/.test(err.code ?? ''));
  } finally {
    await sim.close();
  }
});

test('TLS: a self-signed certificate is refused by a default client; a CA-signed one for another host is refused too', async () => {
  const p = await testPki();
  const self = await startKiteworksSimulator({ rateLimit: false, initialEvents: 1, tls: { key: p.selfSignedKeyPem, cert: p.selfSignedCertPem } });
  try {
    await assert.rejects(send(`${self.url}/__sim/stats`), (err: NodeJS.ErrnoException) => err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
    // Trusting that very certificate works.
    assert.equal((await send(`${self.url}/__sim/stats`, { ca: p.selfSignedCertPem })).status, 200);
  } finally {
    await self.close();
  }
  const wrong = await startKiteworksSimulator({ rateLimit: false, initialEvents: 1, tls: { key: p.wrongHostKeyPem, cert: p.wrongHostCertPem } });
  try {
    await assert.rejects(send(`${wrong.url}/__sim/stats`, { ca: p.caCertPem }), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  } finally {
    await wrong.close();
  }
  assert.match(p.caCertFile, /ca\.crt$/);
});
