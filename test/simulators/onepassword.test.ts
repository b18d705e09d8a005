import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startOnePasswordSimulator,
  type OnePasswordEventKind,
  type OnePasswordSimulator,
  type OnePasswordSimulatorOptions,
} from '../../src/simulators/onepassword/index.js';

interface PageBody {
  cursor: string;
  has_more: boolean;
  items: Array<Record<string, unknown>>;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function call(
  sim: OnePasswordSimulator,
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string | null; body?: unknown; contentType?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? sim.tokens[0] : opts.token;
  if (token !== null && token !== undefined) headers.authorization = `Bearer ${token}`;
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
  if (method === 'POST' && contentType !== null) headers['content-type'] = contentType;
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(`${sim.url}${path}`, { method, headers, body: method === 'POST' ? (body ?? '{}') : undefined });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function page(sim: OnePasswordSimulator, kind: OnePasswordEventKind, body: unknown, version: 'v1' | 'v2' = 'v2'): Promise<PageBody> {
  const r = await call(sim, 'POST', `/api/${version}/${kind}`, { body });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  return JSON.parse(r.text) as PageBody;
}

/** Pages from a ResetCursor until has_more is false; returns the items and the last cursor. */
async function drain(sim: OnePasswordSimulator, kind: OnePasswordEventKind, first: unknown, version: 'v1' | 'v2' = 'v2') {
  const items: Array<Record<string, unknown>> = [];
  let body = first;
  let pages = 0;
  for (;;) {
    const p = await page(sim, kind, body, version);
    pages++;
    items.push(...p.items);
    if (!p.has_more) return { items, cursor: p.cursor, pages };
    body = { cursor: p.cursor };
  }
}

async function withSim(opts: OnePasswordSimulatorOptions, fn: (sim: OnePasswordSimulator) => Promise<void>): Promise<void> {
  const sim = await startOnePasswordSimulator(opts);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const ALL_TIME = { limit: 1000, start_time: '2000-01-01T00:00:00Z' };
const UNAUTHORIZED = { Error: { Message: 'Unauthorized' } };
const BAD_REQUEST = { Error: { Message: 'Bad Request' } };
const TOO_MANY = { Error: { Message: 'Too Many Requests' } };

test('auth: missing, unknown and revoked tokens, and a token without the feature, get 401', async () => {
  const tokens: OnePasswordSimulatorOptions['tokens'] = [
    { token: 'all-features', features: ['auditevents', 'itemusages', 'signinattempts'] },
    { token: 'usages-only', features: ['itemusages'] },
  ];
  await withSim({ tokens, initialEvents: { itemusages: 5 } }, async (sim) => {
    assert.deepEqual(sim.tokens, ['all-features', 'usages-only']);
    for (const token of [null, 'nope']) {
      const r = await call(sim, 'POST', '/api/v2/itemusages', { token, body: ALL_TIME });
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.text), UNAUTHORIZED);
    }
    const missingFeature = await call(sim, 'POST', '/api/v2/auditevents', { token: 'usages-only', body: ALL_TIME });
    assert.equal(missingFeature.status, 401);
    assert.deepEqual(JSON.parse(missingFeature.text), UNAUTHORIZED);
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { token: 'usages-only', body: ALL_TIME })).status, 200);

    sim.faults.revokeToken('all-features');
    assert.equal((await call(sim, 'POST', '/api/v1/itemusages', { token: 'all-features', body: ALL_TIME })).status, 401);
    assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect', { token: 'all-features' })).status, 401);
    assert.equal((await call(sim, 'POST', '/api/v1/itemusages', { token: 'usages-only', body: ALL_TIME })).status, 200);
    sim.faults.reset();
    assert.equal((await call(sim, 'POST', '/api/v1/itemusages', { token: 'all-features', body: ALL_TIME })).status, 200);
  });
});

test('introspect: v2 snake_case with account_uuid, deprecated v1 PascalCase', async () => {
  await withSim({ tokens: [{ token: 't', features: ['itemusages', 'signinattempts'] }] }, async (sim) => {
    const v2 = JSON.parse((await call(sim, 'GET', '/api/v2/auth/introspect')).text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(v2), ['uuid', 'issued_at', 'features', 'account_uuid']);
    assert.deepEqual(v2.features, ['itemusages', 'signinattempts']);
    assert.equal(v2.account_uuid, sim.accountUuid);
    assert.match(String(v2.issued_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const v1 = JSON.parse((await call(sim, 'GET', '/api/auth/introspect')).text) as Record<string, unknown>;
    assert.deepEqual(v1, { UUID: v2.uuid, IssuedAt: v2.issued_at, Features: v2.features });
    assert.equal((await call(sim, 'GET', '/api/v1/introspect')).status, 404, 'there is no /api/v1/introspect');
    assert.equal((await call(sim, 'POST', '/api/v2/auth/introspect')).status, 405);
    assert.equal((await call(sim, 'GET', '/api/v2/itemusages')).status, 405);
    assert.equal((await call(sim, 'GET', '/nothing-here')).status, 404);
  });
});

test('the default token is JWT-shaped and lists its features', async () => {
  await withSim({}, async (sim) => {
    const [header, claims] = (sim.tokens[0] ?? '').split('.');
    const parsed = JSON.parse(Buffer.from(claims ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.equal((JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { alg: string }).alg, 'ES256');
    assert.deepEqual(parsed['1password.com/fts'], ['auditevents', 'itemusages', 'signinattempts']);
  });
});

test('paging from a reset cursor returns every event once, in order, then the same cursor when caught up', async () => {
  await withSim({ initialEvents: { itemusages: 2345, auditevents: 50, signinattempts: 40 } }, async (sim) => {
    for (const kind of ['itemusages', 'auditevents', 'signinattempts'] as const) {
      const { items, cursor, pages } = await drain(sim, kind, ALL_TIME);
      assert.deepEqual(items, sim.events(kind), kind);
      assert.equal(new Set(items.map((e) => e.uuid)).size, items.length, `${kind} uuids are unique`);
      if (kind === 'itemusages') assert.equal(pages, 3);
      const again = await call(sim, 'POST', `/api/v2/${kind}`, { body: { cursor } });
      assert.deepEqual(JSON.parse(again.text), { cursor, has_more: false, items: [] });
    }
    const stats = sim.stats();
    assert.deepEqual(stats.served, { itemusages: 2345, auditevents: 50, signinattempts: 40 });
  });
});

test('limits and default window: limit 1..1000 (default 100), start_time defaults to an hour ago', async () => {
  const now = Date.parse('2025-03-01T12:00:00Z');
  await withSim({ now: () => now, initialEvents: { itemusages: 3000 }, historyMs: 3 * 3600_000 }, async (sim) => {
    const truth = sim.events('itemusages');
    const p = await page(sim, 'itemusages', { start_time: '2000-01-01T00:00:00Z' });
    assert.equal(p.items.length, 100);
    assert.equal(p.has_more, true);
    const small = await page(sim, 'itemusages', { limit: 7, start_time: '2000-01-01T00:00:00Z' });
    assert.equal(small.items.length, 7);
    // The limit travels in the cursor.
    assert.equal((await page(sim, 'itemusages', { cursor: small.cursor })).items.length, 7);

    const lastHour = await drain(sim, 'itemusages', { limit: 1000 });
    const expected = truth.filter((e) => Date.parse(String(e.timestamp)) >= now - 3600_000);
    assert.ok(expected.length > 100 && expected.length < truth.length);
    assert.deepEqual(lastHour.items, expected);
  });
});

test('start_time is inclusive and end_time bounds the stream', async () => {
  await withSim({ initialEvents: { auditevents: 400 } }, async (sim) => {
    const truth = sim.events('auditevents');
    const from = String(truth[100]?.timestamp);
    const to = String(truth[250]?.timestamp);
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    const { items } = await drain(sim, 'auditevents', { limit: 40, start_time: from, end_time: to });
    const expected = truth.filter((e) => {
      const t = Date.parse(String(e.timestamp));
      return t >= fromMs && t <= toMs;
    });
    assert.deepEqual(items, expected);
    assert.equal(items[0]?.uuid, truth.find((e) => Date.parse(String(e.timestamp)) >= fromMs)?.uuid);
    // Any offset is accepted.
    const offset = new Date(fromMs - 3 * 3600_000).toISOString().replace('Z', '-03:00');
    const shifted = await page(sim, 'auditevents', { limit: 1, start_time: offset });
    assert.deepEqual(shifted.items[0], expected[0]);
  });
});

test('bad requests get 400 {"Error":{"Message":"Bad Request"}}', async () => {
  await withSim({ initialEvents: { itemusages: 20, signinattempts: 5 } }, async (sim) => {
    const good = await page(sim, 'itemusages', { limit: 5, start_time: '2000-01-01T00:00:00Z' });
    const cases: Array<[string, unknown, string | null]> = [
      ['limit > 1000', { limit: 1001 }, 'application/json'],
      ['limit 0', { limit: 0 }, 'application/json'],
      ['limit not a number', { limit: '10' }, 'application/json'],
      ['bad start_time', { start_time: 'yesterday' }, 'application/json'],
      ['impossible date', { start_time: '2024-02-30T00:00:00Z' }, 'application/json'],
      ['end before start', { start_time: '2024-02-02T00:00:00Z', end_time: '2024-02-01T00:00:00Z' }, 'application/json'],
      ['both forms mixed', { cursor: good.cursor, limit: 10 }, 'application/json'],
      ['undecodable cursor', { cursor: 'not a cursor!' }, 'application/json'],
      ['base64 but not ours', { cursor: Buffer.from('{"hello":1}').toString('base64url') }, 'application/json'],
      ['not JSON', '{limit:', 'application/json'],
      ['no content type', { limit: 10 }, null],
      ['wrong content type', { limit: 10 }, 'text/plain'],
    ];
    for (const [name, body, contentType] of cases) {
      const r = await call(sim, 'POST', '/api/v2/itemusages', { body, contentType });
      assert.equal(r.status, 400, name);
      assert.deepEqual(JSON.parse(r.text), BAD_REQUEST, name);
    }
    // A cursor from another endpoint is not valid here.
    const other = await call(sim, 'POST', '/api/v2/signinattempts', { body: { cursor: good.cursor } });
    assert.equal(other.status, 400);
    // A charset parameter on the content type is fine.
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { body: { limit: 10 }, contentType: 'application/json; charset=utf-8' })).status, 200);
  });
});

test('v1 items have no account_uuid; v2 items add it (and actor fields on audit events)', async () => {
  await withSim({ initialEvents: { auditevents: 30, itemusages: 30, signinattempts: 30 } }, async (sim) => {
    for (const kind of ['auditevents', 'itemusages', 'signinattempts'] as const) {
      const v1 = (await page(sim, kind, ALL_TIME, 'v1')).items;
      const v2 = (await page(sim, kind, ALL_TIME, 'v2')).items;
      assert.deepEqual(v1, sim.events(kind, 'v1'));
      assert.equal(v1.length, 30);
      for (const [i, item] of v1.entries()) {
        assert.equal('account_uuid' in item, false);
        const { account_uuid, actor_account_uuid, actor_type, ...rest } = v2[i] ?? {};
        assert.equal(account_uuid, sim.accountUuid);
        if (kind === 'auditevents') {
          assert.equal(actor_type, 'user');
          assert.equal(actor_account_uuid, sim.accountUuid);
        }
        assert.deepEqual(rest, item);
      }
    }
  });
});

test('events look like the vendor samples', async () => {
  await withSim({ initialEvents: { auditevents: 500, itemusages: 2000, signinattempts: 500 } }, async (sim) => {
    const base32 = /^[A-Z2-7]{26}$/;
    const lower32 = /^[a-z2-7]{26}$/;
    const ts = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?Z$/;
    const digits = new Set<number>();
    let sameTimestamp = 0;
    for (const kind of ['auditevents', 'itemusages', 'signinattempts'] as const) {
      const events = sim.events(kind, 'v1');
      let prev = '';
      for (const e of events) {
        assert.match(String(e.uuid), base32);
        assert.match(String(e.timestamp), ts);
        digits.add((/\.(\d+)Z$/.exec(String(e.timestamp))?.[1] ?? '').length);
        if (e.timestamp === prev) sameTimestamp++;
        assert.ok(Date.parse(String(e.timestamp)) >= Date.parse(prev || '1970-01-01T00:00:00Z'), 'ascending');
        prev = String(e.timestamp);
      }
    }
    assert.ok(digits.size >= 6, `fraction lengths vary: ${[...digits].join(',')}`);
    assert.ok(sameTimestamp > 20, 'some events share the exact same timestamp');

    const audit = sim.events('auditevents', 'v1');
    const a = audit[0] ?? {};
    assert.deepEqual(Object.keys(a).slice(0, 5), ['uuid', 'timestamp', 'actor_uuid', 'actor_details', 'action']);
    assert.deepEqual(Object.keys(a).slice(-2), ['session', 'location']);
    assert.deepEqual(Object.keys(a.session as object), ['uuid', 'login_time', 'device_uuid', 'ip']);
    assert.deepEqual(Object.keys(a.location as object), ['country', 'region', 'city', 'latitude', 'longitude']);
    assert.ok(new Set(audit.map((e) => e.action)).size > 15, 'varied actions');
    assert.ok(audit.some((e) => e.aux_info !== undefined && e.object_type === 'gm'));

    const usage = sim.events('itemusages', 'v1')[0] ?? {};
    assert.deepEqual(Object.keys(usage), ['uuid', 'timestamp', 'used_version', 'vault_uuid', 'item_uuid', 'user', 'client', 'location', 'action'].filter((k) => k in usage));
    assert.match(String(usage.vault_uuid), lower32);
    assert.match(String(usage.item_uuid), lower32);
    assert.deepEqual(Object.keys(usage.client as object), ['app_name', 'app_version', 'platform_name', 'platform_version', 'os_name', 'os_version', 'ip_address']);

    const signins = sim.events('signinattempts', 'v1');
    assert.deepEqual(Object.keys(signins[0] ?? {}), ['uuid', 'session_uuid', 'timestamp', 'country', 'category', 'type', 'details', 'target_user', 'client', 'location']);
    assert.ok(signins.some((e) => e.details === null));
    assert.ok(signins.some((e) => typeof (e.details as { value?: unknown } | null)?.value === 'string'));
    assert.ok(signins.some((e) => e.category !== 'success'));
    assert.ok(signins.every((e) => /^[A-Z]{2}$/.test(String(e.country))));

    const all = ['auditevents', 'itemusages', 'signinattempts'].flatMap((k) => sim.events(k as OnePasswordEventKind).map((e) => e.uuid));
    assert.equal(new Set(all).size, all.length, 'uuids unique across kinds');
  });
});

test('the same seed gives the same events; another seed does not', async () => {
  const now = (): number => Date.parse('2025-01-01T00:00:00Z');
  const a = await startOnePasswordSimulator({ seed: 7, now });
  const b = await startOnePasswordSimulator({ seed: 7, now });
  const c = await startOnePasswordSimulator({ seed: 8, now });
  try {
    assert.deepEqual(a.events('auditevents'), b.events('auditevents'));
    assert.deepEqual(a.events('itemusages'), b.events('itemusages'));
    assert.deepEqual(a.addEvents('signinattempts', 3), b.addEvents('signinattempts', 3));
    assert.notDeepEqual(a.events('itemusages'), c.events('itemusages'));
    assert.equal(a.events('itemusages').length, 1000);
    assert.equal(a.events('auditevents').length, 300);
    assert.equal(a.events('signinattempts').length, 303);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test('late events still reach a cursor that tails the stream', async () => {
  let now = Date.parse('2025-06-01T00:00:00Z');
  await withSim({ now: () => now, initialEvents: { itemusages: 50 } }, async (sim) => {
    const { cursor, items } = await drain(sim, 'itemusages', ALL_TIME);
    const newest = Date.parse(String(items[items.length - 1]?.timestamp));
    now += 1000;
    const late = sim.addEvents('itemusages', 3, { late: true });
    const onTime = sim.addEvents('itemusages', 2);
    for (const e of late) assert.ok(Date.parse(String(e.timestamp)) <= newest, 'late events carry an older timestamp');
    const next = await page(sim, 'itemusages', { cursor });
    assert.deepEqual(next.items, [...late, ...onTime]);
    assert.equal(next.has_more, false);
    assert.notEqual(next.cursor, cursor);
    // A client that resumed by timestamp would have missed them.
    const byTime = await drain(sim, 'itemusages', { limit: 1000, start_time: new Date(newest + 1).toISOString() });
    assert.deepEqual(byTime.items, onTime);
  });
});

test('rate limit: 600 requests per minute, then 429 until the window slides', async () => {
  let now = Date.parse('2025-06-01T00:00:00Z');
  await withSim({ now: () => now, initialEvents: { auditevents: 1, itemusages: 1, signinattempts: 1 } }, async (sim) => {
    for (let batch = 0; batch < 12; batch++) {
      const replies = await Promise.all(Array.from({ length: 50 }, () => call(sim, 'GET', '/api/v2/auth/introspect')));
      assert.ok(replies.every((r) => r.status === 200));
      now += 1000;
    }
    const limited = await call(sim, 'POST', '/api/v1/itemusages', { body: ALL_TIME });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), null, 'the real API documents no Retry-After');
    assert.deepEqual(JSON.parse(limited.text), TOO_MANY);
    now += 60_000 - 12_000; // the first batch (at t+0) leaves the window
    assert.equal((await call(sim, 'POST', '/api/v1/itemusages', { body: ALL_TIME })).status, 200);
    const stats = sim.stats();
    assert.equal(stats.requests, 602);
    assert.equal(stats.status['429'], 1);
    assert.equal(stats.requestTimes.length, 602);
  });
});

test('rate limit: the hourly window, and `false` disables limiting', async () => {
  let now = Date.parse('2025-06-01T00:00:00Z');
  await withSim({ now: () => now, rateLimit: { perMinute: 100, perHour: 5 } }, async (sim) => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 200);
      now += 5 * 60_000;
    }
    assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 429);
    now += 40 * 60_000;
    assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 200);
  });
  await withSim({ rateLimit: false, now: () => now }, async (sim) => {
    const replies = await Promise.all(Array.from({ length: 700 }, () => call(sim, 'GET', '/api/v2/auth/introspect')));
    assert.ok(replies.every((r) => r.status === 200));
  });
});

test('faults: rateLimitNext, serverErrorNext, malformedNext', async () => {
  await withSim({ initialEvents: { itemusages: 10 } }, async (sim) => {
    sim.faults.rateLimitNext(2, { retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i++) {
      const r = await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '3');
      assert.deepEqual(JSON.parse(r.text), TOO_MANY);
    }
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME })).status, 200);

    sim.faults.serverErrorNext(1);
    const e500 = await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME });
    assert.equal(e500.status, 500);
    assert.deepEqual(JSON.parse(e500.text), { Error: { Message: 'Internal Server Error' } });
    sim.faults.serverErrorNext(1, 503);
    assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 503);
    assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 200);

    sim.faults.malformedNext(2);
    for (let i = 0; i < 2; i++) {
      const r = await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME });
      assert.equal(r.status, 200);
      assert.throws(() => JSON.parse(r.text) as unknown, SyntaxError);
    }
    assert.equal((await page(sim, 'itemusages', ALL_TIME)).items.length, 10);
    assert.throws(() => sim.faults.serverErrorNext(1, 200), RangeError);
    assert.throws(() => sim.faults.malformedNext(-1), RangeError);
  });
});

test('faults: slowResponses delays API answers; close() still ends promptly', async () => {
  const sim = await startOnePasswordSimulator({ initialEvents: { itemusages: 1 } });
  sim.faults.slowResponses(150);
  const started = performance.now();
  assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 200);
  assert.ok(performance.now() - started >= 140, 'delayed');
  sim.faults.slowResponses(0);
  assert.equal((await call(sim, 'GET', '/api/v2/auth/introspect')).status, 200);
  // A request stuck in a long delay must not hold close() up (a hang guard well inside the delay).
  sim.faults.slowResponses(600_000);
  const pending = call(sim, 'GET', '/api/v2/auth/introspect').catch((err: unknown) => err);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closing = performance.now();
  await sim.close();
  assert.ok(performance.now() - closing < 120_000);
  await pending;
});

test('faults: emptyPageAfterHasMore serves has_more=true on the last page, then an empty page', async () => {
  await withSim({ initialEvents: { signinattempts: 10 } }, async (sim) => {
    sim.faults.emptyPageAfterHasMore(true);
    const first = await page(sim, 'signinattempts', { limit: 10, start_time: '2000-01-01T00:00:00Z' });
    assert.equal(first.items.length, 10);
    assert.equal(first.has_more, true);
    const second = await page(sim, 'signinattempts', { cursor: first.cursor });
    assert.deepEqual(second, { cursor: first.cursor, has_more: false, items: [] });
    sim.faults.emptyPageAfterHasMore(false);
    const plain = await page(sim, 'signinattempts', { limit: 10, start_time: '2000-01-01T00:00:00Z' });
    assert.equal(plain.has_more, false);
  });
});

test('faults: rejectCursorsIssuedBefore refuses older cursors with 400', async () => {
  let now = Date.parse('2025-06-01T00:00:00Z');
  await withSim({ now: () => now, initialEvents: { itemusages: 30 } }, async (sim) => {
    const first = await page(sim, 'itemusages', { limit: 10, start_time: '2000-01-01T00:00:00Z' });
    now += 1000;
    sim.faults.rejectCursorsIssuedBefore(now);
    const r = await call(sim, 'POST', '/api/v2/itemusages', { body: { cursor: first.cursor } });
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.text), BAD_REQUEST);
    // A fresh reset gets a cursor that works.
    const fresh = await page(sim, 'itemusages', { limit: 10, start_time: '2000-01-01T00:00:00Z' });
    assert.equal((await page(sim, 'itemusages', { cursor: fresh.cursor })).items.length, 10);
  });
});

test('faults: errorShape switches error bodies to {"status","message"}; reset restores everything', async () => {
  await withSim({ initialEvents: { itemusages: 3 } }, async (sim) => {
    sim.faults.errorShape('message');
    const r = await call(sim, 'POST', '/api/v2/itemusages', { token: 'wrong', body: ALL_TIME });
    assert.deepEqual(JSON.parse(r.text), { status: 401, message: 'Unauthorized' });
    sim.faults.rateLimitNext(1);
    assert.deepEqual(JSON.parse((await call(sim, 'GET', '/api/v2/auth/introspect')).text), { status: 429, message: 'Too Many Requests' });
    sim.faults.malformedNext(5);
    sim.faults.reset();
    assert.deepEqual(JSON.parse((await call(sim, 'GET', '/api/v2/auth/introspect', { token: 'wrong' })).text), UNAUTHORIZED);
    assert.equal((await page(sim, 'itemusages', ALL_TIME)).items.length, 3);
  });
});

test('faults: quoteTokenInRefusals quotes the refused token in the 401, in each error shape (text: a plain body)', async () => {
  await withSim({ initialEvents: { itemusages: 3 } }, async (sim) => {
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ quoteTokenInRefusals: true }) });
    assert.equal(res.status, 200);
    const json = await call(sim, 'POST', '/api/v2/itemusages', { token: 'wrong-token', body: ALL_TIME });
    assert.deepEqual(JSON.parse(json.text), { Error: { Message: 'Unauthorized: the bearer token wrong-token is not valid for this account' } });
    sim.faults.errorShape('text');
    const text = await call(sim, 'POST', '/api/v2/itemusages', { token: 'wrong-token', body: ALL_TIME });
    assert.equal(text.status, 401);
    assert.equal(text.text, '401 Unauthorized: the bearer token wrong-token is not valid for this account\n');
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    sim.faults.reset();
    assert.deepEqual(JSON.parse((await call(sim, 'POST', '/api/v2/itemusages', { token: 'wrong-token', body: ALL_TIME })).text), UNAUTHORIZED);
  });
});

test('HTTP controls: POST /__sim/faults, GET /__sim/stats, POST and GET /__sim/events', async () => {
  await withSim({ initialEvents: { itemusages: 4, auditevents: 2, signinattempts: 2 } }, async (sim) => {
    const control = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as unknown };
    };
    const set = await control('POST', '/__sim/faults', { serverErrorNext: { n: 1, status: 502 }, rateLimitNext: { n: 1, retryAfterSeconds: 2 }, errorShape: 'message' });
    assert.equal(set.status, 200);
    assert.equal((set.json as Record<string, unknown>).serverErrorNext, 1);
    const limited = await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.deepEqual(JSON.parse(limited.text), { status: 429, message: 'Too Many Requests' });
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME })).status, 502);

    assert.equal((await control('POST', '/__sim/faults', { reset: true, revokeToken: sim.tokens[0], emptyPageAfterHasMore: true })).status, 200);
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME })).status, 401);
    assert.equal((await control('POST', '/__sim/faults', { reset: true, slowResponses: 1, malformedNext: 1, rejectCursorsIssuedBefore: 'now' })).status, 200);
    assert.equal((await call(sim, 'POST', '/api/v2/itemusages', { body: ALL_TIME })).status, 200); // malformed 200
    assert.equal((await control('POST', '/__sim/faults', { reset: true })).status, 200);

    // Bad fault bodies are refused and change nothing.
    const bad = await control('POST', '/__sim/faults', { malformedNext: 1, explode: true });
    assert.equal(bad.status, 400);
    assert.equal((await control('POST', '/__sim/faults', { serverErrorNext: { n: 1, status: 200 } })).status, 400);
    const faultsNow = (await control('GET', '/__sim/faults')).json as Record<string, unknown>;
    assert.equal(faultsNow.malformedNext, 0);

    const added = await control('POST', '/__sim/events', { kind: 'itemusages', n: 5, late: true });
    assert.deepEqual(added.json, { added: 5, total: 9 });
    assert.equal((await control('POST', '/__sim/events', { kind: 'nope', n: 1 })).status, 400);
    const truth = await control('GET', '/__sim/events?kind=itemusages&version=v1');
    assert.deepEqual(truth.json, sim.events('itemusages', 'v1'));
    assert.equal((await page(sim, 'itemusages', ALL_TIME)).items.length, 9);

    const stats = (await control('GET', '/__sim/stats')).json as Record<string, unknown>;
    assert.deepEqual(stats, JSON.parse(JSON.stringify(sim.stats())));
    assert.equal(stats.requests, 5);
    assert.deepEqual(stats.byPath, { '/api/v2/itemusages': 5 });
    assert.deepEqual(stats.status, { '200': 2, '401': 1, '429': 1, '502': 1 });
    assert.deepEqual((stats.served as Record<string, number>).itemusages, 9);
    assert.equal((await control('GET', '/__sim/unknown')).status, 404);
  });
});

test('live events arrive while the simulator runs', async () => {
  await withSim({ initialEvents: { itemusages: 0, auditevents: 0, signinattempts: 0 }, liveEventsPerSecond: 20, lateFraction: 0.5 }, async (sim) => {
    const first = await page(sim, 'itemusages', { limit: 1000 });
    // Wait for the feed rather than for a fixed time: a loaded machine ticks late.
    const deadline = Date.now() + 60_000;
    while ((sim.events('itemusages').length < first.items.length + 5 || sim.events('auditevents').length < 5) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const next = await drain(sim, 'itemusages', { cursor: first.cursor });
    assert.ok(first.items.length + next.items.length >= 5, `got ${next.items.length}`);
    const got = [...first.items, ...next.items];
    assert.deepEqual(got, sim.events('itemusages').slice(0, got.length));
    assert.ok(sim.events('auditevents').length >= 5);
  });
});

test('a history made page by page as it is served is the history made up front, event for event', async () => {
  const now = (): number => Date.parse('2025-03-01T12:00:00Z');
  const options: OnePasswordSimulatorOptions = { now, seed: 5, rateLimit: false, historyMs: 6 * 3600_000, initialEvents: { itemusages: 2345, auditevents: 1001, signinattempts: 7 } };
  const kept = await startOnePasswordSimulator(options);
  const made = await startOnePasswordSimulator({ ...options, keepHistoryUpTo: 0 });
  try {
    for (const kind of ['itemusages', 'auditevents', 'signinattempts'] as const) {
      const truth = kept.events(kind);
      // Pages of 7 straddle the blocks the history is made in; paging twice makes them again.
      for (let round = 0; round < 2; round++) assert.deepEqual((await drain(made, kind, { limit: 7, start_time: '2000-01-01T00:00:00Z' })).items, truth, kind);
      const times = truth.map((e) => Date.parse(String(e.timestamp)));
      assert.ok(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0)), `${kind} ascends across blocks`);
      // A window in the middle, found by searching the history made on demand.
      const from = String(truth[Math.floor(truth.length / 3)]?.timestamp);
      const to = String(truth[Math.floor((2 * truth.length) / 3)]?.timestamp);
      const window = { limit: 100, start_time: from, end_time: to };
      assert.deepEqual((await drain(made, kind, window)).items, (await drain(kept, kind, window)).items, `${kind} window`);
    }
    // Live events continue the history's uuids on both.
    assert.deepEqual(made.addEvents('itemusages', 3), kept.addEvents('itemusages', 3));
    const all = made.events('itemusages').map((e) => e.uuid);
    assert.equal(new Set(all).size, all.length);
  } finally {
    await Promise.all([kept.close(), made.close()]);
  }
});

test('eventNumber finds each event by its uuid, history and added events alike', async () => {
  await withSim({ initialEvents: { itemusages: 1500, auditevents: 20, signinattempts: 0 }, keepHistoryUpTo: 0 }, async (sim) => {
    sim.addEvents('itemusages', 4);
    sim.addEvents('itemusages', 2, { late: true });
    sim.events('itemusages').forEach((e, i) => assert.equal(sim.eventNumber('itemusages', String(e.uuid)), i));
    sim.events('auditevents').forEach((e, i) => {
      assert.equal(sim.eventNumber('auditevents', String(e.uuid)), i);
      assert.equal(sim.eventNumber('itemusages', String(e.uuid)), undefined, 'another kind');
    });
    assert.equal(sim.eventNumber('itemusages', 'not a uuid'), undefined);
  });
});
