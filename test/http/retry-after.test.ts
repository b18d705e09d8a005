import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfterMs } from '../../src/http/retry-after.js';

test('Retry-After: delay-seconds, HTTP-date, and nonsense', () => {
  const now = Date.parse('2024-05-01T00:00:00Z');
  assert.equal(parseRetryAfterMs(undefined, now), undefined);
  assert.equal(parseRetryAfterMs('', now), undefined);
  assert.equal(parseRetryAfterMs('1', now), 1000);
  assert.equal(parseRetryAfterMs(' 120 ', now), 120_000);
  assert.equal(parseRetryAfterMs('0', now), 0);
  assert.equal(parseRetryAfterMs('1.5', now), 1500);
  assert.equal(parseRetryAfterMs('Wed, 01 May 2024 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfterMs('Tue, 30 Apr 2024 23:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfterMs('-5', now), undefined);
  assert.equal(parseRetryAfterMs('soon', now), undefined);
  assert.equal(parseRetryAfterMs('12:00', now), undefined);
  assert.equal(parseRetryAfterMs('Someday, 99 Foo 2024', now), undefined);
});
