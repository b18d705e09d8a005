// Durations and moments as `siphon status` prints them (the status page follows the same rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, humanSince } from '../../src/telemetry/human-time.js';

test('durations: the two largest units', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [3, '3 s'],
    [59.4, '59 s'],
    [60, '1 min'],
    [125, '2 min 5 s'],
    [3_600, '1 h'],
    [7_500, '2 h 5 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
    [-5, '0 s'],
  ];
  for (const [seconds, text] of cases) assert.equal(humanDuration(seconds), text, String(seconds));
});

test('moments: ago, in, just now; not a time: undefined', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(humanSince('2026-01-01T11:59:48Z', now), '12 s ago');
  assert.equal(humanSince('2026-01-01T12:00:05Z', now), 'in 5 s');
  assert.equal(humanSince('2026-01-01T12:00:00.400Z', now), 'just now');
  assert.equal(humanSince('2026-01-01T09:55:00Z', now), '2 h 5 min ago');
  assert.equal(humanSince('yesterday-ish', now), undefined);
});
