import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ObfuscationRule, VendorEvent } from '../../src/core/contracts.js';
import { compileObfuscation, parseObfuscationPath } from '../../src/stages/obfuscate.js';

const KEY = 'k3y-for-tests';

function sample(): VendorEvent {
  return {
    uuid: 'e1',
    timestamp: '2024-05-01T00:00:00Z',
    actor_uuid: 'ABCDEFGH',
    client: { ip_address: '203.0.113.9', app_name: '1Password CLI', port: 443 },
    actors: [
      { email: 'alice@example.com', name: 'Alice' },
      { email: 'bob@example.com', name: 'Bob' },
      { name: 'no email' },
    ],
    tags: ['a', 'b'],
    flag: true,
    nothing: null,
  };
}

function run(rules: ObfuscationRule[], event = sample(), key: string | undefined = KEY): { event: VendorEvent; count: number } {
  const obfuscate = compileObfuscation(rules, key);
  assert.ok(obfuscate);
  return { event, count: obfuscate(event) };
}

function hmac(value: string, key = KEY): string {
  return `hmac-sha256:${createHmac('sha256', key).update(value).digest('hex')}`;
}

describe('compileObfuscation', () => {
  it('returns undefined without rules', () => {
    assert.equal(compileObfuscation([], undefined), undefined);
  });

  it('hashes with HMAC-SHA256: deterministic, and dependent on the key', () => {
    const { event, count } = run([{ path: 'client.ip_address', method: 'hash' }]);
    assert.equal(count, 1);
    const token = (event['client'] as Record<string, unknown>)['ip_address'];
    assert.equal(token, hmac('203.0.113.9'));
    assert.match(String(token), /^hmac-sha256:[0-9a-f]{64}$/);
    const again = run([{ path: 'client.ip_address', method: 'hash' }]).event;
    assert.equal((again['client'] as Record<string, unknown>)['ip_address'], token);
    const otherKey = run([{ path: 'client.ip_address', method: 'hash' }], sample(), 'another-key').event;
    assert.notEqual((otherKey['client'] as Record<string, unknown>)['ip_address'], token);
  });

  it('hashes non-strings over their JSON text', () => {
    const { event, count } = run([
      { path: 'client.port', method: 'hash' },
      { path: 'client', method: 'hash' },
    ]);
    assert.equal(count, 2);
    const portToken = hmac('443');
    const clientText = JSON.stringify({ ip_address: '203.0.113.9', app_name: '1Password CLI', port: portToken });
    assert.equal(event['client'], hmac(clientText));
  });

  it('masks keeping the type where sensible', () => {
    const { event, count } = run([
      { path: 'actor_uuid', method: 'mask' },
      { path: 'timestamp', method: 'mask' },
      { path: 'client.port', method: 'mask' },
      { path: 'flag', method: 'mask' },
      { path: 'nothing', method: 'mask' },
      { path: 'actors', method: 'mask' },
    ]);
    assert.equal(count, 6);
    assert.equal(event['actor_uuid'], '********');
    assert.equal(event['timestamp'], '*'.repeat(16), 'capped at 16');
    assert.equal((event['client'] as Record<string, unknown>)['port'], 0);
    assert.equal(event['flag'], false);
    assert.equal(event['nothing'], null);
    assert.equal(event['actors'], '[MASKED]');
  });

  it('drops keys and keeps the order of the others', () => {
    const { event, count } = run([{ path: 'client.app_name', method: 'drop' }, { path: 'actor_uuid', method: 'drop' }]);
    assert.equal(count, 2);
    assert.deepEqual(Object.keys(event), ['uuid', 'timestamp', 'client', 'actors', 'tags', 'flag', 'nothing']);
    assert.deepEqual(Object.keys(event['client'] as object), ['ip_address', 'port']);
  });

  it('keeps key order when replacing values', () => {
    const { event } = run([{ path: 'timestamp', method: 'hash' }, { path: 'client.ip_address', method: 'mask' }]);
    assert.deepEqual(Object.keys(event), Object.keys(sample()));
    assert.deepEqual(Object.keys(event['client'] as object), ['ip_address', 'app_name', 'port']);
  });

  for (const path of ['actors[].email', 'actors.*.email', 'actors.email']) {
    it(`reaches into arrays with "${path}"`, () => {
      const { event, count } = run([{ path, method: 'hash' }]);
      assert.equal(count, 2, 'the element without an email counts nothing');
      const actors = event['actors'] as Array<Record<string, unknown>>;
      assert.equal(actors[0]?.['email'], hmac('alice@example.com'));
      assert.equal(actors[1]?.['email'], hmac('bob@example.com'));
      assert.equal(actors[0]?.['name'], 'Alice');
      assert.deepEqual(actors[2], { name: 'no email' });
    });
  }

  it('drops a key from every array element', () => {
    const { event, count } = run([{ path: 'actors[].email', method: 'drop' }]);
    assert.equal(count, 2);
    assert.deepEqual(event['actors'], [{ name: 'Alice' }, { name: 'Bob' }, { name: 'no email' }]);
  });

  it('applies to every element when the path ends in [] or *', () => {
    assert.deepEqual(run([{ path: 'tags[]', method: 'mask' }]).event['tags'], ['*', '*']);
    assert.deepEqual(run([{ path: 'tags.*', method: 'hash' }]).event['tags'], [hmac('a'), hmac('b')]);
    const dropped = run([{ path: 'tags[]', method: 'drop' }]);
    assert.deepEqual(dropped.event['tags'], []);
    assert.equal(dropped.count, 2);
  });

  it('reaches into nested arrays', () => {
    const event: VendorEvent = { groups: [{ members: [{ email: 'a@x' }, { email: 'b@x' }] }, { members: [{ email: 'c@x' }] }] };
    const { count } = run([{ path: 'groups[].members[].email', method: 'mask' }], event);
    assert.equal(count, 3);
    assert.deepEqual(event, { groups: [{ members: [{ email: '***' }, { email: '***' }] }, { members: [{ email: '***' }] }] });
    const matrix: VendorEvent = { m: [['s1', 's2'], ['s3']] };
    assert.equal(run([{ path: 'm[][]', method: 'mask' }], matrix).count, 3);
    assert.deepEqual(matrix, { m: [['**', '**'], ['**']] });
  });

  it('skips missing paths and paths through non-objects', () => {
    const event = sample();
    const before = JSON.stringify(event);
    const { count } = run(
      [
        { path: 'missing', method: 'drop' },
        { path: 'client.missing.deeper', method: 'hash' },
        { path: 'uuid.length', method: 'mask' },
        { path: 'nothing.x', method: 'mask' },
        { path: 'tags[].x', method: 'drop' },
        { path: 'toString', method: 'drop' },
        { path: '__proto__.polluted', method: 'mask' },
        { path: 'constructor.prototype', method: 'drop' },
      ],
      event,
    );
    assert.equal(count, 0);
    assert.equal(JSON.stringify(event), before);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('counts every field across rules', () => {
    const { count } = run([
      { path: 'actors[].email', method: 'hash' },
      { path: 'actors[].name', method: 'mask' },
      { path: 'client.ip_address', method: 'drop' },
    ]);
    assert.equal(count, 2 + 3 + 1);
  });

  it('refuses hash without a key, and invalid paths', () => {
    assert.throws(() => compileObfuscation([{ path: 'a', method: 'hash' }], undefined), /no hash key/);
    assert.throws(() => compileObfuscation([{ path: 'a', method: 'hash' }], ''), /no hash key/);
    assert.doesNotThrow(() => compileObfuscation([{ path: 'a', method: 'mask' }], undefined));
    for (const bad of ['', 'a..b', '.a', 'a.', 'a[0]', 'a[]x', 'a]']) {
      assert.throws(() => compileObfuscation([{ path: bad, method: 'drop' }], undefined), /obfuscation path/, bad);
    }
  });

  it('walks arrays nested thousands of levels deep without overflowing the stack', () => {
    // 4,000 levels: JSON.stringify still writes it, so obfuscation must not be what fails.
    const depth = 4_000;
    const nested = JSON.parse(`${'['.repeat(depth)}{"email":"deep@example.com","name":"Deep"}${']'.repeat(depth)}`) as unknown;
    const event: VendorEvent = { uuid: 'e2', actors: nested };
    const count = compileObfuscation([{ path: 'actors.email', method: 'mask' }], undefined)!(event);
    assert.equal(count, 1);
    const text = JSON.stringify(event);
    assert.ok(text.includes('"email":"****************"') && !text.includes('deep@example.com'));
  });

  it('parses paths into steps', () => {
    assert.deepEqual(parseObfuscationPath('a.b[].c'), [
      { kind: 'key', name: 'a' },
      { kind: 'key', name: 'b' },
      { kind: 'each' },
      { kind: 'key', name: 'c' },
    ]);
    assert.deepEqual(parseObfuscationPath('a.*.c'), parseObfuscationPath('a[].c'));
    assert.deepEqual(parseObfuscationPath('[]'), [{ kind: 'each' }]);
  });
});
