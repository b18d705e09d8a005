import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectPullingId } from '../../src/stages/pulling-id.js';

describe('injectPullingId', () => {
  it('adds @devo_pulling_id as the last key', () => {
    const event: Record<string, unknown> = { uuid: 'x', '2': 'numeric keys come first anyway', nested: { a: 1 } };
    injectPullingId(event, 1714557600123);
    const keys = Object.keys(event);
    assert.equal(keys[keys.length - 1], '@devo_pulling_id');
    assert.equal(event['@devo_pulling_id'], 1714557600123);
    assert.equal(JSON.stringify(event).endsWith(',"@devo_pulling_id":1714557600123}'), true);
  });

  it('overwrites an existing one in place', () => {
    const event: Record<string, unknown> = { a: 1, '@devo_pulling_id': 1, b: 2 };
    injectPullingId(event, 2);
    assert.deepEqual(Object.entries(event), [
      ['a', 1],
      ['@devo_pulling_id', 2],
      ['b', 2],
    ]);
  });
});
