import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLastPassSimulator,
  type LastPassEvent,
  type LastPassSimulator,
  type LastPassSimulatorOptions,
} from '../../src/simulators/lastpass/index.js';
import { ACTIONS, ADMIN_ACTIONS } from '../../src/simulators/lastpass/vocabulary.js';
import { FastWallClock } from '../../src/simulators/lastpass/wallclock.js';
import { WallClockZone, formatWallTime } from '../../src/sources/lastpass/zoned-time.js';
import { assertLiveFeedAddsEvents } from './live-feed-check.js';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

interface Page {
  status: string;
  next: unknown;
  data?: Record<string, LastPassEvent> | unknown[] | null;
  error?: string[];
}

/** A fixed clock: mid-June 2024, 12:00 in New York (EDT). */
const NOW = Date.UTC(2024, 5, 15, 16, 0, 0);
const EVERYTHING = { from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00' };

async function post(sim: LastPassSimulator, body: unknown, path = '/enterpriseapi.php'): Promise<Reply> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function creds(sim: LastPassSimulator): { cid: number; provhash: string } {
  return { cid: sim.companyId, provhash: sim.provisioningHash };
}

/** A reporting request; `top` adds or overrides top-level fields. */
async function report(sim: LastPassSimulator, data: Record<string, unknown>, top: Record<string, unknown> = {}): Promise<Page> {
  const r = await post(sim, { ...creds(sim), cmd: 'reporting', ...top, data });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Page;
}

/** The events of a page in key order (Event1 first), checking the keys are Event1..EventN. */
function eventsOf(page: Page): LastPassEvent[] {
  assert.equal(page.status, 'OK', JSON.stringify(page));
  const data = page.data;
  assert.ok(data && !Array.isArray(data), `data should be an object, got ${JSON.stringify(data)}`);
  const keys = Object.keys(data);
  assert.deepEqual(keys, keys.map((_, i) => `Event${i + 1}`));
  return keys.map((k) => data[k] as LastPassEvent);
}

/** Follows `next` (echoed back unchanged, inside data or at the top level) until null. */
async function walk(sim: LastPassSimulator, data: Record<string, unknown>, nextAtTop = false): Promise<{ events: LastPassEvent[]; pages: number; nexts: unknown[] }> {
  const events: LastPassEvent[] = [];
  const nexts: unknown[] = [];
  let next: unknown;
  let pages = 0;
  for (;;) {
    const withNext = next === undefined ? {} : { next };
    const page = nextAtTop ? await report(sim, data, withNext) : await report(sim, { ...data, ...withNext });
    pages++;
    events.push(...eventsOf(page));
    if (page.next === null) return { events, pages, nexts };
    nexts.push(page.next);
    next = page.next;
    assert.ok(pages < 10_000, 'paging does not end');
  }
}

async function withSim(opts: LastPassSimulatorOptions, fn: (sim: LastPassSimulator) => Promise<void>): Promise<void> {
  const sim = await startLastPassSimulator({ now: () => NOW, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const same = (a: LastPassEvent, b: LastPassEvent): boolean =>
  a.Time === b.Time && a.Username === b.Username && a.IP_Address === b.IP_Address && a.Action === b.Action && a.Data === b.Data;

test('auth: cid as a number or a string; a wrong hash or cid gets Authorization Error (JSON or plain text)', async () => {
  await withSim({ initialEvents: 20 }, async (sim) => {
    assert.equal(sim.companyId, 8771237);
    assert.match(sim.provisioningHash, /^[0-9a-f]{64}$/);
    assert.equal(sim.timeZone, 'America/New_York');
    assert.equal(eventsOf(await report(sim, EVERYTHING)).length, 20);
    assert.equal(eventsOf(await report(sim, EVERYTHING, { cid: String(sim.companyId) })).length, 20);

    const authError = { status: 'FAIL', error: ['Authorization Error'] };
    for (const top of [{ provhash: 'nope' }, { cid: 1234 }, { cid: '1234' }, { provhash: undefined }, { cid: undefined }, { cid: [sim.companyId] }]) {
      const r = await post(sim, { ...creds(sim), cmd: 'reporting', ...top, data: EVERYTHING });
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.text), authError, JSON.stringify(top));
    }

    sim.faults.authErrorAsText(true);
    const text = await post(sim, { ...creds(sim), provhash: 'nope', cmd: 'reporting', data: EVERYTHING });
    assert.equal(text.status, 200);
    assert.equal(text.text, 'Authorization Error');
    assert.match(text.headers.get('content-type') ?? '', /^text\/html/);
    // Only errors change: good credentials still get JSON.
    assert.equal((await report(sim, EVERYTHING)).status, 'OK');
  });
});

test('faults: quoteRequestInErrors quotes the request body in FAIL answers, Authorization Error and the HTML error pages', async () => {
  await withSim({ initialEvents: 5 }, async (sim) => {
    sim.faults.quoteRequestInErrors(true);
    const refused = { ...creds(sim), provhash: 'not-the-hash', cmd: 'reporting', data: EVERYTHING };
    const raw = JSON.stringify(refused);
    assert.deepEqual(JSON.parse((await post(sim, raw)).text), { status: 'FAIL', error: ['Authorization Error', `Request: ${raw}`] });
    sim.faults.serverErrorNext(1, 502);
    const page = await post(sim, raw);
    assert.equal(page.status, 502);
    assert.ok(page.text.includes(`<p>Request: ${raw}</p>`), page.text);
    // Good credentials still get their page.
    assert.equal((await report(sim, EVERYTHING)).status, 'OK');
    sim.faults.reset();
    assert.deepEqual(JSON.parse((await post(sim, raw)).text), { status: 'FAIL', error: ['Authorization Error'] });
  });
});

test('requests: unknown cmd, non-JSON body, other paths and methods; the query string is ignored', async () => {
  await withSim({ initialEvents: 5 }, async (sim) => {
    const unknown = await post(sim, { ...creds(sim), cmd: 'getuserdata', data: {} });
    assert.deepEqual(JSON.parse(unknown.text), { status: 'FAIL', error: ['Unknown command'] });
    const noCmd = await post(sim, { ...creds(sim), data: EVERYTHING });
    assert.deepEqual(JSON.parse(noCmd.text), { status: 'FAIL', error: ['Unknown command'] });

    for (const body of ['not json', '[1,2]', 'null', '"reporting"', '']) {
      const r = await post(sim, body);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.text), { status: 'FAIL', error: ['Invalid request: expected a JSON body'] }, body);
    }

    const elsewhere = await post(sim, { ...creds(sim), cmd: 'reporting', data: EVERYTHING }, '/api/enterpriseapi.php');
    assert.equal(elsewhere.status, 404);
    assert.equal(typeof JSON.parse(elsewhere.text), 'object');
    const get = await fetch(`${sim.url}/enterpriseapi.php`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await get.text();

    // Elastic sends a spurious ?from= parameter.
    const withQuery = await post(sim, { ...creds(sim), cmd: 'reporting', data: EVERYTHING }, '/enterpriseapi.php?from=2020-01-01');
    assert.equal(eventsOf(JSON.parse(withQuery.text) as Page).length, 5);
  });
});

test('dates: missing or invalid from/to fail with Invalid date; ISO 8601 with an offset is converted to the zone', async () => {
  await withSim({ initialEvents: 0 }, async (sim) => {
    const invalid = { status: 'FAIL', error: ['Invalid date'] };
    const bad: Array<Record<string, unknown>> = [
      {},
      { from: '2024-01-01 00:00:00' },
      { to: '2024-01-01 00:00:00' },
      { from: '2024-13-01 00:00:00', to: '2024-12-01 00:00:00' },
      { from: '2024-02-30 00:00:00', to: '2024-12-01 00:00:00' },
      { from: 'yesterday', to: '2024-12-01 00:00:00' },
      { from: 1718467200, to: '2024-12-01 00:00:00' },
      { from: '2024-01-01 00:00', to: '2024-12-01 00:00:00' },
    ];
    for (const data of bad) assert.deepEqual(await report(sim, data), invalid, JSON.stringify(data));
    const noData = await post(sim, { ...creds(sim), cmd: 'reporting' });
    assert.deepEqual(JSON.parse(noData.text), invalid);

    // 16:00:00.500Z is 12:00:00 in New York (EDT, -4h).
    sim.addEvents(1, { at: NOW + 500 });
    const [ev] = sim.events();
    assert.equal(ev?.Time, '2024-06-15 12:00:00');
    for (const [from, to] of [
      ['2024-06-15T16:00:00Z', '2024-06-15T16:00:00Z'],
      ['2024-06-15T12:00:00-04:00', '2024-06-15T12:00:00-04:00'],
      ['2024-06-15T18:00:00+0200', '2024-06-15T18:00:00.999+02:00'],
      ['2024-06-15T12:00:00', '2024-06-15 12:00:00'],
    ]) {
      assert.equal(eventsOf(await report(sim, { from, to })).length, 1, `${from} .. ${to}`);
    }
    assert.equal(eventsOf(await report(sim, { from: '2024-06-15T16:00:01Z', to: '2024-06-15T17:00:00Z' })).length, 0);
  });
});

test('order: Event1 is the newest, keys are Event1..N, and one page holds the whole ground truth in reverse', async () => {
  await withSim({ initialEvents: 400 }, async (sim) => {
    const truth = sim.events();
    assert.equal(truth.length, 400);
    const served = eventsOf(await report(sim, EVERYTHING));
    assert.deepEqual(served, truth.slice().reverse());
    for (let i = 1; i < served.length; i++) assert.ok((served[i - 1]?.Time ?? '') >= (served[i]?.Time ?? ''), 'newest first');
    // Fields in the vendor's key order, all strings.
    for (const ev of served) {
      assert.deepEqual(Object.keys(ev), ['Time', 'Username', 'IP_Address', 'Action', 'Data']);
      assert.ok(Object.values(ev).every((v) => typeof v === 'string'));
      assert.match(ev.Time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    // History spans the last 7 days up to now (12:00 EDT on 2024-06-15).
    assert.ok((truth[0]?.Time ?? '') >= '2024-06-08 12:00:00');
    assert.ok((truth[truth.length - 1]?.Time ?? '') <= '2024-06-15 12:00:00');
  });
});

test('paging: a small pageSize walks every event exactly once, next echoed as a number or as a string', async () => {
  await withSim({ initialEvents: 500, pageSize: 37, identicalFraction: 0.1 }, async (sim) => {
    const expected = sim.events().reverse();
    const byNumber = await walk(sim, EVERYTHING);
    assert.equal(byNumber.pages, Math.ceil(500 / 37));
    assert.deepEqual(byNumber.events, expected);
    assert.ok(byNumber.nexts.every((n) => typeof n === 'number' && Number.isSafeInteger(n)));
    // Each next is a microsecond timestamp within the second of the first unserved event.
    const firstNext = byNumber.nexts[0] as number;
    const unserved = expected[37];
    assert.equal(formatWallTime(Math.floor(firstNext / 1000)), unserved?.Time);

    // The same walk with next placed at the top level.
    assert.deepEqual((await walk(sim, EVERYTHING, true)).events, expected);

    // Echoing the number as a string also works.
    const first = await report(sim, EVERYTHING);
    const second = await report(sim, { ...EVERYTHING, next: String(first.next) });
    assert.deepEqual(eventsOf(second), expected.slice(37, 74));

    sim.faults.nextAsString(true);
    const byString = await walk(sim, EVERYTHING);
    assert.ok(byString.nexts.every((n) => typeof n === 'string' && /^\d+$/.test(n)));
    assert.deepEqual(byString.events, expected);
    assert.deepEqual(byString.nexts, byNumber.nexts.map(String));

    for (const next of ['abc', { at: 1 }, [1], true, '']) {
      assert.deepEqual(await report(sim, { ...EVERYTHING, next }), { status: 'FAIL', error: ['Invalid next'] }, JSON.stringify(next));
    }
    // null means "no paginator", as sent by collectors on a first page.
    assert.equal(eventsOf(await report(sim, { ...EVERYTHING, next: null })).length, 37);
  });
});

test('from/to are inclusive on whole seconds of wall time; from > to is an empty OK', async () => {
  await withSim({ initialEvents: 0 }, async (sim) => {
    // 12:00:00.999 and 12:00:01.000 EDT.
    sim.addEvents(1, { at: NOW + 999 });
    sim.addEvents(1, { at: NOW + 1000 });
    const count = async (from: string, to: string): Promise<number> => eventsOf(await report(sim, { from, to })).length;
    assert.equal(await count('2024-06-15 12:00:00', '2024-06-15 12:00:00'), 1);
    assert.equal(await count('2024-06-15 12:00:01', '2024-06-15 12:00:01'), 1);
    assert.equal(await count('2024-06-15 12:00:00', '2024-06-15 12:00:01'), 2);
    assert.equal(await count('2024-06-15 11:00:00', '2024-06-15 11:59:59'), 0);
    assert.equal(await count('2024-06-15 12:00:02', '2024-06-15 13:00:00'), 0);
    const reversed = await report(sim, { from: '2024-06-15 12:00:01', to: '2024-06-15 12:00:00' });
    assert.deepEqual(reversed, { status: 'OK', next: null, data: {} });
  });
});

test('time zone: the repeated autumn hour prints twice; nothing is stamped in the skipped spring hour', async () => {
  await withSim({ initialEvents: 0 }, async (sim) => {
    // 05:30Z is 01:30 EDT and 06:30Z is 01:30 EST on 2024-11-03.
    const [first] = sim.addEvents(1, { at: Date.UTC(2024, 10, 3, 5, 30, 10) });
    const [second] = sim.addEvents(1, { at: Date.UTC(2024, 10, 3, 6, 30, 20) });
    assert.equal(first?.Time, '2024-11-03 01:30:10');
    assert.equal(second?.Time, '2024-11-03 01:30:20');
    const served = eventsOf(await report(sim, { from: '2024-11-03 01:00:00', to: '2024-11-03 01:59:59' }));
    assert.deepEqual(served.map((e) => e.Time), ['2024-11-03 01:30:20', '2024-11-03 01:30:10']);
    // 07:30Z on 2024-03-10 is 03:30 EDT: the clock jumped from 02:00 to 03:00.
    const [spring] = sim.addEvents(1, { at: Date.UTC(2024, 2, 10, 7, 30, 0) });
    assert.equal(spring?.Time, '2024-03-10 03:30:00');
  });

  const history = [
    { from: Date.UTC(2024, 2, 9, 12), to: Date.UTC(2024, 2, 11, 12), count: 4000 },
    { from: Date.UTC(2024, 10, 2, 12), to: Date.UTC(2024, 10, 4, 12), count: 4000 },
  ];
  await withSim({ history }, async (sim) => {
    const truth = sim.events();
    assert.equal(truth.length, 8000);
    assert.ok(!truth.some((e) => e.Time.startsWith('2024-03-10 02:')), 'an event in the skipped hour');
    assert.ok(truth.some((e) => e.Time.startsWith('2024-03-10 01:')));
    assert.ok(truth.some((e) => e.Time.startsWith('2024-03-10 03:')));
    const repeated = truth.filter((e) => e.Time.startsWith('2024-11-03 01:'));
    assert.ok(repeated.length > 0);
    // The order is by wall time, so the ground truth's Time never goes back, even across the repeated hour.
    for (let i = 1; i < truth.length; i++) assert.ok((truth[i - 1]?.Time ?? '') <= (truth[i]?.Time ?? ''), `Time out of order at ${i}`);
    const served = eventsOf(await report(sim, { from: '2024-11-03 01:00:00', to: '2024-11-03 01:59:59' }));
    assert.equal(served.length, repeated.length);
  });
});

test('wall clock fast path matches sources/lastpass/zoned-time exactly', () => {
  const zone = new WallClockZone('America/New_York');
  const fast = new FastWallClock(zone);
  for (let t = Date.UTC(2024, 2, 10, 5); t < Date.UTC(2024, 2, 10, 9); t += 61_001) assert.equal(fast.toWall(t), zone.toWall(t));
  for (let t = Date.UTC(2024, 10, 3, 4); t < Date.UTC(2024, 10, 3, 8); t += 59_999) assert.equal(fast.toWall(t), zone.toWall(t));
  for (const t of [0, Date.UTC(1999, 11, 31, 23, 59, 59), Date.UTC(2024, 1, 29, 12, 34, 56), Date.UTC(2038, 0, 19)]) {
    assert.equal(fast.format(Math.floor(zone.toWall(t) / 1000)), formatWallTime(zone.toWall(t)));
  }
  const kolkata = new WallClockZone('Asia/Kolkata');
  assert.equal(new FastWallClock(kolkata).toWall(NOW), kolkata.toWall(NOW));
});

test('identical events in the same second exist, and are all served', async () => {
  await withSim({ initialEvents: 3000 }, async (sim) => {
    const truth = sim.events();
    let twins = 0;
    for (let i = 1; i < truth.length; i++) if (same(truth[i - 1] as LastPassEvent, truth[i] as LastPassEvent)) twins++;
    // About 3% of events have a twin (some a triplet).
    assert.ok(twins > 30 && twins < 300, `twins: ${twins}`);

    const triplet = sim.addEvents(3, { identical: true });
    assert.equal(triplet.length, 3);
    assert.ok(same(triplet[0] as LastPassEvent, triplet[1] as LastPassEvent) && same(triplet[1] as LastPassEvent, triplet[2] as LastPassEvent));
    const t = triplet[0]?.Time ?? '';
    const served = eventsOf(await report(sim, { from: t, to: t })).filter((e) => same(e, triplet[0] as LastPassEvent));
    assert.equal(served.length, 3);
  });
  await withSim({ initialEvents: 1000, identicalFraction: 0 }, async (sim) => {
    // Without the option, some identical neighbours may still happen by chance, but rarely.
    const truth = sim.events();
    let twins = 0;
    for (let i = 1; i < truth.length; i++) if (same(truth[i - 1] as LastPassEvent, truth[i] as LastPassEvent)) twins++;
    assert.ok(twins < 10, `twins: ${twins}`);
  });
});

test('late events are inserted at their earlier position, visible only from now on', async () => {
  await withSim({ initialEvents: 200 }, async (sim) => {
    const onTime = sim.addEvents(5);
    assert.ok(onTime.every((e) => e.Time === '2024-06-15 12:00:00'));
    const before = sim.events();
    const [late] = sim.addEvents(1, { late: true });
    assert.ok(late);
    // Stamped 5-120 s before now.
    assert.ok(late.Time >= '2024-06-15 11:58:00' && late.Time <= '2024-06-15 11:59:55', late.Time);
    const after = sim.events();
    assert.equal(after.length, before.length + 1);
    const at = after.findIndex((e) => same(e, late));
    assert.ok(at >= 0 && at < after.length - 5, 'the late event sits before the on-time ones');
    assert.deepEqual(after.slice(-5), before.slice(-5));

    const served = eventsOf(await report(sim, { from: '2024-06-15 11:55:00', to: '2024-06-15 12:00:00' }));
    const text = (e: LastPassEvent): string => JSON.stringify(e);
    assert.deepEqual(served.slice(0, 5).map(text).sort(), onTime.map(text).sort());
    assert.ok(served.slice(5).some((e) => same(e, late)));
  });
});

test('empty pages: data is {} by default, or [] / null / absent by fault', async () => {
  await withSim({ initialEvents: 50 }, async (sim) => {
    const empty = { from: '2001-01-01 00:00:00', to: '2001-01-02 00:00:00' };
    const body = { ...creds(sim), cmd: 'reporting', data: empty };
    assert.equal((await post(sim, body)).text, '{"status":"OK","next":null,"data":{}}');
    sim.faults.emptyDataShape('array');
    assert.equal((await post(sim, body)).text, '{"status":"OK","next":null,"data":[]}');
    sim.faults.emptyDataShape('null');
    assert.equal((await post(sim, body)).text, '{"status":"OK","next":null,"data":null}');
    sim.faults.emptyDataShape('absent');
    assert.equal((await post(sim, body)).text, '{"status":"OK","next":null}');
    // A page with events is unaffected.
    assert.equal(eventsOf(await report(sim, EVERYTHING)).length, 50);
    sim.faults.reset();
    assert.equal((await post(sim, body)).text, '{"status":"OK","next":null,"data":{}}');
    assert.throws(() => sim.faults.emptyDataShape('list' as 'array'), RangeError);
  });
});

test('faults: 429, 5xx, FAIL and malformed answers, in that order, then normal service', async () => {
  await withSim({ initialEvents: 10 }, async (sim) => {
    const body = { ...creds(sim), cmd: 'reporting', data: EVERYTHING };
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 7 });
    sim.faults.serverErrorNext(1, 503);
    sim.faults.failNext(1, 'Please try again later');
    sim.faults.malformedNext(4);

    const limited = await post(sim, body);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.match(limited.text, /<html>/);
    const down = await post(sim, body);
    assert.equal(down.status, 503);
    assert.match(down.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(down.text, /503 Service Unavailable/);
    const failed = await post(sim, body);
    assert.equal(failed.status, 200);
    assert.deepEqual(JSON.parse(failed.text), { status: 'FAIL', error: ['Please try again later'] });

    const malformed = [await post(sim, body), await post(sim, body), await post(sim, body), await post(sim, body)];
    assert.ok(malformed.every((r) => r.status === 200));
    assert.throws(() => JSON.parse(malformed[0]?.text ?? ''), SyntaxError);
    assert.deepEqual(JSON.parse(malformed[1]?.text ?? ''), { status: 'OK', data: { Event1: 'not an object' } });
    assert.deepEqual(JSON.parse(malformed[2]?.text ?? ''), { status: 'OK', next: {}, data: {} });
    assert.match(malformed[3]?.text ?? '', /^<html>/);

    assert.equal(eventsOf(JSON.parse((await post(sim, body)).text) as Page).length, 10);

    // Without Retry-After, the header is absent; faults hit any request to the endpoint.
    sim.faults.rateLimitNext(1);
    const bare = await post(sim, 'not json');
    assert.equal(bare.status, 429);
    assert.equal(bare.headers.get('retry-after'), null);
    sim.faults.serverErrorNext(2);
    sim.faults.reset();
    assert.equal((await post(sim, body)).status, 200);
    assert.throws(() => sim.faults.serverErrorNext(1, 200), RangeError);
    assert.throws(() => sim.faults.rateLimitNext(-1), RangeError);
  });
});

test('faults: slow responses and revoked credentials (reset does not un-revoke)', async () => {
  await withSim({ initialEvents: 3, provisioningHash: 'initial-hash' }, async (sim) => {
    assert.equal(sim.provisioningHash, 'initial-hash');
    sim.faults.slowResponses(60);
    const t0 = Date.now();
    assert.equal((await report(sim, EVERYTHING)).status, 'OK');
    assert.ok(Date.now() - t0 >= 50);
    sim.faults.slowResponses(0);

    const old = sim.provisioningHash;
    const fresh = sim.faults.revokeCredentials();
    assert.notEqual(fresh, old);
    assert.equal(sim.provisioningHash, fresh);
    assert.match(fresh, /^[0-9a-f]{64}$/);
    const denied = await post(sim, { cid: sim.companyId, provhash: old, cmd: 'reporting', data: EVERYTHING });
    assert.deepEqual(JSON.parse(denied.text), { status: 'FAIL', error: ['Authorization Error'] });
    assert.equal(eventsOf(await report(sim, EVERYTHING)).length, 3);
    sim.faults.reset();
    const stillDenied = await post(sim, { cid: sim.companyId, provhash: old, cmd: 'reporting', data: EVERYTHING });
    assert.deepEqual(JSON.parse(stillDenied.text), { status: 'FAIL', error: ['Authorization Error'] });
  });
});

test('filters: user (in data or at the top level, any case), admin and search', async () => {
  await withSim({ initialEvents: 1500 }, async (sim) => {
    const truth = sim.events().reverse();
    const counts = new Map<string, number>();
    for (const e of truth) counts.set(e.Username, (counts.get(e.Username) ?? 0) + 1);
    const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.ok(busiest);
    const user = busiest[0];
    const mine = truth.filter((e) => e.Username === user);

    assert.deepEqual(eventsOf(await report(sim, { ...EVERYTHING, user: user.toUpperCase() })), mine);
    assert.deepEqual(eventsOf(await report(sim, EVERYTHING, { user })), mine);
    assert.equal(eventsOf(await report(sim, { ...EVERYTHING, user: 'allusers' })).length, truth.length);
    assert.equal(eventsOf(await report(sim, EVERYTHING, { user: 'allusers' })).length, truth.length);
    assert.equal(eventsOf(await report(sim, { ...EVERYTHING, user: 'nobody@nowhere.test' })).length, 0);

    const admin = eventsOf(await report(sim, { ...EVERYTHING, admin: '1' }));
    assert.ok(admin.length > 0 && admin.length < truth.length);
    assert.ok(admin.every((e) => ADMIN_ACTIONS.has(e.Action.toLowerCase())));
    assert.deepEqual(admin, truth.filter((e) => ADMIN_ACTIONS.has(e.Action.toLowerCase())));
    assert.ok(admin.some((e) => e.Username.startsWith('API: ') && e.Data === 'Initiated by API'));

    const search = eventsOf(await report(sim, { ...EVERYTHING, search: 'LASTPASS.COM' }));
    assert.ok(search.length > 0);
    assert.deepEqual(search, truth.filter((e) => Object.values(e).some((v) => v.toLowerCase().includes('lastpass.com'))));

    // Filters page like everything else.
    const small = await startLastPassSimulator({ now: () => NOW, initialEvents: 1500, pageSize: 25 });
    try {
      assert.deepEqual((await walk(small, { ...EVERYTHING, admin: '1' })).events, admin);
    } finally {
      await small.close();
    }
  });
});

test('generated data: realistic, seeded, both casings, IPv4 and IPv6, API users', async () => {
  const history = [
    { from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 2, 1), count: 3000 },
    { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 2, 1), count: 3000 },
  ];
  await withSim({ history, seed: 42 }, async (sim) => {
    const truth = sim.events();
    const again = await startLastPassSimulator({ now: () => NOW, history, seed: 42 });
    try {
      assert.deepEqual(again.events(), truth);
      assert.equal(again.provisioningHash, sim.provisioningHash);
    } finally {
      await again.close();
    }
    const other = await startLastPassSimulator({ now: () => NOW, history, seed: 43 });
    try {
      assert.notDeepEqual(other.events(), truth);
    } finally {
      await other.close();
    }

    const domains = new Set(truth.filter((e) => e.Username.includes('@')).map((e) => e.Username.split('@')[1]));
    assert.equal(domains.size, 1);
    const people = new Set(truth.filter((e) => e.Username.includes('@')).map((e) => e.Username));
    assert.ok(people.size >= 40 && people.size <= 50, `people: ${people.size}`);
    assert.ok(truth.some((e) => /^API: /.test(e.Username)));
    assert.ok(truth.some((e) => /^\d+\.\d+\.\d+\.\d+$/.test(e.IP_Address)));
    assert.ok(truth.some((e) => e.IP_Address.includes(':')));
    assert.ok(truth.some((e) => /^VID: \d{19}( |$)/.test(e.Data)));
    assert.ok(truth.some((e) => e.Data === ''));
    assert.ok(truth.some((e) => /^'[^']+' '[^']+@[^']+'$/.test(e.Data)));

    // Title Case dominates before 2022, sentence case after; both appear on each side.
    const changing = new Map<string, 'title' | 'sentence'>();
    for (const a of ACTIONS) if (a.title !== a.sentence) changing.set(a.title, 'title').set(a.sentence, 'sentence');
    const tally = (year: string): { title: number; sentence: number } => {
      const t = { title: 0, sentence: 0 };
      for (const e of truth) if (e.Time.startsWith(year)) {
        const form = changing.get(e.Action);
        if (form) t[form]++;
      }
      return t;
    };
    const old = tally('2020');
    const recent = tally('2024');
    assert.ok(old.title > 3 * old.sentence && old.sentence > 0, JSON.stringify(old));
    assert.ok(recent.sentence > 3 * recent.title && recent.title > 0, JSON.stringify(recent));
    assert.ok(truth.some((e) => e.Action === 'Failed Login Attempt') && truth.some((e) => e.Action === 'Failed login attempt'));
    const actions = new Set(truth.map((e) => e.Action.toLowerCase()));
    for (const a of ['log in', 'failed login attempt', 'login to admin console', 'reporting', 'site added', 'add to shared folder', 'edit policy', 'employee account created']) {
      assert.ok(actions.has(a), a);
    }
  });
});

test('HTTP controls: stats, faults, events', async () => {
  await withSim({ initialEvents: 30 }, async (sim) => {
    const control = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: JSON.parse(await res.text()) as unknown };
    };

    const set = await control('POST', '/__sim/faults', {
      rateLimitNext: { n: 1, retryAfterSeconds: 2 },
      serverErrorNext: { n: 1, status: 502 },
      failNext: { n: 1, message: 'nope' },
      malformedNext: 1,
      nextAsString: true,
      emptyDataShape: 'null',
      authErrorAsText: true,
    });
    assert.equal(set.status, 200);
    const snap = set.json as Record<string, unknown>;
    assert.equal(snap.rateLimitNext, 1);
    assert.equal(snap.serverErrorStatus, 502);
    assert.equal(snap.failMessage, 'nope');
    assert.equal(snap.emptyDataShape, 'null');
    assert.equal(snap.provisioningHash, sim.provisioningHash);
    const body = { ...creds(sim), cmd: 'reporting', data: EVERYTHING };
    assert.deepEqual([(await post(sim, body)).status, (await post(sim, body)).status], [429, 502]);
    assert.deepEqual(JSON.parse((await post(sim, body)).text), { status: 'FAIL', error: ['nope'] });

    const bad = await control('POST', '/__sim/faults', { malformedNext: 0, explode: true });
    assert.equal(bad.status, 400);
    // Nothing applied when anything is wrong.
    assert.equal(((await control('GET', '/__sim/faults')).json as Record<string, unknown>).malformedNext, 1);
    assert.equal((await control('POST', '/__sim/faults', { emptyDataShape: 'list' })).status, 400);
    assert.equal((await control('POST', '/__sim/faults', { serverErrorNext: { n: 1, status: 200 } })).status, 400);

    const old = sim.provisioningHash;
    const revoked = (await control('POST', '/__sim/faults', { reset: true, revokeCredentials: true })).json as Record<string, unknown>;
    assert.notEqual(revoked.provisioningHash, old);
    assert.equal(revoked.provisioningHash, sim.provisioningHash);
    assert.equal(revoked.malformedNext, 0);
    assert.equal(revoked.nextAsString, false);

    const added = await control('POST', '/__sim/events', { n: 10 });
    assert.deepEqual(added, { status: 200, json: { added: 10, total: 40 } });
    assert.deepEqual((await control('POST', '/__sim/events', { n: 2, late: true, identical: true })).json, { added: 2, total: 42 });
    assert.deepEqual((await control('POST', '/__sim/events', { n: 1, at: Date.UTC(2024, 10, 3, 6, 30) })).json, { added: 1, total: 43 });
    assert.equal((await control('POST', '/__sim/events', { n: -1 })).status, 400);
    assert.equal((await control('POST', '/__sim/events', { n: 1, late: 'yes' })).status, 400);
    const all = await control('GET', '/__sim/events');
    assert.deepEqual(all.json, sim.events());
    assert.ok(sim.events().some((e) => e.Time === '2024-11-03 01:30:00'));

    await report(sim, { ...EVERYTHING, next: Number.MAX_SAFE_INTEGER });
    await report(sim, EVERYTHING, { cid: String(sim.companyId), next: '5' });
    const stats = (await control('GET', '/__sim/stats')).json as Record<string, unknown>;
    assert.deepEqual(stats, sim.stats());
    assert.equal(stats.requests, 5);
    assert.deepEqual(stats.byCmd, { reporting: 5 });
    assert.equal((stats.requestTimes as unknown[]).length, 5);
    assert.equal((await control('GET', '/__sim/nothing')).status, 404);
  });
});

test('stats: each request with its cmd, cid type, window, next placement and answer', async () => {
  await withSim({ initialEvents: 12, pageSize: 5 }, async (sim) => {
    const first = await report(sim, EVERYTHING);
    await report(sim, EVERYTHING, { cid: String(sim.companyId), next: first.next });
    await post(sim, { ...creds(sim), cmd: 'getuserdata' });
    await post(sim, 'nope');
    const stats = sim.stats();
    assert.equal(stats.requests, 4);
    assert.deepEqual(stats.requestTimes, [NOW, NOW, NOW, NOW]);
    assert.deepEqual(stats.byCmd, { reporting: 2, getuserdata: 1, '(none)': 1 });
    const [a, b, c, d] = stats.lastRequests;
    assert.deepEqual(a, { at: NOW, cmd: 'reporting', cidType: 'number', from: EVERYTHING.from, to: EVERYTHING.to, nextPlace: 'none', pageEvents: 5, answeredNext: first.next, outcome: 'ok' });
    assert.equal(b?.cidType, 'string');
    assert.equal(b?.nextPlace, 'top');
    assert.equal(b?.next, first.next);
    assert.equal(b?.pageEvents, 5);
    assert.equal(typeof b?.answeredNext, 'number');
    assert.equal(c?.outcome, 'fail');
    assert.equal(d?.outcome, 'invalid');
    assert.equal(d?.cmd, '(none)');
  });
});

test('optional rate limit: excess requests get 429 with Retry-After', async () => {
  await withSim({ initialEvents: 1, rateLimit: { perMinute: 2 } }, async (sim) => {
    const body = { ...creds(sim), cmd: 'reporting', data: EVERYTHING };
    assert.equal((await post(sim, body)).status, 200);
    assert.equal((await post(sim, body)).status, 200);
    const third = await post(sim, body);
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '30');
  });
});

test('live feed adds events in the background', () =>
  assertLiveFeedAddsEvents(() => startLastPassSimulator({ initialEvents: 0, liveEventsPerSecond: 100, lateFraction: 0.5 })));

test('speed sanity: a 10,000-event page out of a 200,000-event store', async () => {
  await withSim({ history: [{ from: Date.UTC(2024, 4, 1), to: Date.UTC(2024, 5, 1), count: 200_000 }] }, async (sim) => {
    const data = { from: '2024-04-01 00:00:00', to: '2024-06-01 00:00:00' };
    const first = await report(sim, data);
    const page1 = eventsOf(first);
    assert.equal(page1.length, 10_000);
    assert.equal(typeof first.next, 'number');
    const page2 = eventsOf(await report(sim, { ...data, next: first.next }));
    assert.equal(page2.length, 10_000);
    assert.ok((page1[9_999]?.Time ?? '') >= (page2[0]?.Time ?? ''));
    // A late insert into the big store lands in place.
    const [late] = sim.addEvents(1, { at: Date.UTC(2024, 4, 15), late: true });
    assert.ok(late && late.Time.startsWith('2024-05-14 19:5'));
  });
});
