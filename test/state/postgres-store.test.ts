// The PostgreSQL state store against a real server: the shared store suite, records an operator
// broke by hand, the fence hook, and what a stopped server looks like to the stream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StateKey } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { Database } from '../../src/state/postgres/database.js';
import { PostgresStateStore } from '../../src/state/postgres/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { isCode, sampleState, stateStoreSuite } from './store-suite.js';

const KEY: StateKey = { input: 'onepassword', service: 'audit_events' };

let server: TestPostgres;
let schemas = 0;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.close();
});

/** A store in a schema of its own: each test starts from an empty database. */
async function openStore(options: ConstructorParameters<typeof PostgresStateStore>[1] = {}): Promise<PostgresStateStore> {
  schemas += 1;
  const database = await Database.open({ url: server.url, schema: `store_${schemas}` }, { maxConnections: 4 });
  return new PostgresStateStore(database, { ownsDatabase: true, ...options });
}

stateStoreSuite('postgres', async () => ({ store: await openStore(), cleanup: async () => undefined }));

describe('postgres state store', () => {
  it('keeps the record as json an operator can query, with the revision in its own column', async () => {
    const store = await openStore();
    try {
      await store.put(KEY, sampleState(), undefined);
      await store.put(KEY, sampleState({ cursor: 'next' }), 1);
      const { rows } = await server.query<{ cursor: string; revision: string; stored: string }>(
        `SELECT record->>'cursor' AS cursor, revision::text AS revision, (record->>'revision') AS stored FROM ${store.database.table('checkpoints')} WHERE input = $1 AND service = $2`,
        [KEY.input, KEY.service],
      );
      assert.deepEqual(rows, [{ cursor: 'next', revision: '2', stored: '2' }]);
    } finally {
      await store.close();
    }
  });

  it('a record broken by hand is PERSISTENCE_UNREADABLE naming the server and the reset command, never a fresh start', async () => {
    const store = await openStore();
    try {
      await store.put(KEY, sampleState(), undefined);
      const table = store.database.table('checkpoints');
      await server.query(`UPDATE ${table} SET record = (record::jsonb - 'dedup')::json`);
      await assert.rejects(store.get(KEY), isCode('PERSISTENCE_UNREADABLE', '"dedup" is a undefined, expected an array'));
      await assert.rejects(store.get(KEY), isCode('PERSISTENCE_UNREADABLE', `127.0.0.1:${server.port}/siphon`));
      await assert.rejects(store.get(KEY), isCode('PERSISTENCE_UNREADABLE', 'siphon state reset --input onepassword --service audit_events'));
      await server.query(`UPDATE ${table} SET record = $1::json, revision = 7`, [JSON.stringify({ ...sampleState(), revision: 1 })]);
      await assert.rejects(store.get(KEY), isCode('PERSISTENCE_UNREADABLE', "the row's revision column is 7"));
      await server.query(`UPDATE ${table} SET record = '"just a string"'::json`);
      await assert.rejects(store.get(KEY), isCode('PERSISTENCE_UNREADABLE', 'not an object'));
    } finally {
      await store.close();
    }
  });

  it('runs the fence inside the transaction, before the write: a fence that throws leaves the record as it was', async () => {
    const calls: string[] = [];
    let fenced = false;
    const store = await openStore({
      fence: async (client, key) => {
        // The fence sees the transaction the write is in: what it does rolls back with it.
        const { rows } = await client.query<{ level: string }>('SELECT current_setting($1) AS level', ['transaction_isolation']);
        calls.push(`${key.input}/${key.service}:${rows[0]?.level}`);
        if (fenced) throw new SiphonError('PERSISTENCE_FENCED', `lost the claim on ${key.input}`, {}, { permanent: true });
      },
    });
    try {
      await store.put(KEY, sampleState(), undefined);
      await store.put(KEY, sampleState({ cursor: 'second' }), 1);
      assert.deepEqual(calls, ['onepassword/audit_events:read committed', 'onepassword/audit_events:read committed']);
      fenced = true;
      await assert.rejects(store.put(KEY, sampleState({ cursor: 'late' }), 2), (err: unknown) => {
        assert.ok(err instanceof SiphonError);
        assert.equal(err.code, 'PERSISTENCE_FENCED');
        assert.equal(err.permanent, true);
        return true;
      });
      const read = await store.get(KEY);
      assert.equal(read?.cursor, 'second');
      assert.equal(read?.revision, 2);
    } finally {
      await store.close();
    }
  });

  it('a stopped server is PERSISTENCE_UNAVAILABLE (transient), naming the server and never the password; it works again once the server is back', async () => {
    const store = await openStore();
    try {
      await store.put(KEY, sampleState(), undefined);
      await server.stop();
      try {
        for (const attempt of [() => store.get(KEY), () => store.put(KEY, sampleState(), 1), () => store.list(), () => store.delete(KEY)]) {
          await assert.rejects(attempt(), (err: unknown) => {
            assert.ok(err instanceof SiphonError, String(err));
            assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE', err.message);
            assert.equal(err.permanent, false);
            assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${server.port}/siphon`));
            assert.ok(!err.message.includes(server.password));
            assert.ok(!JSON.stringify(err.details).includes(server.password));
            return true;
          });
        }
      } finally {
        await server.start();
      }
      assert.equal((await store.put(KEY, sampleState({ cursor: 'after' }), 1)).revision, 2);
      assert.equal((await store.get(KEY))?.cursor, 'after');
    } finally {
      await store.close();
    }
  });
});
