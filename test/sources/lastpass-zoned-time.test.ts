import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatWallTime, parseWallTime, timeZoneProblem, WallClockZone } from '../../src/sources/lastpass/zoned-time.js';

const wall = (text: string): number => {
  const ms = parseWallTime(text);
  assert.ok(ms !== undefined, text);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const ny = new WallClockZone('America/New_York');

describe('wall times', () => {
  it('parses and formats YYYY-MM-DD HH:MM:SS, rejecting impossible dates', () => {
    assert.equal(formatWallTime(wall('2024-02-29 23:59:59')), '2024-02-29 23:59:59');
    assert.equal(formatWallTime(wall('2024-02-29T23:59:59')), '2024-02-29 23:59:59');
    for (const bad of ['2023-02-29 00:00:00', '2024-13-01 00:00:00', '2024-01-01 24:00:00', '2024-01-01', 'yesterday']) {
      assert.equal(parseWallTime(bad), undefined, bad);
    }
  });

  it('names an unknown zone', () => {
    assert.equal(timeZoneProblem('Europe/Madrid'), undefined);
    assert.match(timeZoneProblem('Mars/Olympus') ?? '', /not a time zone/);
    assert.throws(() => new WallClockZone('Mars/Olympus'), RangeError);
  });
});

describe('WallClockZone (America/New_York, 2024)', () => {
  it('converts ordinary times both ways', () => {
    assert.equal(formatWallTime(ny.toWall(Date.parse('2024-07-01T12:00:00Z'))), '2024-07-01 08:00:00');
    assert.equal(iso(ny.toUtc(wall('2024-01-15 08:00:00'))), '2024-01-15T13:00:00.000Z');
  });

  it('the spring change skips 02:00-02:59: no instant has those wall times', () => {
    assert.deepEqual(ny.instantsOf(wall('2024-03-10 02:30:00')), []);
    // Either preference maps a skipped time to the moment the clock jumped.
    assert.equal(iso(ny.toUtc(wall('2024-03-10 02:30:00'))), '2024-03-10T07:00:00.000Z');
    assert.equal(iso(ny.toUtc(wall('2024-03-10 02:30:00'), 'later')), '2024-03-10T07:00:00.000Z');
    assert.equal(iso(ny.toUtc(wall('2024-03-10 01:59:59'))), '2024-03-10T06:59:59.000Z');
    assert.equal(iso(ny.toUtc(wall('2024-03-10 03:00:00'))), '2024-03-10T07:00:00.000Z');
    assert.equal(formatWallTime(ny.toWall(Date.parse('2024-03-10T07:00:00Z'))), '2024-03-10 03:00:00');
  });

  it('the autumn change repeats 01:00-01:59: two instants, picked by preference', () => {
    assert.deepEqual(ny.instantsOf(wall('2024-11-03 01:30:00')).map(iso), ['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z']);
    assert.equal(iso(ny.toUtc(wall('2024-11-03 01:30:00'), 'earlier')), '2024-11-03T05:30:00.000Z');
    assert.equal(iso(ny.toUtc(wall('2024-11-03 01:30:00'), 'later')), '2024-11-03T06:30:00.000Z');
    assert.equal(formatWallTime(ny.toWall(Date.parse('2024-11-03T05:30:00Z'))), '2024-11-03 01:30:00');
    assert.equal(formatWallTime(ny.toWall(Date.parse('2024-11-03T06:30:00Z'))), '2024-11-03 01:30:00');
  });

  it('toUtc is monotone across both changes', () => {
    for (const [from, to] of [
      ['2024-03-10 00:00:00', '2024-03-10 05:00:00'],
      ['2024-11-03 00:00:00', '2024-11-03 04:00:00'],
    ] as const) {
      let previous = Number.NEGATIVE_INFINITY;
      for (let w = wall(from); w <= wall(to); w += 60_000) {
        const u = ny.toUtc(w);
        assert.ok(u >= previous, `${formatWallTime(w)} -> ${iso(u)} goes back`);
        previous = u;
      }
    }
  });

  it('settledWall holds before the repeated hour until it has passed completely', () => {
    const settled = (utc: string): string => formatWallTime(ny.settledWall(Date.parse(utc)));
    assert.equal(settled('2024-11-03T04:30:00Z'), '2024-11-03 00:30:00');
    // 01:10 EDT: events stamped 01:00-01:10 may still come from the second 01:xx, one hour later.
    assert.equal(settled('2024-11-03T05:10:00Z'), '2024-11-03 00:59:59');
    assert.equal(settled('2024-11-03T05:59:59Z'), '2024-11-03 00:59:59');
    // The second occurrence: every instant stamped up to now has passed.
    assert.equal(settled('2024-11-03T06:30:00Z'), '2024-11-03 01:30:00');
    assert.equal(settled('2024-11-03T07:00:00Z'), '2024-11-03 02:00:00');
    assert.equal(settled('2024-03-10T07:00:00Z'), '2024-03-10 03:00:00');
  });

  it('works for a zone with a half-hour change and one without changes', () => {
    const lordHowe = new WallClockZone('Australia/Lord_Howe');
    // Clocks go back 30 minutes at 02:00 local on 2024-04-07.
    assert.equal(lordHowe.instantsOf(wall('2024-04-07 01:45:00')).length, 2);
    const utc = new WallClockZone('UTC');
    assert.equal(utc.toUtc(wall('2024-11-03 01:30:00')), wall('2024-11-03 01:30:00'));
    assert.equal(utc.settledWall(wall('2024-11-03 01:30:00')), wall('2024-11-03 01:30:00'));
  });
});
