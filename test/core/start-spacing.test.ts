// How far apart services start (src/core/collector.ts): their shortest period spread over all
// of them, never more than 100 ms apart, so a thousand services do not pull in one burst.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSpacingMs } from '../../src/core/collector.js';

test('one service starts at once', () => {
  assert.equal(startSpacingMs([]), 0);
  assert.equal(startSpacingMs([30_000]), 0);
});

test('a thousand services share their shortest period', () => {
  const periods = Array.from({ length: 1_000 }, (_, i) => (i === 0 ? 20_000 : 30_000));
  assert.equal(startSpacingMs(periods), 20);
});

test('a handful of services start at most 100 ms apart', () => {
  assert.equal(startSpacingMs([10_000, 10_000, 10_000, 60_000]), 100);
});

test('a period of 0 (pull again at once) starts every service at once', () => {
  assert.equal(startSpacingMs([0, 30_000]), 0);
});
