// The behaviour every StateStore must have, run against each implementation.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Checkpoint, StateKey, StateStore } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { emptyCheckpoint } from '../../src/core/checkpoint.js';

export interface StoreFixture {
  store: StateStore;
  cleanup(): Promise<void>;
}

const KEY: StateKey = { input: 'onepassword', service: 'audit_events' };

export function sampleState(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    ...emptyCheckpoint('2024-05-01T00:00:00Z', '2024-05-02T10:00:00.000Z'),
    cursor: { cursor: 'aGVsbG8=', nested: [1, 'two', null, true, { deep: 1.5 }] },
    dedup: [
      ['uuid-1', 1714557600000],
      ['uuid-2', null],
    ],
    newest_event_time: 1714557600000,
    events_delivered: 42,
    ...overrides,
  };
}

export function isCode(code: string, messagePart?: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SiphonError, `expected a SiphonError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (messagePart !== undefined) assert.ok(err.message.includes(messagePart), `"${err.message}" should mention ${messagePart}`);
    return true;
  };
}

export function stateStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  async function withStore(fn: (store: StateStore) => Promise<void>): Promise<void> {
    const fixture = await open();
    try {
      await fn(fixture.store);
    } finally {
      await fixture.store.close();
      await fixture.cleanup();
    }
  }

  describe(`${name} state store (shared suite)`, () => {
    it('returns undefined for a service without state', () =>
      withStore(async (store) => {
        assert.equal(await store.get(KEY), undefined);
      }));

    it('round-trips a record whose vendor strings hold NUL characters and other controls', () =>
      withStore(async (store) => {
        // A vendor's id or cursor is its to choose: nothing in it may make the state unwritable.
        const odd = sampleState({ cursor: { next: 'page\u0000two\u0001', when: '\u0000' }, dedup: [['id\u0000with-nul', 1714557600000], ['\u0000', null]] });
        await store.put(KEY, odd, undefined);
        assert.deepEqual(await store.get(KEY), { ...odd, revision: 1 });
      }));

    it('round-trips a record and numbers its revisions', () =>
      withStore(async (store) => {
        const first = await store.put(KEY, sampleState(), undefined);
        assert.equal(first.revision, 1);
        assert.deepEqual(await store.get(KEY), { ...sampleState(), revision: 1 });

        const second = await store.put(KEY, sampleState({ cursor: 'next', events_delivered: 50 }), 1);
        assert.equal(second.revision, 2);
        const read = await store.get(KEY);
        assert.equal(read?.cursor, 'next');
        assert.equal(read?.events_delivered, 50);
        assert.equal(read?.revision, 2);
      }));

    it('keeps the stored record apart from the caller objects', () =>
      withStore(async (store) => {
        const state = sampleState();
        const returned = await store.put(KEY, state, undefined);
        state.dedup.push(['mutated-input', 1]);
        returned.dedup.push(['mutated-output', 1]);
        const read = await store.get(KEY);
        assert.ok(read);
        (read.cursor as { cursor: string }).cursor = 'mutated-read';
        const again = await store.get(KEY);
        assert.deepEqual(again?.dedup, sampleState().dedup);
        assert.deepEqual(again?.cursor, sampleState().cursor);
      }));

    it('does not store fields outside Checkpoint', () =>
      withStore(async (store) => {
        const withExtra = { ...sampleState(), secret_extra: 'x' } as Checkpoint;
        await store.put(KEY, withExtra, undefined);
        assert.equal(Object.hasOwn((await store.get(KEY)) ?? {}, 'secret_extra'), false);
      }));

    it('compare-and-set: a stale or missing expected revision is a conflict', () =>
      withStore(async (store) => {
        await assert.rejects(store.put(KEY, sampleState(), 0), isCode('PERSISTENCE_CONFLICT', 'no record'));
        await store.put(KEY, sampleState(), undefined);
        await assert.rejects(store.put(KEY, sampleState(), undefined), isCode('PERSISTENCE_CONFLICT', 'revision 1'));
        await store.put(KEY, sampleState(), 1);
        await assert.rejects(store.put(KEY, sampleState(), 1), isCode('PERSISTENCE_CONFLICT', 'expected revision 1, found revision 2'));
        assert.equal((await store.get(KEY))?.revision, 2);
      }));

    it('concurrent puts from the same revision: exactly one wins', () =>
      withStore(async (store) => {
        await store.put(KEY, sampleState(), undefined);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => store.put(KEY, sampleState({ events_delivered: i }), 1)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') isCode('PERSISTENCE_CONFLICT')(r.reason);
        assert.equal((await store.get(KEY))?.revision, 2);
      }));

    it('refuses to save a record it could not read back', () =>
      withStore(async (store) => {
        await assert.rejects(store.put(KEY, sampleState({ events_delivered: -1 }), undefined), isCode('INTERNAL', 'events_delivered'));
        await assert.rejects(store.put(KEY, sampleState({ cursor: { n: Number.NaN } }), undefined), isCode('INTERNAL', 'cursor'));
        await assert.rejects(store.put(KEY, sampleState(), 1.5), isCode('INTERNAL', 'revision'));
        assert.equal(await store.get(KEY), undefined);
      }));

    it('deletes and lists', () =>
      withStore(async (store) => {
        assert.equal(await store.delete(KEY), false);
        await store.put(KEY, sampleState(), undefined);
        await store.put({ input: 'lark', service: 'audit' }, sampleState(), undefined);
        await store.put({ input: 'lark', service: 'access' }, sampleState(), undefined);
        assert.deepEqual(await store.list(), [
          { input: 'lark', service: 'access' },
          { input: 'lark', service: 'audit' },
          KEY,
        ]);
        assert.equal(await store.delete(KEY), true);
        assert.equal(await store.get(KEY), undefined);
        assert.equal(await store.delete(KEY), false);
        assert.equal((await store.list()).length, 2);
        // After a delete the record starts over from "no record".
        assert.equal((await store.put(KEY, sampleState(), undefined)).revision, 1);
      }));

    it('keeps tricky names apart', () =>
      withStore(async (store) => {
        const keys: StateKey[] = [
          { input: 'a/b', service: 'c' },
          { input: 'a', service: 'b/c' },
          { input: 'a', service: 'b%2Fc' },
          { input: '..', service: '..' },
          { input: '.', service: '.' },
          { input: 'two words', service: 'x y' },
          { input: 'two_words', service: 'x_y' },
          { input: 'two%20words', service: 'x%20y' },
          { input: 'ünïcödé', service: '日本' },
          { input: '', service: '' },
          { input: '.lock', service: '.json' },
          { input: 'a\\b', service: 'c:d' },
        ];
        for (const [i, key] of keys.entries()) await store.put(key, sampleState({ events_delivered: i }), undefined);
        for (const [i, key] of keys.entries()) assert.equal((await store.get(key))?.events_delivered, i, JSON.stringify(key));
        const listed = await store.list();
        assert.equal(listed.length, keys.length);
        for (const key of keys) assert.ok(listed.some((k) => k.input === key.input && k.service === key.service), JSON.stringify(key));
      }));

    it('refuses to work after close', async () => {
      const fixture = await open();
      await fixture.store.close();
      await fixture.store.close(); // twice is fine
      await assert.rejects(fixture.store.get(KEY), isCode('INTERNAL', 'closed'));
      await fixture.cleanup();
    });
  });
}
