import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLarkSimulator, type LarkSimulator, type LarkSimulatorOptions } from '../../src/simulators/lark/index.js';
import { decodePageToken } from '../../src/simulators/lark/pagetoken.js';
import { assertLiveFeedAddsEvents } from './live-feed-check.js';

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const AUDIT_PATH = '/open-apis/admin/v1/audit_infos';
/** A fixed instant: 2024-06-15 16:00:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 16, 0, 0);
const NOW_S = NOW / 1000;
const DAY_S = 86_400;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

interface Item extends Record<string, unknown> {
  unique_id: string;
  event_id: string;
  event_time: number;
  event_name: string;
  event_module: number;
  operator_type: number;
  operator_value: string;
}

interface PageData {
  has_more: boolean;
  page_token?: string;
  items: Item[];
}

/** A test clock that only moves when told to. */
class Clock {
  constructor(public t = NOW) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

async function withSim(opts: LarkSimulatorOptions, fn: (sim: LarkSimulator, clock: Clock) => Promise<void>): Promise<void> {
  const clock = new Clock();
  const sim = await startLarkSimulator({ now: clock.now, ...opts });
  try {
    await fn(sim, clock);
  } finally {
    await sim.close();
  }
}

async function send(url: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Left empty for bodies that are not JSON (malformed faults).
  }
  return { status: res.status, headers: res.headers, text, json };
}

function tokenRequest(sim: LarkSimulator, body: unknown): Promise<Reply> {
  return send(`${sim.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function getToken(sim: LarkSimulator): Promise<string> {
  const r = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
  assert.equal(r.status, 200, r.text);
  const token = r.json.tenant_access_token;
  assert.equal(typeof token, 'string');
  return token as string;
}

/** GET audit_infos with the params URL-encoded once (as a client must). */
function audit(sim: LarkSimulator, token: string | undefined, params: Record<string, string | number> = {}): Promise<Reply> {
  const url = new URL(`${sim.url}${AUDIT_PATH}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return send(url.toString(), { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

async function page(sim: LarkSimulator, token: string, params: Record<string, string | number>): Promise<PageData> {
  const r = await audit(sim, token, params);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.code, 0, r.text);
  assert.equal(r.json.msg, 'success');
  return r.json.data as PageData;
}

/** Follows page_token until has_more is false; checks page_token is present exactly when has_more. */
async function walk(sim: LarkSimulator, token: string, params: Record<string, string | number>, between?: (pageNo: number) => void): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let pageToken: string | undefined;
  for (let pages = 1; ; pages++) {
    const data = await page(sim, token, pageToken === undefined ? params : { ...params, page_token: pageToken });
    items.push(...data.items);
    assert.equal(Object.hasOwn(data, 'page_token'), data.has_more, 'page_token only when has_more');
    if (!data.has_more) return { items, pages };
    assert.ok(typeof data.page_token === 'string' && data.page_token.length > 0);
    pageToken = data.page_token;
    between?.(pages);
    assert.ok(pages < 10_000, 'paging does not end');
  }
}

/** The ground truth in the order the API serves it: newest first, later insertions first among equal times. */
function servedOrder(sim: LarkSimulator, oldest: number, latest: number): Item[] {
  return (sim.events() as Item[]).filter((e) => e.event_time >= oldest && e.event_time <= latest).reverse();
}

const ids = (items: readonly Item[]): string[] => items.map((i) => i.unique_id);

function assertError(r: Reply, status: number, code: number): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.code, code, r.text);
  assert.equal(typeof r.json.msg, 'string');
}

// --- token endpoint -----------------------------------------------------------------

test('token: issued, handed back with a reduced expire, renewed when little is left; the old one lasts until it expires', async () => {
  await withSim({ initialEvents: 5, tokenLifetimeSeconds: 10, renewWithinSeconds: 4 }, async (sim, clock) => {
    assert.equal(sim.appId, 'cli_a5f3e1b2c4d6e8f0');
    assert.match(sim.appSecret, /^[A-Za-z0-9]{32}$/);
    const first = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    assert.equal(first.status, 200);
    assert.equal(first.json.code, 0);
    assert.equal(first.json.msg, 'ok');
    assert.equal(first.json.expire, 10);
    const a = first.json.tenant_access_token as string;
    assert.match(a, /^t-[0-9a-f]{32}$/);

    clock.advance(3_000);
    const again = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    assert.deepEqual(again.json, { code: 0, msg: 'ok', tenant_access_token: a, expire: 7 });

    clock.advance(3_500); // 3.5 s left: under renewWithinSeconds, so a new token
    const renewed = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    const b = renewed.json.tenant_access_token as string;
    assert.notEqual(b, a);
    assert.equal(renewed.json.expire, 10);
    // Both work until each expires.
    assert.equal((await audit(sim, a)).json.code, 0);
    assert.equal((await audit(sim, b)).json.code, 0);
    clock.advance(3_500);
    assertError(await audit(sim, a), 401, 99991663);
    assert.equal((await audit(sim, b)).json.code, 0);
    // The newest (b) comes back now, with 6 s left.
    assert.deepEqual((await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret })).json, { code: 0, msg: 'ok', tenant_access_token: b, expire: 6 });

    const stats = sim.stats();
    assert.equal(stats.tokenRequests, 4);
    assert.equal(stats.tokensIssued, 2);
  });
});

test('token: defaults are 7200 s with reuse while 1800 s remain', async () => {
  await withSim({ initialEvents: 1 }, async (sim, clock) => {
    const a = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    assert.equal(a.json.expire, 7200);
    clock.advance(5_399_000);
    const b = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    assert.equal(b.json.tenant_access_token, a.json.tenant_access_token);
    assert.equal(b.json.expire, 1801);
    clock.advance(2_000);
    const c = await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret });
    assert.notEqual(c.json.tenant_access_token, a.json.tenant_access_token);
    assert.equal(c.json.expire, 7200);
  });
});

test('token: wrong secret 10014, unknown app or bad body 10003 (HTTP 400); other paths 404', async () => {
  await withSim({ initialEvents: 1, appId: 'cli_test', appSecret: 's3cret' }, async (sim) => {
    assert.equal(sim.appSecret, 's3cret');
    assert.deepEqual((await tokenRequest(sim, { app_id: 'cli_test', app_secret: 'nope' })).json, { code: 10014, msg: 'app secret invalid' });
    assertError(await tokenRequest(sim, { app_id: 'cli_test', app_secret: 'nope' }), 400, 10014);
    for (const body of [{ app_id: 'cli_other', app_secret: 's3cret' }, { app_secret: 's3cret' }, { app_id: 'cli_test' }, 'not json', '[]', '']) {
      const r = await tokenRequest(sim, body);
      assert.deepEqual([r.status, r.json], [400, { code: 10003, msg: 'invalid param' }], JSON.stringify(body));
    }
    assert.equal((await tokenRequest(sim, { app_id: 'cli_test', app_secret: 's3cret' })).status, 200);
    const missing = await send(`${sim.url}/open-apis/admin/v1/nothing`);
    assert.deepEqual([missing.status, missing.json], [404, { code: 404, msg: 'not found' }]);
    assert.equal((await send(`${sim.url}${TOKEN_PATH}`)).status, 404);
    assert.equal((await send(`${sim.url}${AUDIT_PATH}`, { method: 'POST', body: '{}' })).status, 404);
  });
});

// --- bearer and scope -------------------------------------------------------------------

test('bearer: missing or malformed header 99991661; unknown token 99991663 as 401, or 400/200 by switch', async () => {
  await withSim({ initialEvents: 3 }, async (sim) => {
    const missing = await audit(sim, undefined);
    assert.deepEqual([missing.status, missing.json], [400, { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' }]);
    for (const header of ['Basic abc', 'Bearer', 'Bearer ', 't-abc']) {
      const r = await send(`${sim.url}${AUDIT_PATH}`, { headers: { authorization: header } });
      assertError(r, 400, 99991661);
    }
    const unknown = await audit(sim, 't-00000000000000000000000000000000');
    assert.deepEqual([unknown.status, unknown.json], [401, { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' }]);
    assert.match(unknown.headers.get('x-tt-logid') ?? '', /^\d{14}[0-9A-F]{18}$/);
    sim.faults.invalidTokenStatus(400);
    assertError(await audit(sim, 't-nope'), 400, 99991663);
    sim.faults.invalidTokenStatus(200);
    assertError(await audit(sim, 't-nope'), 200, 99991663);
    sim.faults.reset();
    assertError(await audit(sim, 't-nope'), 401, 99991663);
    assert.throws(() => sim.faults.invalidTokenStatus(403 as 401));
  });
});

test('tokens: expireTokensNow, revokeToken and rotateSecret end tokens; new ones can be issued; reset does not undo', async () => {
  await withSim({ initialEvents: 3 }, async (sim) => {
    const a = await getToken(sim);
    sim.faults.expireTokensNow();
    assertError(await audit(sim, a), 401, 99991663);
    const b = await getToken(sim);
    assert.notEqual(b, a);
    assert.equal((await audit(sim, b)).json.code, 0);

    assert.equal(sim.faults.revokeToken(b), true);
    assert.equal(sim.faults.revokeToken('t-unknown'), false);
    assertError(await audit(sim, b), 401, 99991663);
    sim.faults.reset();
    assertError(await audit(sim, b), 401, 99991663);
    // The newest token was revoked, so the endpoint mints another.
    const c = await getToken(sim);
    assert.notEqual(c, b);

    const oldSecret = sim.appSecret;
    const newSecret = sim.faults.rotateSecret();
    assert.equal(sim.appSecret, newSecret);
    assert.notEqual(newSecret, oldSecret);
    assertError(await tokenRequest(sim, { app_id: sim.appId, app_secret: oldSecret }), 400, 10014);
    assertError(await audit(sim, c), 401, 99991663);
    const d = await getToken(sim);
    assert.equal((await audit(sim, d)).json.code, 0);
  });
});

test('scope: a revoked admin:audit_info:readonly gets 99991672 with permission_violations', async () => {
  await withSim({ initialEvents: 3 }, async (sim) => {
    const token = await getToken(sim);
    sim.faults.revokeScope(true);
    const r = await audit(sim, token);
    assertError(r, 400, 99991672);
    assert.equal(r.json.msg, 'Access denied. One of the following scopes is required: [admin:audit_info:readonly].');
    const error = r.json.error as { permission_violations: Array<Record<string, string>>; log_id: string };
    assert.equal(error.permission_violations.length, 1);
    assert.equal(error.permission_violations[0]?.type, 'action_scope_required');
    assert.equal(error.permission_violations[0]?.subject, 'admin:audit_info:readonly');
    assert.equal(error.log_id, r.headers.get('x-tt-logid'));
    // A bad token is still reported as such first.
    assertError(await audit(sim, 't-nope'), 401, 99991663);
    sim.faults.revokeScope(false);
    assert.equal((await audit(sim, token)).json.code, 0);
  });
});

// --- query validation ---------------------------------------------------------------------

test('range: oldest > latest, a span over 30 days, or oldest beyond retention get 1050001; the boundaries are allowed', async () => {
  await withSim({ initialEvents: 10, retentionDays: 180 }, async (sim) => {
    const token = await getToken(sim);
    const time = { code: 1050001, msg: 'TIME_CHECK_NOT_VALID' };
    const bad: Array<Record<string, string | number>> = [
      { oldest: NOW_S, latest: NOW_S - 1 },
      { oldest: NOW_S - 30 * DAY_S - 1, latest: NOW_S },
      { oldest: NOW_S - 180 * DAY_S - 1, latest: NOW_S - 170 * DAY_S },
      // Milliseconds by mistake: far over 30 days wide.
      { oldest: NOW - 3_600_000, latest: NOW },
      { oldest: 'yesterday' },
      { latest: '1.5' },
      // latest alone, 40 days back: the default oldest (now - 30 d) is after it.
      { latest: NOW_S - 40 * DAY_S },
    ];
    for (const params of bad) {
      const r = await audit(sim, token, params);
      assert.deepEqual([r.status, r.json], [400, time], JSON.stringify(params));
    }
    const good: Array<Record<string, string | number>> = [
      { oldest: NOW_S - 30 * DAY_S, latest: NOW_S },
      { oldest: NOW_S - 180 * DAY_S, latest: NOW_S - 150 * DAY_S },
      { oldest: NOW_S, latest: NOW_S },
      { oldest: NOW_S - DAY_S, latest: NOW_S + 3600 },
      {},
    ];
    for (const params of good) {
      assert.equal((await audit(sim, token, params)).json.code, 0, JSON.stringify(params));
    }
  });
});

test('params: page_size 1050005, user_id_type 1050004, unknown event_name 1050007, unknown operator_value 1050009', async () => {
  await withSim({ initialEvents: 30 }, async (sim) => {
    const token = await getToken(sim);
    for (const size of ['0', '201', 'abc', '-1', '2.5']) assertError(await audit(sim, token, { page_size: size }), 400, 1050005);
    assert.equal((await page(sim, token, { page_size: 200 })).items.length, 30);
    assert.equal((await page(sim, token, { page_size: 1 })).items.length, 1);
    assert.equal((await page(sim, token, {})).items.length, 20);
    assertError(await audit(sim, token, { user_id_type: 'email' }), 400, 1050004);
    assertError(await audit(sim, token, { event_module: 'docs' }), 400, 1050004);
    assertError(await audit(sim, token, { operator_type: 'admin' }), 400, 1050004);
    assertError(await audit(sim, token, { user_type: '3' }), 400, 1050004);
    const unknownName = await audit(sim, token, { event_name: 'space_teleport_doc' });
    assert.deepEqual([unknownName.status, unknownName.json.code], [400, 1050007]);
    assert.equal((await audit(sim, token, { event_name: 'space_read_doc' })).json.code, 0);
    assertError(await audit(sim, token, { operator_type: 'user', operator_value: 'ou_nobody' }), 400, 1050009);
    // Empty values count as absent.
    assert.equal((await page(sim, token, { page_size: '', event_name: '', page_token: '' })).items.length, 20);
  });
});

test('page_token: garbage, foreign to the query, sent raw or double-encoded gets 1050006', async () => {
  await withSim({ initialEvents: 50 }, async (sim) => {
    const token = await getToken(sim);
    const params = { oldest: NOW_S - 8 * DAY_S, latest: NOW_S, page_size: 10, user_id_type: 'open_id' };
    const first = await page(sim, token, params);
    assert.equal(first.has_more, true);
    const pt = first.page_token ?? '';
    // Looks like the vendor's: base64 with %-escapes, so it must be URL-encoded when sent back.
    assert.match(pt, /^(?:[A-Za-z0-9/]|%2B)+%3D%3D$/);
    assert.ok(pt.includes('%'));
    assert.equal((await page(sim, token, { ...params, page_token: pt })).items.length, 10);
    // A different page_size is fine.
    assert.equal((await page(sim, token, { ...params, page_size: 15, page_token: pt })).items.length, 15);

    const foreign: Array<Record<string, string | number>> = [
      { page_token: 'garbage' },
      { page_token: `${pt.slice(0, 20)}${pt[20] === 'A' ? 'B' : 'A'}${pt.slice(21)}` },
      { page_token: pt, oldest: NOW_S - 7 * DAY_S },
      { page_token: pt, latest: NOW_S - 1 },
      { page_token: pt, event_name: 'space_read_doc' },
      { page_token: pt, user_id_type: 'union_id' },
      // Double-encoded by the client.
      { page_token: encodeURIComponent(pt) },
    ];
    for (const other of foreign) {
      const r = await audit(sim, token, { ...params, ...other });
      assert.deepEqual([r.status, r.json], [400, { code: 1050006, msg: 'page_token error' }], JSON.stringify(other));
    }
    // Sent without encoding: %3D arrives decoded as '='.
    const raw = await send(`${sim.url}${AUDIT_PATH}?oldest=${params.oldest}&latest=${params.latest}&page_size=10&user_id_type=open_id&page_token=${pt}`, { headers: { authorization: `Bearer ${token}` } });
    assertError(raw, 400, 1050006);
    // Omitting oldest/latest on page 2 when page 1 had them changes the query too.
    assertError(await audit(sim, token, { page_size: 10, user_id_type: 'open_id', page_token: pt }), 400, 1050006);
    assert.ok(decodePageToken(pt, 'another query') === undefined);
  });
});

// --- paging -------------------------------------------------------------------------------

test('paging: walks every event in range exactly once, newest first, bounds inclusive', async () => {
  await withSim({ initialEvents: 400 }, async (sim) => {
    const token = await getToken(sim);
    const truth = sim.events() as Item[];
    // Bounds exactly on two events' times.
    const oldest = truth[50]?.event_time ?? 0;
    const latest = truth[350]?.event_time ?? 0;
    const expected = servedOrder(sim, oldest, latest);
    assert.ok(expected.length >= 301);
    const walked = await walk(sim, token, { oldest, latest, page_size: 7 });
    assert.deepEqual(ids(walked.items), ids(expected));
    assert.equal(walked.pages, Math.ceil(expected.length / 7));
    for (let i = 1; i < walked.items.length; i++) assert.ok((walked.items[i - 1]?.event_time ?? 0) >= (walked.items[i]?.event_time ?? 0));
    assert.ok(walked.items.some((e) => e.event_time === oldest));
    assert.ok(walked.items.some((e) => e.event_time === latest));

    // Defaults (last 30 days) cover the whole 7-day history; the served items are the stored ones.
    const all = await walk(sim, token, { page_size: 200 });
    assert.deepEqual(all.items, servedOrder(sim, 0, NOW_S));
    // An empty window: no items, no token.
    const empty = await page(sim, token, { oldest: NOW_S - 30 * DAY_S, latest: NOW_S - 20 * DAY_S });
    assert.deepEqual(empty, { has_more: false, items: [] });
  });
});

test('paging: stable while new and late events arrive between pages', async () => {
  await withSim({ initialEvents: 300, historyMs: 3_600_000 }, async (sim, clock) => {
    const token = await getToken(sim);
    const before = new Set(ids(sim.events() as Item[]));
    const params = { oldest: NOW_S - 7200, latest: NOW_S + 3600, page_size: 20 };
    let added: Item[] = [];
    const walked = await walk(sim, token, params, (pageNo) => {
      clock.advance(1_000);
      // New events at "now", late ones 5-600 s back, and some stamped in the middle of the history.
      added = added.concat(sim.addEvents(3) as Item[], sim.addEvents(3, { late: true }) as Item[], sim.addEvents(2, { at: NOW - 1_800_000 + pageNo * 1000 }) as Item[]);
    });
    const served = ids(walked.items);
    assert.equal(new Set(served).size, served.length, 'no duplicates');
    for (const id of before) assert.ok(served.includes(id), `pre-existing ${id} served`);
    // Newest first throughout, and nothing outside the window.
    for (let i = 1; i < walked.items.length; i++) assert.ok((walked.items[i - 1]?.event_time ?? 0) >= (walked.items[i]?.event_time ?? 0));
    // Events inserted below the cursor were picked up by the same walk.
    const servedSet = new Set(served);
    assert.ok(added.some((e) => servedSet.has(e.unique_id)));
    // A fresh walk sees everything stored now.
    const again = await walk(sim, token, params);
    assert.deepEqual(ids(again.items), ids(servedOrder(sim, params.oldest, params.latest)));
  });
});

test('paging: a default window stays put across pages while the clock moves', async () => {
  await withSim({ initialEvents: 60 }, async (sim, clock) => {
    const token = await getToken(sim);
    const walked = await walk(sim, token, { page_size: 25 }, () => {
      clock.advance(10_000);
      sim.addEvents(1);
    });
    assert.equal(walked.items.length, 60);
  });
});

test('filters and user_id_type: operator_value in the asked ID type; event_name, event_module, operator and user type, objects', async () => {
  await withSim({ initialEvents: 600, rateLimit: false }, async (sim) => {
    const token = await getToken(sim);
    const truth = sim.events() as Item[];
    const byOpen = await walk(sim, token, { page_size: 200 });
    const byUnion = await walk(sim, token, { page_size: 200, user_id_type: 'union_id' });
    const byUser = await walk(sim, token, { page_size: 200, user_id_type: 'user_id' });
    const member = byOpen.items.findIndex((e) => e.operator_type === 1);
    assert.match(byOpen.items[member]?.operator_value ?? '', /^ou_[0-9a-f]{32}$/);
    assert.match(byUnion.items[member]?.operator_value ?? '', /^on_[0-9a-f]{32}$/);
    assert.match(byUser.items[member]?.operator_value ?? '', /^[0-9a-f]{8}$/);
    // Everything else is identical.
    assert.deepEqual({ ...byUnion.items[member], operator_value: '' }, { ...byOpen.items[member], operator_value: '' });

    const count = (pred: (e: Item) => boolean): number => truth.filter(pred).length;
    assert.equal((await walk(sim, token, { page_size: 50, event_name: 'space_edit_doc' })).items.length, count((e) => e.event_name === 'space_edit_doc'));
    assert.equal((await walk(sim, token, { page_size: 50, event_module: 2 })).items.length, count((e) => e.event_module === 2));
    assert.equal((await walk(sim, token, { page_size: 50, operator_type: 'bot' })).items.length, count((e) => e.operator_type === 12));
    assert.equal((await walk(sim, token, { page_size: 50, user_type: 2 })).items.length, count((e) => e.operator_type === 1001));
    const someone = byUser.items[member]?.operator_value ?? '';
    const mine = await walk(sim, token, { page_size: 50, user_id_type: 'user_id', operator_type: 'user', operator_value: someone });
    assert.ok(mine.items.length > 0);
    assert.ok(mine.items.every((e) => e.operator_value === someone));
    const doc = truth.find((e) => e.event_module === 1) as { objects: Array<{ object_type: string; object_value: string }> } | undefined;
    const obj = doc?.objects[0];
    assert.ok(obj);
    const hits = await walk(sim, token, { page_size: 50, object_type: Number(obj.object_type), object_value: obj.object_value });
    assert.ok(hits.items.length >= 1);
    assert.ok(hits.items.every((e) => (e.objects as Array<{ object_value: string }>).some((o) => o.object_value === obj.object_value)));
    const viaCcm = await walk(sim, token, { page_size: 50, ext_filter_object_by_ccm_token: obj.object_value, object_type: 999 });
    assert.deepEqual(ids(viaCcm.items), ids(hits.items));
    // Filtered paging is exact too.
    const filtered = await walk(sim, token, { page_size: 3, event_module: 1 });
    assert.deepEqual(ids(filtered.items), ids(servedOrder(sim, 0, NOW_S).filter((e) => e.event_module === 1)));
  });
});

// --- rate limit and faults ---------------------------------------------------------------------

test('rate limit: 100 audit_infos requests per minute per app, then 429 99991400 with x-ogw-ratelimit-* and no Retry-After', async () => {
  await withSim({ initialEvents: 2 }, async (sim, clock) => {
    const token = await getToken(sim);
    for (let i = 0; i < 100; i++) {
      assert.equal((await audit(sim, token, { page_size: 1 })).status, 200, `request ${i + 1}`);
      if (i === 49) clock.advance(30_000);
    }
    const limited = await audit(sim, token);
    assert.deepEqual([limited.status, limited.json], [429, { code: 99991400, msg: 'request trigger frequency limit' }]);
    assert.equal(limited.headers.get('x-ogw-ratelimit-limit'), '100');
    // The first 50 leave the window 30 s from now.
    assert.equal(limited.headers.get('x-ogw-ratelimit-reset'), '30');
    assert.equal(limited.headers.get('retry-after'), null);
    // Token requests and bad tokens are not counted, and still answered.
    assert.equal((await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret })).status, 200);
    assertError(await audit(sim, 't-nope'), 401, 99991663);
    clock.advance(29_999);
    assert.equal((await audit(sim, token)).status, 429);
    assert.equal((await audit(sim, token)).headers.get('x-ogw-ratelimit-reset'), '1');
    clock.advance(1);
    assert.equal((await audit(sim, token)).status, 200);
    assert.equal(sim.stats().requests, 105);
  });
});

test('faults: injected rate limit (429 or 400), server errors, malformed answers, then normal service', async () => {
  await withSim({ initialEvents: 5, rateLimit: false }, async (sim) => {
    const token = await getToken(sim);
    sim.faults.rateLimitNext(1);
    const r429 = await audit(sim, token);
    assertError(r429, 429, 99991400);
    assert.equal(r429.headers.get('x-ogw-ratelimit-reset'), '1');
    assert.equal(r429.headers.get('retry-after'), null);
    sim.faults.rateLimitNext(2, { status: 400, resetSeconds: 5 });
    for (let i = 0; i < 2; i++) {
      const r = await audit(sim, token);
      assertError(r, 400, 99991400);
      assert.equal(r.headers.get('x-ogw-ratelimit-reset'), '5');
      assert.equal(r.headers.get('x-ogw-ratelimit-limit'), '100');
    }
    assert.throws(() => sim.faults.rateLimitNext(1, { status: 503 as 429 }));

    sim.faults.serverErrorNext(1);
    assert.deepEqual((await audit(sim, token)).json, { code: 1050002, msg: 'DB error' });
    sim.faults.serverErrorNext(2, 503);
    const rpc = await audit(sim, token);
    assert.deepEqual([rpc.status, rpc.json], [503, { code: 1050008, msg: 'RPC error' }]);
    assert.equal((await audit(sim, token)).status, 503);

    sim.faults.malformedNext(4);
    for (let i = 0; i < 4; i++) {
      const r = await audit(sim, token);
      assert.equal(r.status, 200);
      let usable = false;
      try {
        const body = JSON.parse(r.text) as { code?: unknown; data?: { items?: unknown } };
        usable = body.code === 0 && Array.isArray(body.data?.items);
      } catch {
        usable = false;
      }
      assert.equal(usable, false, r.text);
    }
    // A bad token is refused before any fault is used up.
    sim.faults.serverErrorNext(1);
    assertError(await audit(sim, 't-nope'), 401, 99991663);
    assert.equal((await audit(sim, token)).status, 500);

    sim.faults.tokenEndpointErrorNext(2, 503);
    assert.deepEqual([(await tokenRequest(sim, {})).status, (await tokenRequest(sim, {})).json], [503, { code: 2200, msg: 'internal error' }]);
    assert.equal((await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret })).status, 200);

    sim.faults.slowResponses(5);
    assert.equal((await audit(sim, token)).status, 200);
    sim.faults.rateLimitNext(3);
    sim.faults.reset();
    assert.equal((await audit(sim, token)).json.code, 0);
  });
});

test('HTTP controls: faults, events and stats over /__sim/*', async () => {
  await withSim({ initialEvents: 30 }, async (sim, clock) => {
    const control = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: JSON.parse(await res.text()) as unknown };
    };
    const token = await getToken(sim);
    const set = await control('POST', '/__sim/faults', {
      rateLimitNext: { n: 1, status: 400, resetSeconds: 7 },
      serverErrorNext: { n: 1, status: 502 },
      malformedNext: 1,
      invalidTokenStatus: 200,
      tokenEndpointErrorNext: 1,
    });
    assert.equal(set.status, 200);
    const snap = set.json as Record<string, unknown>;
    assert.equal(snap.rateLimitNext, 1);
    assert.equal(snap.rateLimitStatus, 400);
    assert.equal(snap.resetSeconds, 7);
    assert.equal(snap.serverErrorStatus, 502);
    assert.equal(snap.invalidTokenStatus, 200);
    assert.equal(snap.tokenEndpointErrorNext, 1);
    assert.equal(snap.appSecret, sim.appSecret);
    const limited = await audit(sim, token);
    assertError(limited, 400, 99991400);
    assert.equal(limited.headers.get('x-ogw-ratelimit-reset'), '7');
    assert.equal((await audit(sim, token)).status, 502);
    assert.equal((await audit(sim, token)).json.code, undefined);
    assertError(await audit(sim, 't-nope'), 200, 99991663);
    assert.equal((await tokenRequest(sim, { app_id: sim.appId, app_secret: sim.appSecret })).status, 500);

    // Nothing applies when anything is wrong.
    for (const bad of [{ malformedNext: 1, explode: true }, { rateLimitNext: { n: 1, status: 418 } }, { invalidTokenStatus: 403 }, { revokeToken: 5 }, { rateLimitNext: 1, serverErrorNext: { n: 1, status: 200 } }]) {
      assert.equal((await control('POST', '/__sim/faults', bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal(((await control('GET', '/__sim/faults')).json as Record<string, unknown>).malformedNext, 0);
    assert.equal(((await control('GET', '/__sim/faults')).json as Record<string, unknown>).rateLimitNext, 0);

    const old = sim.appSecret;
    const rotated = (await control('POST', '/__sim/faults', { reset: true, rotateSecret: true, revokeScope: true })).json as Record<string, unknown>;
    assert.notEqual(rotated.appSecret, old);
    assert.equal(rotated.appSecret, sim.appSecret);
    assert.equal(rotated.invalidTokenStatus, 401);
    assert.equal(rotated.scopeRevoked, true);
    const fresh = await getToken(sim);
    assertError(await audit(sim, fresh), 400, 99991672);
    await control('POST', '/__sim/faults', { revokeScope: false, revokeToken: fresh });
    assertError(await audit(sim, fresh), 401, 99991663);
    const last = await getToken(sim);
    await control('POST', '/__sim/faults', { expireTokensNow: true });
    assertError(await audit(sim, last), 401, 99991663);

    assert.deepEqual(await control('POST', '/__sim/events', { n: 10 }), { status: 200, json: { added: 10, total: 40 } });
    assert.deepEqual((await control('POST', '/__sim/events', { n: 2, late: true })).json, { added: 2, total: 42 });
    assert.deepEqual((await control('POST', '/__sim/events', { n: 1, at: NOW - 86_400_000 })).json, { added: 1, total: 43 });
    assert.equal((await control('POST', '/__sim/events', { n: -1 })).status, 400);
    assert.equal((await control('POST', '/__sim/events', { n: 1, late: 'yes' })).status, 400);
    const all = await control('GET', '/__sim/events');
    assert.deepEqual(all.json, sim.events());
    assert.ok(sim.events().some((e) => e.event_time === NOW_S - DAY_S));

    clock.advance(1_000);
    const stats = (await control('GET', '/__sim/stats')).json as Record<string, unknown>;
    assert.deepEqual(stats, sim.stats());
    assert.equal((await control('GET', '/__sim/nothing')).status, 404);
  });
});

test('stats: every audit_infos request with its query, status, code, items, has_more and token suffix', async () => {
  await withSim({ initialEvents: 12 }, async (sim, clock) => {
    const token = await getToken(sim);
    const first = await page(sim, token, { page_size: 5 });
    clock.advance(250);
    await page(sim, token, { page_size: 5, page_token: first.page_token ?? '' });
    await audit(sim, undefined);
    const stats = sim.stats();
    assert.equal(stats.requests, 3);
    assert.deepEqual(stats.requestTimes, [NOW, NOW + 250, NOW + 250]);
    assert.equal(stats.tokenRequests, 1);
    assert.equal(stats.tokensIssued, 1);
    const [t, a, b, c] = stats.lastRequests;
    assert.deepEqual(t, { at: NOW, path: TOKEN_PATH, query: {}, status: 200, code: 0, items: 0, hasMore: false, tokenSuffix: token.slice(-6) });
    assert.deepEqual(a, { at: NOW, path: AUDIT_PATH, query: { page_size: '5' }, status: 200, code: 0, items: 5, hasMore: true, tokenSuffix: token.slice(-6) });
    assert.equal(b?.query.page_token, first.page_token);
    assert.equal(b?.hasMore, true);
    assert.deepEqual(c, { at: NOW + 250, path: AUDIT_PATH, query: {}, status: 400, code: 99991661, items: 0, hasMore: false });
  });
});

// --- data -------------------------------------------------------------------------------------

test('generated data: realistic AuditInfo items, seeded', async () => {
  await withSim({ initialEvents: 3000, seed: 7 }, async (sim) => {
    const truth = sim.events() as Array<Item & Record<string, unknown>>;
    assert.equal(truth.length, 3000);
    const unique = new Set(truth.map((e) => e.unique_id));
    assert.equal(unique.size, truth.length);
    assert.ok(truth.every((e) => /^\d{19}$/.test(e.unique_id) && /^\d{19}$/.test(e.event_id)));
    const eventIds = new Set(truth.map((e) => e.event_id));
    assert.ok(eventIds.size < truth.length / 10, 'event_id values repeat');
    const modules = new Set(truth.map((e) => e.event_module));
    for (const m of [1, 2, 5, 6, 21]) assert.ok(modules.has(m), `module ${m}`);
    assert.ok(modules.size >= 7);
    assert.deepEqual(new Set(truth.map((e) => e.operator_type)), new Set([1, 12, 1001]));
    for (const name of ['space_create_doc', 'space_edit_doc', 'space_read_doc', 'space_delete_doc', 'space_export_doc', 'space_download_file', 'space_comment_doc', 'im_send_message', 'account_login', 'vc_join_meeting', 'calendar_create_event']) {
      assert.ok(truth.some((e) => e.event_name === name), name);
    }
    for (const e of truth) {
      assert.equal(typeof e.event_time, 'number');
      assert.ok(Number.isInteger(e.event_time) && e.event_time <= NOW_S && e.event_time >= NOW_S - 7 * DAY_S);
      for (const o of e.objects as Array<Record<string, unknown>>) assert.equal(typeof o.object_type, 'string');
      for (const r of e.recipients as Array<Record<string, unknown>>) assert.equal(typeof r.recipient_type, 'string');
      const ctx = e.audit_context as Record<string, unknown>;
      const key = ['ios_context', 'android_context', 'pc_context', 'web_context'][ctx.terminal_type as number] ?? 'none';
      const inner = ctx[key] as Record<string, unknown> | undefined;
      assert.ok(inner, `context for terminal ${String(ctx.terminal_type)}`);
      assert.equal(inner.IP, e.ip);
      assert.deepEqual(Object.keys(e.audit_detail as object).sort(), ['city', 'device_model', 'mc', 'os']);
      if (e.operator_type === 1001) assert.match(e.operator_value, /\*{10,}$/);
      if (e.operator_type === 12) assert.equal(e.operator_app, e.operator_value);
      if (e.operator_type === 1) assert.match(e.operator_value, /^ou_[0-9a-f]{32}$/);
    }
    assert.deepEqual(new Set(truth.map((e) => (e.audit_context as { terminal_type: number }).terminal_type)), new Set([0, 1, 2, 3]));
    assert.ok(truth.some((e) => /^\d+\.\d+\.\d+\.\d+$/.test(e.ip as string)));
    assert.ok(truth.some((e) => (e.ip as string).includes(':')));
    assert.ok(truth.some((e) => JSON.stringify(e.extend) === '{}'));
    assert.ok(truth.some((e) => (e.extend as Record<string, unknown>).login_method !== undefined));
    assert.ok(truth.some((e) => typeof e.operator_app_name === 'string' && e.operator_app_name !== '' && e.operator_type === 1));
    // Junk in common_drawers, as in the vendor's sample.
    const drawers = truth.flatMap((e) => ((e.common_drawers as { common_draw_info_list?: Array<Record<string, string>> }).common_draw_info_list ?? []));
    assert.ok(drawers.some((d) => d.val_i18n_key === undefined && d.key_i18n_key === '文件类型'));
    assert.ok(drawers.some((d) => d.info_key === 'CCM_op_status' && d.val_type === '1'));

    // Same seed, same data; another seed, other data.
    const twin = await startLarkSimulator({ now: () => NOW, initialEvents: 3000, seed: 7 });
    const other = await startLarkSimulator({ now: () => NOW, initialEvents: 3000, seed: 8 });
    try {
      assert.deepEqual(twin.events(), truth);
      assert.equal(twin.appSecret, sim.appSecret);
      assert.notDeepEqual(other.events().slice(0, 10), truth.slice(0, 10));
      assert.notEqual(other.appSecret, sim.appSecret);
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

test('addEvents: now, at a given instant, or late (5-600 s back, visible now); history segments', async () => {
  await withSim({ history: [{ from: NOW - 3 * 86_400_000, to: NOW - 2 * 86_400_000, count: 40 }, { from: NOW - 3_600_000, to: NOW, count: 10 }] }, async (sim) => {
    const truth = sim.events() as Item[];
    assert.equal(truth.length, 50);
    assert.equal(truth.filter((e) => e.event_time >= NOW_S - 3600).length, 10);
    const now = sim.addEvents(3) as Item[];
    assert.ok(now.every((e) => e.event_time === NOW_S));
    const late = sim.addEvents(50, { late: true }) as Item[];
    assert.ok(late.every((e) => e.event_time >= NOW_S - 600 && e.event_time <= NOW_S - 5));
    assert.ok(new Set(late.map((e) => e.event_time)).size > 10);
    const at = sim.addEvents(2, { at: Date.UTC(2024, 5, 1, 12, 0, 30, 900) }) as Item[];
    assert.ok(at.every((e) => e.event_time === Date.UTC(2024, 5, 1, 12, 0, 30) / 1000));
    const all = sim.events() as Item[];
    assert.equal(all.length, 105);
    for (let i = 1; i < all.length; i++) assert.ok((all[i - 1]?.event_time ?? 0) <= (all[i]?.event_time ?? 0));
    // Returned copies are fresh: changing them changes nothing stored.
    (now[0] as Record<string, unknown>).event_name = 'changed';
    assert.ok(!sim.events().some((e) => e.event_name === 'changed'));
    assert.throws(() => sim.addEvents(-1));
  });
});

test('live feed adds events in the background', () =>
  assertLiveFeedAddsEvents(() => startLarkSimulator({ initialEvents: 0, liveEventsPerSecond: 100, lateFraction: 0.5 })));

test('speed sanity: pages of 200 out of a 200,000-event store', async () => {
  await withSim({ history: [{ from: NOW - 25 * 86_400_000, to: NOW, count: 200_000 }], rateLimit: false }, async (sim) => {
    const token = await getToken(sim);
    const params = { oldest: NOW_S - 26 * DAY_S, latest: NOW_S, page_size: 200 };
    const first = await page(sim, token, params);
    assert.equal(first.items.length, 200);
    const second = await page(sim, token, { ...params, page_token: first.page_token ?? '' });
    assert.equal(second.items.length, 200);
    assert.ok((first.items[199]?.event_time ?? 0) >= (second.items[0]?.event_time ?? 0));
    // A late insert lands in place and a narrow window finds it.
    const [late] = sim.addEvents(1, { at: NOW - 10 * 86_400_000, late: true }) as Item[];
    assert.ok(late);
    const narrow = await walk(sim, token, { oldest: late.event_time, latest: late.event_time, page_size: 200 });
    assert.ok(narrow.items.some((e) => e.unique_id === late.unique_id));
  });
});
