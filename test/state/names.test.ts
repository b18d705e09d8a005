import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeName, encodeName } from '../../src/state/names.js';

describe('state file names', () => {
  const names = ['audit_events', 'a/b', 'a%2Fb', '..', '.', '.lock', '', '%', 'two words', 'ünï', '日本', 'A-Z.0_9', 'x.json', '\0', 'a\\b'];

  it('uses only safe characters, never starts with a dot, and round-trips', () => {
    for (const name of names) {
      const encoded = encodeName(name);
      assert.match(encoded, /^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/, name);
      assert.equal(decodeName(encoded), name, name);
    }
  });

  it('never maps two names to one file', () => {
    assert.equal(new Set(names.map(encodeName)).size, names.length);
  });

  it('keeps plain names readable', () => {
    assert.equal(encodeName('audit_events'), 'audit_events');
    assert.equal(encodeName('my.input-1'), 'my.input-1');
    assert.equal(encodeName('..'), '%2E.');
    assert.equal(encodeName('a/b'), 'a%2Fb');
  });

  it('rejects file names it would not have written', () => {
    for (const bad of ['.lock', 'a b', '%2f', '%41', '%zz', '%4', 'a%', '%FF']) assert.equal(decodeName(bad), undefined, bad);
  });
});
