import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateBudget, type RateWindow } from '../../src/http/rate-budget.js';
import { TimestampRing } from '../../src/http/timestamp-ring.js';
import { rateWindowsFor, createRateBudget } from '../../src/http/budget-from-settings.js';
import { FakeClock, flush } from './helpers.js';

/** True when no `perMs` span (half-open) holds more than `limit` of the sorted times. */
function respects(times: readonly number[], w: RateWindow): boolean {
  for (let i = 0; i + w.limit < times.length; i++) {
    const first = times[i];
    const over = times[i + w.limit];
    if (first === undefined || over === undefined) return false;
    if (over - first < w.perMs) return false;
  }
  return true;
}

test('50 acquires at 10 per 1000 ms never exceed the window and waste no time', async () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const budget = new RateBudget([{ limit: 10, perMs: 1000 }], clock);
  const times: number[] = [];
  const usedSeen: number[] = [];
  const all = Array.from({ length: 50 }, () =>
    budget.acquire().then(() => {
      times.push(clock.now());
      usedSeen.push(budget.snapshot().windows[0]?.used ?? -1);
    }),
  );
  await clock.runAll();
  await Promise.all(all);
  assert.equal(times.length, 50);
  assert.ok(respects(times, { limit: 10, perMs: 1000 }));
  assert.ok(usedSeen.every((u) => u >= 1 && u <= 10), `used stayed within 1..10: ${usedSeen.join(',')}`);
  // Exact, not pessimistic: 10 go at once, then 10 more each second.
  for (let i = 0; i < 50; i++) assert.equal(times[i], t0 + Math.floor(i / 10) * 1000, `request ${i}`);
});

test('several windows are all respected at once (1Password: per minute and per hour, scaled down)', async () => {
  const clock = new FakeClock();
  const windows = [
    { limit: 3, perMs: 100 },
    { limit: 5, perMs: 1000 },
  ];
  const budget = new RateBudget(windows, clock);
  const times: number[] = [];
  const all = Array.from({ length: 23 }, () => budget.acquire().then(() => times.push(clock.now())));
  await clock.runAll();
  await Promise.all(all);
  assert.equal(times.length, 23);
  for (const w of windows) assert.ok(respects(times, w), `window ${w.limit}/${w.perMs}`);
  const snap = budget.snapshot();
  assert.deepEqual(
    snap.windows.map((w) => [w.limit, w.perMs]),
    [
      [3, 100],
      [5, 1000],
    ],
  );
  assert.ok((snap.windows[1]?.used ?? 0) <= 5);
});

test('waiters are served in arrival order; an aborted waiter leaves at once without disturbing the rest', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 1, perMs: 1000 }], clock);
  const order: string[] = [];
  const controller = new AbortController();
  const p = ['a', 'b', 'c', 'd', 'e'].map((name) =>
    budget.acquire(name === 'c' ? controller.signal : undefined).then(
      () => order.push(name),
      (err: unknown) => order.push(`${name}:rejected:${String(err)}`),
    ),
  );
  await flush();
  assert.deepEqual(order, ['a']);
  controller.abort('stop c');
  await flush();
  assert.deepEqual(order, ['a', 'c:rejected:stop c']);
  await clock.runAll();
  await Promise.all(p);
  assert.deepEqual(order, ['a', 'c:rejected:stop c', 'b', 'd', 'e']);
});

test('a late arrival does not overtake earlier waiters even when it finds room', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 2, perMs: 1000 }], clock);
  const order: string[] = [];
  await budget.acquire();
  await budget.acquire();
  const first = budget.acquire().then(() => order.push('first'));
  await flush();
  // Time passes but the pump's timer has not fired yet: room exists, the queue is not empty.
  clock.jump(5000);
  const second = budget.acquire().then(() => order.push('second'));
  await clock.runAll();
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first', 'second']);
});

test('acquire rejects at once with the reason of an already aborted signal', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 1, perMs: 1000 }], clock);
  const reason = new Error('shutting down');
  await assert.rejects(budget.acquire(AbortSignal.abort(reason)), (err) => err === reason);
  assert.equal(budget.snapshot().windows[0]?.used, 0);
});

test('pauseUntil holds everyone back, extends but never shortens, and clears once over', async () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const budget = new RateBudget([{ limit: 100, perMs: 1000 }], clock);
  budget.pauseUntil(t0 + 5000);
  budget.pauseUntil(t0 + 1000); // shorter: ignored
  assert.equal(budget.snapshot().pausedUntil, t0 + 5000);
  const times: number[] = [];
  const a = budget.acquire().then(() => times.push(clock.now()));
  const b = budget.acquire().then(() => times.push(clock.now()));
  await clock.advance(3000);
  assert.deepEqual(times, []);
  budget.pauseUntil(t0 + 7000); // longer: extends the running wait
  await clock.runAll();
  await Promise.all([a, b]);
  assert.deepEqual(times, [t0 + 7000, t0 + 7000]);
  assert.equal(budget.snapshot().pausedUntil, null);
});

test('unlimited budget never waits but still honours a vendor pause', async () => {
  const clock = new FakeClock();
  const budget = RateBudget.unlimited(clock);
  for (let i = 0; i < 10_000; i++) await budget.acquire();
  assert.deepEqual(budget.snapshot(), { windows: [], pausedUntil: null });
  budget.pauseUntil(clock.now() + 500);
  let done = false;
  const p = budget.acquire().then(() => (done = true));
  await clock.advance(499);
  assert.equal(done, false);
  await clock.advance(1);
  await p;
  assert.equal(done, true);
});

test('an aborted last waiter leaves no timer behind', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 1, perMs: 60_000 }], clock);
  await budget.acquire();
  const controller = new AbortController();
  const p = budget.acquire(controller.signal);
  await flush();
  assert.equal(clock.pending, 1);
  controller.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await flush();
  assert.equal(clock.pending, 0);
});

test('a wall clock stepping back does not stall the budget beyond one window', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 1, perMs: 1000 }], clock);
  await budget.acquire();
  clock.jump(-3_600_000);
  const start = clock.now();
  let at = 0;
  const p = budget.acquire().then(() => (at = clock.now()));
  await clock.runAll();
  await p;
  assert.ok(at - start <= 1000, `waited ${at - start} ms`);
});

test('memory stays bounded by the largest limit', async () => {
  const clock = new FakeClock();
  const budget = new RateBudget([{ limit: 500, perMs: 1000 }, { limit: 3000, perMs: 3_600_000 }], clock);
  const times: number[] = [];
  const all: Array<Promise<void>> = [];
  for (let i = 0; i < 4000; i++) all.push(budget.acquire().then(() => void times.push(clock.now())));
  await clock.runAll();
  await Promise.all(all);
  assert.ok(respects(times, { limit: 500, perMs: 1000 }));
  assert.ok(respects(times, { limit: 3000, perMs: 3_600_000 }));
  const snap = budget.snapshot();
  assert.ok((snap.windows[1]?.used ?? 0) <= 3000);
  assert.ok((snap.windows[0]?.used ?? 0) <= 500);
  // Only the newest max(limit) send times are kept.
  const ring = (budget as unknown as { sent: TimestampRing }).sent;
  assert.ok(ring.size <= 3000, `ring holds ${ring.size}`);
});

test('TimestampRing keeps the newest entries up to its capacity', () => {
  const ring = new TimestampRing(100);
  for (let i = 1; i <= 250; i++) ring.push(i);
  assert.equal(ring.size, 100);
  assert.equal(ring.at(0), 151);
  assert.equal(ring.at(99), 250);
  assert.equal(ring.countAfter(240), 10);
  assert.equal(ring.countAfter(0), 100);
  ring.dropThrough(200);
  assert.equal(ring.size, 50);
  assert.equal(ring.at(0), 201);
  ring.clampAbove(220);
  assert.equal(ring.at(19), 220);
  assert.equal(ring.at(49), 220);
  assert.equal(ring.at(18), 219);
  const none = new TimestampRing(0);
  none.push(1);
  assert.equal(none.size, 0);
});

test('invalid windows are refused', () => {
  const clock = new FakeClock();
  assert.throws(() => new RateBudget([{ limit: 0, perMs: 1000 }], clock), RangeError);
  assert.throws(() => new RateBudget([{ limit: 1.5, perMs: 1000 }], clock), RangeError);
  assert.throws(() => new RateBudget([{ limit: 1, perMs: 0 }], clock), RangeError);
});

test('rate_limit settings override or add the minute and hour windows, or turn the budget off', () => {
  const defaults = [
    { limit: 600, perMs: 60_000 },
    { limit: 30_000, perMs: 3_600_000 },
  ];
  assert.deepEqual(rateWindowsFor(defaults, { enabled: true }), defaults);
  assert.deepEqual(rateWindowsFor(defaults, { enabled: true, requests_per_minute: 100 }), [
    { limit: 100, perMs: 60_000 },
    { limit: 30_000, perMs: 3_600_000 },
  ]);
  assert.deepEqual(rateWindowsFor([{ limit: 100, perMs: 60_000 }], { enabled: true, requests_per_hour: 1000 }), [
    { limit: 100, perMs: 60_000 },
    { limit: 1000, perMs: 3_600_000 },
  ]);
  assert.equal(defaults[0]?.limit, 600, 'defaults are not mutated');
  const clock = new FakeClock();
  assert.deepEqual(createRateBudget(defaults, { enabled: false }, clock).snapshot().windows, []);
  assert.equal(createRateBudget(defaults, { enabled: true }, clock).snapshot().windows.length, 2);
});
