import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { contentHash, occurrenceKeys } from '../../src/sources/lastpass/event-keys.js';

const ev = (time: string, action: string, user = 'a@example.com'): Record<string, unknown> => ({
  Time: time,
  Username: user,
  IP_Address: '10.0.0.1',
  Action: action,
  Data: '',
});

describe('LastPass event keys', () => {
  it('hashes content regardless of key order, and differs on any field', () => {
    const a = ev('2024-01-01 10:00:00', 'Log in');
    const reordered = { Data: '', Action: 'Log in', IP_Address: '10.0.0.1', Username: 'a@example.com', Time: '2024-01-01 10:00:00' };
    assert.equal(contentHash(a), contentHash(reordered));
    assert.notEqual(contentHash(a), contentHash(ev('2024-01-01 10:00:01', 'Log in')));
    assert.notEqual(contentHash(a), contentHash(ev('2024-01-01 10:00:00', 'Log In')));
  });

  it('numbers identical events of one second, so both are delivered and a re-read maps onto the same keys', () => {
    const page = [ev('2024-01-01 10:00:01', 'Log in'), ev('2024-01-01 10:00:00', 'Failed login attempt'), ev('2024-01-01 10:00:00', 'Failed login attempt')];
    const first = occurrenceKeys(page, null).keys;
    assert.equal(new Set(first).size, 3);
    assert.ok(first[1]!.endsWith('.0') && first[2]!.endsWith('.1'));
    assert.deepEqual(occurrenceKeys(page, null).keys, first, 'a second read gives the same keys');
    // A late third copy gets the next number: it is new.
    const later = occurrenceKeys([...page, ev('2024-01-01 10:00:00', 'Failed login attempt')], null).keys;
    assert.deepEqual(later.slice(0, 3), first);
    assert.ok(later[3]!.endsWith('.2'));
  });

  it('continues the count of a second that a page border splits', () => {
    const whole = [ev('2024-01-01 10:00:01', 'Log in'), ev('2024-01-01 10:00:00', 'X'), ev('2024-01-01 10:00:00', 'X'), ev('2024-01-01 10:00:00', 'X'), ev('2024-01-01 09:59:59', 'Y')];
    const expected = occurrenceKeys(whole, null).keys;
    for (let cut = 1; cut < whole.length; cut++) {
      const one = occurrenceKeys(whole.slice(0, cut), null);
      const two = occurrenceKeys(whole.slice(cut), one.carry);
      assert.deepEqual([...one.keys, ...two.keys], expected, `cut at ${cut}`);
    }
    // Through JSON, as the carry is saved in the cursor.
    const one = occurrenceKeys(whole.slice(0, 2), null);
    const restored = JSON.parse(JSON.stringify(one.carry)) as typeof one.carry;
    assert.deepEqual([...one.keys, ...occurrenceKeys(whole.slice(2), restored).keys], expected);
  });

  it('numbers identical events the same way whatever the order the page comes in', () => {
    // Served newest first, a second's events come together; out of order, its copies can be
    // apart, and the count must still run over the whole page (and the carried second).
    const x = ev('2024-01-01 10:00:00', 'X');
    const y = ev('2024-01-01 10:00:01', 'Y');
    const keys = occurrenceKeys([x, y, x], null).keys;
    assert.ok(keys[0]!.endsWith('.0') && keys[2]!.endsWith('.1'), keys.join());
    assert.equal(keys[2]!.slice(0, -2), keys[0]!.slice(0, -2));
    const carried = occurrenceKeys([x], null).carry;
    const next = occurrenceKeys([y, x], carried).keys;
    assert.ok(next[1]!.endsWith('.1'), 'the carried second counts even after a newer event');
  });

  it('an empty page keeps the carry', () => {
    const carry = { time: '2024-01-01 10:00:00', counts: { abc: 2 } };
    assert.deepEqual(occurrenceKeys([], carry), { keys: [], carry });
  });
});

describe('LastPass event keys of an event nested too deeply for JSON.stringify', () => {
  it('are computed, and stay the same for the same event', () => {
    const depth = 100_000;
    const deep = (leaf: number): unknown => JSON.parse(`${'{"d":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);
    const event = { ...ev('2024-01-01 10:00:00', 'Log in'), Extra: deep(1) };
    const key = contentHash(event);
    assert.equal(contentHash({ ...ev('2024-01-01 10:00:00', 'Log in'), Extra: deep(1) }), key);
    assert.notEqual(contentHash({ ...ev('2024-01-01 10:00:00', 'Log in'), Extra: { d: 1 } }), key);
    assert.deepEqual(occurrenceKeys([event], null).keys, [`${key}.0`]);
  });
});

describe('LastPass event keys stay those of earlier versions (they are saved with the cursor)', () => {
  it('gives the keys the previous version saved for the same events', () => {
    // Computed by the version before the scratch-buffer encoding; a change here re-delivers
    // the overlap after an upgrade.
    const usual = ev('2024-01-01 10:00:00', 'Log in');
    assert.equal(contentHash(usual), 'xh6OrfVMLZLHaM-F');
    assert.equal(contentHash({ Time: '2024-01-01 10:00:00', Username: 'ünï@example.com', IP_Address: '10.0.0.1', Action: 'Log in', Data: '😀 €' }), 'L1DqFGVAHOWRhNfn');
    assert.equal(contentHash({ Data: 'x', Action: 'Log in', IP_Address: '10.0.0.1', Username: 'a@example.com', Time: '2024-01-01 10:00:00' }), 'pOLYlyCZ46Yfotk4');
    assert.equal(contentHash({ ...usual, Extra: { n: 1 } }), '1-wrOaUuyS5uF0Wv');
    assert.equal(contentHash({ ...usual, IP_Address: null }), 'KE0d7iBse8Tn9fyA');
    assert.deepEqual(occurrenceKeys([usual, usual], null).keys, ['xh6OrfVMLZLHaM-F.0', 'xh6OrfVMLZLHaM-F.1']);
  });

  it('hashes the documented v1 text (length:value of the five fields, as UTF-8), whatever the characters and sizes', () => {
    const v1 = (e: Record<string, string>): string =>
      hash('sha256', `v1|${['Time', 'Username', 'IP_Address', 'Action', 'Data'].map((f) => `${e[f]!.length}:${e[f]!}`).join('')}`, 'base64url').slice(0, 16);
    const values = ['', 'a', 'ünïcödé', '😀', 'lone \ud800 high', 'lone \udc00 low', 'x'.repeat(1_500), '€'.repeat(2_000), '1:2', '\u0000'];
    for (const a of values) {
      for (const b of values) {
        const e = { Time: '2024-01-01 10:00:00', Username: a, IP_Address: b, Action: 'Log in', Data: a + b };
        assert.equal(contentHash(e), v1(e), JSON.stringify([a.slice(0, 20), b.slice(0, 20)]));
      }
    }
  });
});
