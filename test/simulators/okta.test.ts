// The Okta System Log simulator on its own: polling order and links, since/after/limit,
// retention, the org's rate limit and its headers, SSWS and service-app authentication, and
// the fault switches, over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { startOktaSimulator, type OktaSimulator, type OktaSimulatorOptions } from '../../src/simulators/okta/index.js';
import { assertLiveFeedAddsEvents } from './live-feed-check.js';

/** A fixed instant: 2026-05-01 10:00:00 UTC. */
const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const DAY = 86_400_000;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A test clock that only moves when told to. */
class Clock {
  constructor(public t = NOW) {}
  readonly now = (): number => this.t;
}

async function withSim(opts: OktaSimulatorOptions, fn: (sim: OktaSimulator, clock: Clock) => Promise<void>): Promise<void> {
  const clock = new Clock();
  const sim = await startOktaSimulator({ now: clock.now, rateLimit: false, initialEvents: 50, ...opts });
  try {
    await fn(sim, clock);
  } finally {
    await sim.close();
  }
}

interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
}

async function get(sim: OktaSimulator, pathOrUrl: string, authorization = `SSWS ${sim.apiTokens[0] ?? ''}`): Promise<Reply> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  const res = await fetch(url, { headers: { authorization, accept: 'application/json' } });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

function events(reply: Reply): Array<Record<string, unknown>> {
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  assert.ok(Array.isArray(reply.json));
  return reply.json as Array<Record<string, unknown>>;
}

function link(reply: Reply, rel: string): string {
  const header = reply.headers.get('link') ?? '';
  const m = new RegExp(`<([^>]*)>; rel="${rel}"`).exec(header);
  assert.ok(m?.[1], `no ${rel} link in ${header}`);
  return m[1];
}

const since = (ms: number): string => `/api/v1/logs?since=${encodeURIComponent(new Date(ms).toISOString())}&sortOrder=ASCENDING`;

test('polling: every event once, in the order Okta wrote them, following next links; an empty page repeats its position', async () => {
  await withSim({ initialEvents: 95 }, async (sim) => {
    const seen: string[] = [];
    let reply = await get(sim, `${since(NOW - 8 * DAY)}&limit=20`);
    for (let pages = 0; pages < 20; pages++) {
      const page = events(reply);
      assert.equal(link(reply, 'self').startsWith(sim.url), true);
      if (page.length === 0) break;
      assert.ok(page.length <= 20);
      seen.push(...page.map((e) => String(e['uuid'])));
      reply = await get(sim, link(reply, 'next'));
    }
    assert.deepEqual(seen, sim.events().map((e) => String(e['uuid'])));
    assert.equal(seen.length, 95);
    // Caught up: the next link stays where it was, and brings what is written later.
    const caughtUp = link(reply, 'next');
    assert.equal(caughtUp, link(reply, 'self'));
    const again = await get(sim, caughtUp);
    assert.deepEqual(events(again), []);
    assert.equal(link(again, 'next'), caughtUp);
    const added = sim.addEvents(3);
    assert.deepEqual(events(await get(sim, caughtUp)).map((e) => e['uuid']), added.map((e) => e['uuid']));
  });
});

test('a late event (published before events already served) is served after them, and `since` filters on when it was written', async () => {
  await withSim({ initialEvents: 10 }, async (sim, clock) => {
    const first = await get(sim, `${since(NOW - 8 * DAY)}&limit=1000`);
    assert.equal(events(first).length, 10);
    const resume = link(first, 'next');
    clock.t += 60_000;
    const [onTime] = sim.addEvents(1);
    const [late] = sim.addEvents(1, { late: true });
    assert.ok(onTime && late);
    assert.ok(Date.parse(String(late['published'])) < Date.parse(String(onTime['published'])), 'the late event is published earlier');
    assert.ok(Date.parse(String(late['published'])) < clock.t - 4_000);
    const page = events(await get(sim, resume));
    assert.deepEqual(page.map((e) => e['uuid']), [onTime['uuid'], late['uuid']]);
    // `since` just before they were written: both, although the late one was published before it.
    const sinceWritten = events(await get(sim, `${since(clock.t - 1000)}&limit=1000`));
    assert.deepEqual(sinceWritten.map((e) => e['uuid']), [onTime['uuid'], late['uuid']]);
  });
});

test('the LogEvent shape: real field layout and key order', async () => {
  await withSim({ initialEvents: 200 }, async (sim) => {
    const all = sim.events();
    const keys = ['actor', 'client', 'device', 'authenticationContext', 'displayMessage', 'eventType', 'outcome', 'published', 'securityContext', 'severity', 'debugContext', 'legacyEventType', 'transaction', 'uuid', 'version', 'request', 'target'];
    for (const e of all) assert.deepEqual(Object.keys(e), keys);
    const e = all[0] ?? {};
    assert.match(String(e['published']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.match(String(e['uuid']), /^[0-9a-f]{8}-[0-9a-f]{4}-11ef-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(e['version'], '0');
    const actor = e['actor'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(actor), ['id', 'type', 'alternateId', 'displayName', 'detailEntry']);
    const client = e['client'] as Record<string, unknown>;
    assert.ok(typeof client['ipAddress'] === 'string' && typeof client['geographicalContext'] === 'object');
    const types = new Set(all.map((x) => String(x['eventType'])));
    for (const t of ['user.session.start', 'user.authentication.sso', 'policy.evaluate_sign_on', 'system.push.send_factor_verify_push', 'user.authentication.auth_via_mfa']) assert.ok(types.has(t), `no ${t} in ${[...types].join(', ')}`);
    assert.equal(new Set(all.map((x) => x['uuid'])).size, all.length, 'uuids are unique');
  });
});

test('query checks: limit 1..1000 (default 100), since over 180 days back, an unreadable cursor, unsupported filters', async () => {
  await withSim({ initialEvents: 150 }, async (sim) => {
    assert.equal(events(await get(sim, since(NOW - 8 * DAY))).length, 100);
    const tooBig = await get(sim, `${since(NOW - 8 * DAY)}&limit=1001`);
    assert.equal(tooBig.status, 400);
    assert.equal((tooBig.json as Record<string, unknown>)['errorCode'], 'E0000001');
    const old = await get(sim, since(NOW - 181 * DAY));
    assert.equal(old.status, 400);
    assert.deepEqual([(old.json as Record<string, unknown>)['errorCode'], (old.json as Record<string, unknown>)['errorSummary']], ['E0000053', 'Invalid parameter: The since parameter is over 180 days prior to the current day.']);
    assert.equal((await get(sim, '/api/v1/logs?after=not-a-cursor')).status, 400);
    assert.equal((await get(sim, '/api/v1/logs?since=yesterday')).status, 400);
    const filtered = await get(sim, '/api/v1/logs?filter=eventType%20eq%20%22user.session.start%22');
    assert.equal(filtered.status, 400);
    assert.match(String((filtered.json as Record<string, unknown>)['errorSummary']), /polling requests only/);
  });
});

test('retention: events published more than 90 days ago are not served', async () => {
  await withSim({ history: [{ from: NOW - 120 * DAY, to: NOW - 100 * DAY, count: 5 }, { from: NOW - 10 * DAY, to: NOW - DAY, count: 7 }] }, async (sim) => {
    const page = events(await get(sim, `${since(NOW - 150 * DAY)}&limit=1000`));
    assert.equal(page.length, 7);
    assert.equal(sim.events().length, 7);
  });
});

test('rate limit: X-Rate-Limit-* on every answer; past the window, 429 E0000047 until the reset', async () => {
  await withSim({ rateLimit: { limit: 3, windowMs: 10_000 } }, async (sim, clock) => {
    const reset = String(Math.ceil((Math.floor(NOW / 10_000) * 10_000 + 10_000) / 1000));
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await get(sim, since(NOW - DAY));
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('x-rate-limit-limit'), '3');
      assert.equal(reply.headers.get('x-rate-limit-reset'), reset);
      remaining.push(reply.headers.get('x-rate-limit-remaining') ?? '');
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await get(sim, since(NOW - DAY));
    assert.equal(refused.status, 429);
    assert.equal((refused.json as Record<string, unknown>)['errorCode'], 'E0000047');
    assert.equal(refused.headers.get('x-rate-limit-remaining'), '0');
    assert.equal(refused.headers.get('x-rate-limit-reset'), reset);
    assert.equal(sim.stats().rateLimitRefusals, 1);
    clock.t = Number(reset) * 1000;
    assert.equal((await get(sim, since(NOW - DAY))).status, 200);
  });
});

test('SSWS: an unknown or revoked token is 401 E0000011; denyLogsRead is 403 E0000006', async () => {
  await withSim({ apiTokens: ['00good-token-for-the-test-0123456789abcde'] }, async (sim) => {
    assert.equal((await get(sim, since(NOW - DAY))).status, 200);
    const wrong = await get(sim, since(NOW - DAY), 'SSWS 00some-other-token');
    assert.deepEqual([wrong.status, (wrong.json as Record<string, unknown>)['errorCode']], [401, 'E0000011']);
    assert.equal((await get(sim, since(NOW - DAY), '')).status, 401);
    sim.faults.denyLogsRead(true);
    const denied = await get(sim, since(NOW - DAY));
    assert.deepEqual([denied.status, (denied.json as Record<string, unknown>)['errorCode']], [403, 'E0000006']);
    sim.faults.reset();
    sim.faults.revokeApiTokens();
    assert.equal((await get(sim, since(NOW - DAY))).status, 401);
  });
});

/** A client assertion as Okta's service apps send it. */
function assertion(o: { key: KeyObject; alg: string; clientId: string; aud: string; kid?: string; exp?: number; jti?: string; iss?: string }): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(NOW / 1000);
  const body = `${b64({ alg: o.alg, typ: 'JWT', ...(o.kid ? { kid: o.kid } : {}) })}.${b64({ iss: o.iss ?? o.clientId, sub: o.clientId, aud: o.aud, iat: now, exp: o.exp ?? now + 300, jti: o.jti ?? randomUUID() })}`;
  const hash = `sha${o.alg.slice(2)}`;
  const signature = o.alg.startsWith('ES') ? sign(hash, Buffer.from(body), { key: o.key, dsaEncoding: 'ieee-p1363' }) : sign(hash, Buffer.from(body), o.key);
  return `${body}.${signature.toString('base64url')}`;
}

async function token(sim: OktaSimulator, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('service app: a signed client assertion (ES256, its own key) gets an access token that reads the log; what Okta refuses is refused', async () => {
  await withSim({}, async (sim, clock) => {
    const app = sim.serviceApp;
    const key = sim.privateKeyPem;
    assert.ok(key);
    const privateKey = createPrivateKey(key);
    const aud = `${sim.url}/oauth2/v1/token`;
    const form = (a: string, scope = 'okta.logs.read'): Record<string, string> => ({ grant_type: 'client_credentials', scope, client_assertion_type: ASSERTION_TYPE, client_assertion: a });
    const good = await token(sim, form(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, kid: app.keyId })));
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.deepEqual([good.json['token_type'], good.json['expires_in'], good.json['scope']], ['Bearer', 3600, 'okta.logs.read']);
    const bearer = `Bearer ${String(good.json['access_token'])}`;
    assert.equal((await get(sim, since(NOW - DAY), bearer)).status, 200);

    const refused = async (a: string, scope?: string): Promise<string> => {
      const r = await token(sim, form(a, scope));
      return `${r.status} ${String(r.json['error'])}`;
    };
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud: `${sim.url}/oauth2/default/v1/token` })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, exp: Math.floor(NOW / 1000) - 1 })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, exp: Math.floor(NOW / 1000) + 7200 })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, kid: 'another-key' })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, iss: 'someone-else' })), '401 invalid_client');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assert.equal(await refused(assertion({ key: other, alg: 'ES256', clientId: app.clientId, aud })), '401 invalid_client');
    const jti = randomUUID();
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, jti })), '200 undefined');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud, jti })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud }), 'okta.logs.read okta.users.manage'), '400 invalid_scope');

    // Tokens expire with the clock; expireAccessTokensNow ends them at once.
    clock.t += 3_600_000;
    assert.equal((await get(sim, since(NOW - DAY), bearer)).status, 401);
    clock.t = NOW;
    sim.faults.expireAccessTokensNow();
    const expired = await get(sim, since(NOW - DAY), bearer);
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    // A rotated key: the old private key no longer signs for the app.
    const rotated = sim.faults.rotateServiceAppKey();
    assert.equal(await refused(assertion({ key: privateKey, alg: 'ES256', clientId: app.clientId, aud })), '401 invalid_client');
    assert.equal(await refused(assertion({ key: createPrivateKey(rotated), alg: 'ES256', clientId: app.clientId, aud })), '200 undefined');
  });
});

test('service app: an RSA key registered by the test signs RS256 and RS512; an access token without okta.logs.read is 403', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await withSim({ serviceApp: { clientId: '0oaTestServiceApp0001', publicKeyPem, grantedScopes: ['okta.logs.read', 'okta.users.read'] } }, async (sim) => {
    assert.equal(sim.privateKeyPem, undefined);
    const aud = `${sim.url}/oauth2/v1/token`;
    for (const alg of ['RS256', 'RS512']) {
      const r = await token(sim, { grant_type: 'client_credentials', scope: 'okta.logs.read', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion({ key: privateKey, alg, clientId: '0oaTestServiceApp0001', aud }) });
      assert.equal(r.status, 200, `${alg}: ${JSON.stringify(r.json)}`);
    }
    // An EC algorithm with an RSA key is refused.
    const mismatch = await token(sim, { grant_type: 'client_credentials', scope: 'okta.logs.read', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion({ key: privateKey, alg: 'ES256', clientId: '0oaTestServiceApp0001', aud }) });
    assert.equal(mismatch.status, 401);
    const usersOnly = await token(sim, { grant_type: 'client_credentials', scope: 'okta.users.read', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion({ key: privateKey, alg: 'RS256', clientId: '0oaTestServiceApp0001', aud }) });
    assert.equal(usersOnly.status, 200);
    const reply = await get(sim, since(NOW - DAY), `Bearer ${String(usersOnly.json['access_token'])}`);
    assert.deepEqual([reply.status, (reply.json as Record<string, unknown>)['errorCode']], [403, 'E0000006']);
  });
});

test('faults over HTTP: badCursorNext, nextLinkOrigin, 429 with a reset, 5xx, malformed, a bad body changes nothing', async () => {
  await withSim({ initialEvents: 30 }, async (sim) => {
    const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const first = await get(sim, `${since(NOW - 8 * DAY)}&limit=10`);
    const next = link(first, 'next');
    assert.equal((await post({ badCursorNext: 1, nextLinkOrigin: 'https://elsewhere.example' })).status, 200);
    // A request without `after` does not use the cursor fault, but its links point elsewhere.
    const elsewhere = await get(sim, `${since(NOW - 8 * DAY)}&limit=10`);
    assert.ok(link(elsewhere, 'next').startsWith('https://elsewhere.example/api/v1/logs?'));
    const refused = await get(sim, next);
    assert.deepEqual([refused.status, (refused.json as Record<string, unknown>)['errorCode']], [400, 'E0000001']);
    assert.equal((await get(sim, next)).status, 200);

    const bad = await post({ reset: true, nextLinkOrigin: 'not a url' });
    assert.equal(bad.status, 400);
    assert.equal((await post({})).json['nextLinkOrigin'], 'https://elsewhere.example', 'a refused body changed nothing');

    assert.equal((await post({ reset: true, rateLimitNext: { n: 1, retryAfterSeconds: 2 }, serverErrorNext: { n: 1, status: 503 }, malformedNext: 1 })).status, 200);
    const limited = await get(sim, next);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');
    assert.equal(limited.headers.get('x-rate-limit-reset'), String(Math.ceil((NOW + 2000) / 1000)));
    assert.equal((await get(sim, next)).status, 503);
    assert.equal((await get(sim, next)).status, 200 /* malformed, but 200 */);
    assert.equal((await get(sim, next)).status, 200);
    const stats = sim.stats();
    assert.ok(stats.requests >= 8);
    assert.ok(stats.lastRequests.some((r) => r.code === 'malformed'));
  });
});

test('POST /__sim/events adds events (late ones too); GET /__sim/events is the ground truth', async () => {
  await withSim({ initialEvents: 5 }, async (sim) => {
    const res = await fetch(`${sim.url}/__sim/events`, { method: 'POST', body: JSON.stringify({ n: 4, late: true }) });
    assert.deepEqual(await res.json(), { added: 4, total: 9 });
    const truth = (await (await fetch(`${sim.url}/__sim/events`)).json()) as unknown[];
    assert.deepEqual(truth, sim.events());
    assert.equal(truth.length, 9);
  });
});

test('the live feed adds events', async () => {
  await assertLiveFeedAddsEvents(() => startOktaSimulator({ initialEvents: 0, liveEventsPerSecond: 20, rateLimit: false }));
});
