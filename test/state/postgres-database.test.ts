// The PostgreSQL connection shared by the store, the journal and the cluster, against a real
// server: URL checks, errors that name the server but never the password, and migrations that
// many processes may run at the same moment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Database, parsePostgresUrl } from '../../src/state/postgres/database.js';
import { MIGRATIONS } from '../../src/state/postgres/migrations.js';
import { SiphonError } from '../../src/core/errors.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.close();
});

test('a URL without sslmode verifies the server; prefer, allow and unknown parameters are refused', () => {
  assert.equal(parsePostgresUrl('postgres://u:p@db.example:5433/siphon').sslmode, 'verify-full');
  assert.equal(parsePostgresUrl('postgres://u:p@db.example/siphon').where, 'db.example/siphon');
  assert.equal(parsePostgresUrl('postgresql://u@db.example:5433/siphon?sslmode=verify-ca').where, 'db.example:5433/siphon');
  assert.throws(() => parsePostgresUrl('postgres://u:p@db.example/siphon?sslmode=prefer'), /prefer and allow/);
  assert.throws(() => parsePostgresUrl('postgres://u:p@db.example/siphon?sslmode=disable&target_session_attrs=any'), /target_session_attrs/);
  assert.throws(() => parsePostgresUrl('mysql://u:p@db.example/siphon'), /postgres:\/\//);
  assert.throws(() => parsePostgresUrl('postgres://u:p@db.example/'), /no database/);
});

test('ten processes opening at once apply the migrations once', async () => {
  const url = await server.createDatabase('migrate_race');
  const opened = await Promise.all(Array.from({ length: 10 }, () => Database.open({ url, schema: 'siphon' }, { maxConnections: 2 })));
  await Promise.all(opened.map((db) => db.close()));
  const db = await Database.open({ url, schema: 'siphon' });
  const { rows } = await db.pool.query<{ version: number }>('SELECT version FROM siphon.migrations ORDER BY version').finally(() => db.close());
  assert.deepEqual(
    rows.map((r) => r.version),
    MIGRATIONS.map((m) => m.version),
  );
});

test('a schema of an older Siphon is brought up to date with its records kept (checkpoints from jsonb to json)', async () => {
  const url = await server.createDatabase('older_schema');
  const older = await Database.open({ url, schema: 'siphon' }, { migrations: MIGRATIONS.filter((m) => m.version <= 2) });
  const record = { cursor: { next: 'abc' }, dedup: [['id-1', 1714557600000]], revision: 4 };
  await older.pool.query(`INSERT INTO siphon.checkpoints (input, service, record, revision) VALUES ('in', 'svc', $1::jsonb, 4)`, [JSON.stringify(record)]);
  await older.close();
  const db = await Database.open({ url, schema: 'siphon' });
  try {
    const { rows } = await db.pool.query<{ record: unknown; type: string }>(`SELECT record, pg_typeof(record)::text AS type FROM siphon.checkpoints`);
    assert.deepEqual(rows, [{ record, type: 'json' }]);
  } finally {
    await db.close();
  }
});

test('a schema newer than this Siphon is refused, not overwritten', async () => {
  const url = await server.createDatabase('newer_schema');
  const db = await Database.open({ url, schema: 'audit' });
  await db.pool.query(`INSERT INTO audit.migrations (version, name) VALUES (999, 'from the future')`);
  await db.close();
  await assert.rejects(Database.open({ url, schema: 'audit' }), (err: unknown) => {
    assert.ok(err instanceof SiphonError);
    assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE');
    assert.match(err.message, /version 999, newer than this Siphon knows/);
    return true;
  });
});

test('a wrong password or a server that is down is PERSISTENCE_UNAVAILABLE naming the server, never the password', async () => {
  const wrong = server.url.replace(encodeURIComponent(server.password), 'not-the-password-x9');
  await assert.rejects(Database.open({ url: wrong, schema: 'siphon' }), (err: unknown) => {
    assert.ok(err instanceof SiphonError);
    assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${server.port}/siphon`));
    assert.match(err.message, /refused the user name or password/);
    assert.doesNotMatch(err.message, /not-the-password-x9/);
    assert.doesNotMatch(JSON.stringify(err.details), /not-the-password-x9/);
    return true;
  });
  await server.stop();
  try {
    await assert.rejects(Database.open({ url: server.url, schema: 'siphon' }), (err: unknown) => {
      assert.ok(err instanceof SiphonError);
      assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE');
      assert.match(err.message, /connection was refused/);
      assert.doesNotMatch(err.message, new RegExp(server.password));
      return true;
    });
  } finally {
    await server.start();
  }
});
