// The one back-off rule every retry in Siphon uses (src/core/retry-policy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs, type RetryPolicy } from '../../src/core/retry-policy.js';

/** The HTTP client's figures with its default settings: 1 s doubling to 60 s, jittered between 50% and 100%. */
const http: RetryPolicy = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.5 };

test('back-off doubles per attempt, is capped, and jitters between 50% and 100%', () => {
  assert.equal(retryDelayMs(http, 1, () => 1), 1000);
  assert.equal(retryDelayMs(http, 1, () => 0), 500);
  assert.equal(retryDelayMs(http, 3, () => 1), 4000);
  assert.equal(retryDelayMs(http, 10, () => 1), 60_000);
  assert.equal(retryDelayMs(http, 5000, () => 0.5), 45_000);
  for (let i = 0; i < 100; i++) {
    const d = retryDelayMs(http, 2, Math.random);
    assert.ok(d >= 1000 && d <= 2000, String(d));
  }
});

test('without jitter the waits are exact: a stream\'s failed cycles wait 5 s doubling to 5 minutes', () => {
  const cycles: RetryPolicy = { initialMs: 5_000, maxMs: 300_000, multiplier: 2, jitter: 0 };
  const waits = [1, 2, 3, 4, 5, 6, 7, 100, 1e6].map((attempt) => retryDelayMs(cycles, attempt, () => 0));
  assert.deepEqual(waits, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('another multiplier, a multiplier of 1, and a random source out of range', () => {
  assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs({ initialMs: 100, maxMs: 10_000, multiplier: 3, jitter: 0 }, a)), [100, 300, 900, 2_700]);
  assert.deepEqual([1, 2, 50].map((a) => retryDelayMs({ initialMs: 250, maxMs: 10_000, multiplier: 1, jitter: 0 }, a)), [250, 250, 250]);
  // A random source that strays out of [0, 1] never makes a wait longer than its step or below its floor.
  assert.equal(retryDelayMs(http, 1, () => 7), 1000);
  assert.equal(retryDelayMs(http, 1, () => -3), 500);
  // Attempt 0 (or below) is treated as the first.
  assert.equal(retryDelayMs(http, 0, () => 1), 1000);
});
