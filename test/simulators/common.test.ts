// The helpers every simulator shares (src/simulators/common): the live feed's pacing, the
// add-events control body, history segments and spreading, sessions, and who-acts picks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleAddEvents, type AddEventsBody } from '../../src/simulators/common/add-events-route.js';
import { burstyInstants, historySegments } from '../../src/simulators/common/history.js';
import { startLiveFeed } from '../../src/simulators/common/live-feed.js';
import { drawDistinct, pickBusyOrAnyone, pickSkewed } from '../../src/simulators/common/people.js';
import { Prng } from '../../src/simulators/common/prng.js';
import { RunningSession } from '../../src/simulators/common/sessions.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('live feed: fractions carry over between ticks, and stopping stops it', async () => {
  // Every tick reads the clock once and finds 1 s gone: at 0.5/s, one event every second tick.
  let clockReads = 0;
  let added = 0;
  const stop = startLiveFeed({ perSecond: 0.5, now: () => 1000 * clockReads++, add: () => added++ });
  const deadline = Date.now() + 60_000;
  while (added < 2 && Date.now() < deadline) await sleep(20);
  const ticks = clockReads - 1;
  assert.equal(added, Math.floor(ticks / 2));
  assert.ok(added >= 2);
  stop();
  const after = added;
  await sleep(450);
  assert.equal(added, after);
});

test('live feed: a rate of 0 (or not a number) starts nothing', async () => {
  for (const perSecond of [0, -1, Number.NaN]) {
    let reads = 0;
    const stop = startLiveFeed({ perSecond, now: () => reads++, add: () => assert.fail('no events expected') });
    await sleep(250);
    stop();
    assert.equal(reads, 0);
  }
});

interface Added {
  n: number;
  options: AddEventsBody['options'];
}

function post(body: string | undefined, acceptsAt: boolean, own?: (b: AddEventsBody) => boolean): { status: number; json: unknown; added: Added[] } {
  const added: Added[] = [];
  const res = handleAddEvents(body, {
    usage: 'usage',
    acceptsAt,
    options: (b) => (own === undefined || own(b) ? b.options : undefined),
    add: (n, options) => added.push({ n, options }),
    total: () => 7,
  });
  return { status: res.status, json: JSON.parse(res.body), added };
}

test('add-events body: n and late are checked, "at" only where taken, own fields by the simulator', () => {
  assert.deepEqual(post('{"n":3}', true), { status: 200, json: { added: 3, total: 7 }, added: [{ n: 3, options: { late: false } }] });
  assert.deepEqual(post('{"n":2,"late":true,"at":1000}', true).added, [{ n: 2, options: { late: true, at: 1000 } }]);
  // A simulator that does not take "at" ignores it, valid or not.
  assert.deepEqual(post('{"n":2,"at":"soon"}', false).added, [{ n: 2, options: { late: false } }]);
  for (const bad of [undefined, '', 'nope', '[]', 'null', '{"n":-1}', '{"n":1.5}', '{"n":1000001}', '{"n":"1"}', '{"n":1,"late":"yes"}', '{"n":1,"at":"soon"}']) {
    const res = post(bad, true);
    assert.equal(res.status, 400, String(bad));
    assert.deepEqual(res.json, { error: 'usage' });
    assert.deepEqual(res.added, []);
  }
  const refused = post('{"n":1,"mine":1}', true, (b) => b.fields.mine === true);
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.added, []);
});

test('history segments: the default week, or the segments given, checked', () => {
  const start = Date.UTC(2024, 5, 1);
  assert.deepEqual(historySegments({}, start, 500), [{ from: start - 7 * 86_400_000, to: start, count: 500 }]);
  assert.deepEqual(historySegments({ initialEvents: 3, historyMs: 1000 }, start, 500), [{ from: start - 1000, to: start, count: 3 }]);
  const given = [{ from: 1, to: 2, count: 0 }];
  assert.equal(historySegments({ history: given, initialEvents: 9 }, start, 500), given);
  assert.throws(() => historySegments({ history: [{ from: 2, to: 1, count: 1 }] }, start, 1), /from <= to/);
  assert.throws(() => historySegments({ historyMs: Number.NaN }, start, 1), /from <= to/);
  assert.throws(() => historySegments({ initialEvents: 1.5 }, start, 1), /count/);
});

test('bursty instants: whole ms in range, ascending, and seeded', () => {
  const from = Date.UTC(2024, 0, 1);
  const to = from + 86_400_000;
  const a = burstyInstants(Prng.derive(3, 'x'), from, to, 2000);
  assert.equal(a.length, 2000);
  for (let i = 0; i < a.length; i++) {
    const t = a[i] ?? Number.NaN;
    assert.ok(Number.isInteger(t) && t >= from && t <= to);
    if (i > 0) assert.ok(t >= (a[i - 1] ?? 0));
  }
  assert.deepEqual(burstyInstants(Prng.derive(3, 'x'), from, to, 2000), a);
  assert.equal(burstyInstants(Prng.derive(3, 'x'), from, to, 0).length, 0);
  assert.deepEqual([...burstyInstants(Prng.derive(3, 'x'), from, from, 3)], [from, from, from]);
});

test('running session: continues within the gap, starts anew after it, and late events stay detached', () => {
  let made = 0;
  const sessions = new RunningSession(new Prng(1), (instant) => ({ id: made++, lastAt: instant }));
  const first = sessions.at(0, false);
  assert.equal(first.fresh, true);
  // Continuing is a 0.8 chance: over many close events most continue the same session.
  let continued = 0;
  for (let i = 1; i <= 100; i++) if (!sessions.at(i * 1000, false).fresh) continued++;
  assert.ok(continued > 60 && continued < 100, String(continued));
  const running = sessions.at(100_500, false).session;
  const late = sessions.at(50_000, true);
  assert.equal(late.fresh, true);
  assert.notEqual(late.session, running);
  // The detached one did not replace the running session (seeded: this draw continues it).
  assert.equal(sessions.at(100_600, false).session, running);
  // An hour of quiet ends it.
  assert.equal(sessions.at(100_600 + 3_600_000, false).fresh, true);
});

test('who acts: skewed picks favour the start of the list; distinct draws are distinct', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const rng = new Prng(9);
  let skewedLow = 0;
  let mixedLow = 0;
  for (let i = 0; i < 4000; i++) {
    if (pickSkewed(rng, items) < 10) skewedLow++;
    if (pickBusyOrAnyone(rng, items) < 10) mixedLow++;
  }
  // Uniform would put 20% below index 10; u² puts ~45% there, the half-and-half mix ~32%.
  assert.ok(skewedLow > 1500, String(skewedLow));
  assert.ok(mixedLow > 1000 && mixedLow < skewedLow, String(mixedLow));
  const names = drawDistinct(20, () => `n${rng.int(30)}`);
  assert.equal(names.size, 20);
});
