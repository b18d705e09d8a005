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

describe('the per-event fast paths give what the general rules give', () => {
  /** The rule parseWallTime follows, written the slow way: the pattern, then Date.UTC must not roll the date over. */
  const referenceParse = (text: string): number | undefined => {
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
    if (!m) return undefined;
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    return new Date(ms).getUTCDate() === day ? ms : undefined;
  };

  it('parseWallTime, for every day of leap and common years, edge fields, and malformed text', () => {
    const texts: string[] = [];
    for (const year of ['0000', '0004', '0100', '1900', '2000', '2023', '2024', '2100', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) texts.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} 12:34:56`);
      }
    }
    texts.push('2024-01-01 23:59:59', '2024-01-01 24:00:00', '2024-01-01 00:60:00', '2024-01-01 00:00:60', '2024-01-01T00:00:00');
    texts.push(' 2024-01-01 00:00:00 ', '2024-01-01  0:00:00', '2024-01-0a 00:00:00', '2024/01/01 00:00:00', '2024-01-01 00:00', '');
    for (const text of texts) assert.equal(parseWallTime(text), referenceParse(text), JSON.stringify(text));
  });

  it('toUtc, minute by minute across the changes of zones with odd rules', () => {
    const spans: Array<[string, string, string]> = [
      ['America/New_York', '2024-03-09 12:00:00', '2024-03-11 12:00:00'],
      ['America/New_York', '2024-11-02 12:00:00', '2024-11-04 12:00:00'],
      ['Australia/Lord_Howe', '2024-04-06 12:00:00', '2024-04-08 12:00:00'],
      // Samoa skipped 2011-12-30 whole (a 24-hour change).
      ['Pacific/Apia', '2011-12-28 00:00:00', '2012-01-01 00:00:00'],
      ['Asia/Kolkata', '2024-06-01 00:00:00', '2024-06-02 00:00:00'],
    ];
    for (const [name, from, to] of spans) {
      const fast = new WallClockZone(name);
      const general = new WallClockZone(name);
      for (let w = wall(from); w <= wall(to); w += 60_000) {
        const instants = general.instantsOf(w);
        for (const prefer of ['earlier', 'later'] as const) {
          const got = fast.toUtc(w, prefer);
          if (instants.length > 0) assert.equal(got, prefer === 'earlier' ? instants[0] : instants[instants.length - 1], `${name} ${formatWallTime(w)} ${prefer}`);
          else assert.ok(fast.toWall(got) > w && fast.toWall(got - 60_000) < w, `${name} ${formatWallTime(w)}: the instant the clock jumped`);
        }
      }
    }
  });
});
