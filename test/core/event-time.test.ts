// Which event times may move a position: the rule, and the connectors' own newest-time fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TIME_TOLERANCE_MS, describeEventTime, judgeEventTime, usableEventTime } from '../../src/core/event-time.js';
import { newestEventTime } from '../../src/sources/common/time-windows.js';
import { newestUtcTime } from '../../src/sources/lastpass/newest-time.js';
import { WallClockZone } from '../../src/sources/lastpass/zoned-time.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const START = Date.UTC(2025, 0, 1);
const YEAR_9999 = Date.UTC(9999, 11, 31, 23, 59, 59);

describe('event times', () => {
  it('a time far ahead of the clock or far before the start is not usable; one slightly ahead counts as the clock', () => {
    const bounds = { startMs: START, nowMs: NOW };
    assert.deepEqual(judgeEventTime(YEAR_9999, bounds), { usable: false, why: 'future' });
    assert.deepEqual(judgeEventTime(NOW + EVENT_TIME_TOLERANCE_MS + 1, bounds), { usable: false, why: 'future' });
    assert.deepEqual(judgeEventTime(NOW + 3_600_000, bounds), { usable: true, time: NOW });
    assert.deepEqual(judgeEventTime(NOW - 5, bounds), { usable: true, time: NOW - 5 });
    assert.deepEqual(judgeEventTime(Date.UTC(2000, 0, 1), bounds), { usable: false, why: 'before-start' });
    assert.deepEqual(judgeEventTime(START - 3_600_000, bounds), { usable: true, time: START - 3_600_000 });
    assert.deepEqual(judgeEventTime(Number.NaN, bounds), { usable: false, why: 'future' });
    // Without a configured start only the future is bounded.
    assert.equal(usableEventTime(0, { startMs: null, nowMs: NOW }), 0);
    assert.equal(usableEventTime(undefined, bounds), undefined);
  });

  it('describes times JavaScript cannot show as numbers', () => {
    assert.equal(describeEventTime(YEAR_9999), '9999-12-31T23:59:59.000Z');
    assert.equal(describeEventTime(1e300), '1e+300 ms');
  });

  it('Lark and Kiteworks: the newest event time passes over absurd ones', () => {
    const items = [{ t: Date.UTC(2025, 5, 1, 11) }, { t: YEAR_9999 }, { t: Date.UTC(1999, 0, 1) }];
    const time = (e: Record<string, unknown>): number | undefined => e['t'] as number;
    assert.equal(newestEventTime(items, time, null, { startMs: START, nowMs: NOW }), '2025-06-01T11:00:00Z');
    assert.equal(newestEventTime([{ t: YEAR_9999 }], time, '2025-05-01T00:00:00Z', { startMs: START, nowMs: NOW }), '2025-05-01T00:00:00Z');
    assert.equal(newestEventTime([{ t: YEAR_9999 }], time, null, { startMs: START, nowMs: NOW }), null);
  });

  it('LastPass: the newest Time passes over absurd ones, in the account zone', () => {
    const zone = new WallClockZone('America/New_York');
    const bounds = { startMs: START, nowMs: NOW };
    const page = [{ Time: '9999-12-31 23:59:59' }, { Time: '2025-06-01 07:00:00' }, { Time: '2025-06-01 06:00:00' }, { Time: '1999-01-01 00:00:00' }];
    // 07:00 in New York in June is 11:00 UTC.
    assert.equal(newestUtcTime(page, null, zone, bounds), '2025-06-01 11:00:00');
    assert.equal(newestUtcTime([{ Time: '9999-12-31 23:59:59' }], '2025-05-01 00:00:00', zone, bounds), '2025-05-01 00:00:00');
    assert.equal(newestUtcTime([{ Time: '1999-01-01 00:00:00' }], null, zone, bounds), null);
  });
});
