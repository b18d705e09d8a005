// The delivery journal in PostgreSQL, against a real server: the file journal's behaviour where
// it applies (found again by a new process, matched per input, service and key, bounded, never
// failing a delivery, forget per stream), plus what only the database has: outputs apart in one
// table, and the cluster's fence deciding which streams' keys are noted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Output, OutputRecord } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redact.js';
import { JournaledOutput } from '../../src/app/journaled-output.js';
import { Database, type Fence } from '../../src/state/postgres/database.js';
import { PostgresDeliveryJournal } from '../../src/state/postgres/journal.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { byId, noKey, rec } from '../support/journal-records.js';

let server: TestPostgres;
let schemas = 0;
const databases: Database[] = [];
before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const db of databases) await db.close();
  await server?.close();
});

/** A database in a schema of its own; `same` opens a second pool on the previous one (another process). */
async function openDatabase(same = false): Promise<Database> {
  if (!same) schemas += 1;
  const db = await Database.open({ url: server.url, schema: `journal_${schemas}` }, { maxConnections: 3 });
  databases.push(db);
  return db;
}

function logger() {
  const sink = new MemorySink();
  // No password registered: the lines must not hold it in the first place.
  return { sink, logger: createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink }) };
}

function journal(database: Database, options: { output?: string; keep?: number; fence?: Fence; log?: ReturnType<typeof logger> } = {}): PostgresDeliveryJournal {
  return new PostgresDeliveryJournal({
    database,
    output: options.output ?? 'devo/1',
    keepEntries: options.keep ?? 100,
    logger: (options.log ?? logger()).logger,
    ...(options.fence ? { fence: options.fence } : {}),
  });
}

describe('postgres delivery journal', () => {
  it('what was recorded is found by another process, per output, input, service and key', async () => {
    const db = await openDatabase();
    const first = journal(db);
    await first.record([rec('a'), rec('b'), rec(undefined)]);
    await first.record([rec('c', 'item_usage')]);
    await first.close();
    const { rows } = await server.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${db.table('delivered')}`);
    assert.equal(rows[0]?.n, '3', 'records without a key are not noted');

    const second = journal(await openDatabase(true));
    const replay = [rec('b'), rec('c'), rec('c', 'item_usage'), rec('a', 'audit', 'other_input'), rec('z'), rec('a')];
    assert.deepEqual([...(await second.find(replay, noKey))].sort(), [0, 2, 5]);
    assert.equal((await journal(db, { output: 'syslog' }).find(replay, noKey)).size, 0, 'another output has its own keys');
  });

  it('a record without a stored key is matched on keyOf(event)', async () => {
    const j = journal(await openDatabase());
    await j.record([rec('k1')]);
    const withoutKey: OutputRecord = { tag: 't', input: 'op', service: 'audit', event: { id: 'k1' } };
    assert.deepEqual([...(await j.find([withoutKey], byId))], [0]);
    assert.deepEqual([...(await j.find([withoutKey], noKey))], []);
  });

  it('bounded: the newest keepEntries keys are always kept, older ones are pruned', async () => {
    const db = await openDatabase();
    const j = journal(db, { keep: 10 });
    for (let i = 0; i < 50; i++) await j.record([rec(`k${i}`), rec(`k${i}b`)]);
    const last10 = Array.from({ length: 5 }, (_, i) => [rec(`k${45 + i}`), rec(`k${45 + i}b`)]).flat();
    assert.equal((await j.find(last10, noKey)).size, 10, 'the newest 10 are there');
    assert.equal((await j.find([rec('k0'), rec('k20')], noKey)).size, 0, 'old ones are gone');
    const { rows } = await server.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.table('delivered')}`);
    assert.ok(rows[0]!.n >= 10 && rows[0]!.n <= 10 + 2 + Math.ceil(10 / 4), `${rows[0]!.n} keys in the table`);
  });

  it('forget voids what came before for one stream only; later records count again', async () => {
    const j = journal(await openDatabase());
    await j.record([rec('a'), rec('b')]);
    await j.record([rec('c', 'item_usage')]);
    await j.forget('op', 'audit');
    assert.deepEqual([...(await j.find([rec('a'), rec('b'), rec('c', 'item_usage')], noKey))], [2]);
    await j.record([rec('a')]);
    assert.deepEqual([...(await j.find([rec('a'), rec('b'), rec('c', 'item_usage')], noKey))].sort(), [0, 2]);
  });

  it('JournaledOutput: a write the output refuses is not noted; an accepted one is', async () => {
    let refuse = true;
    const inner: Output = {
      name: 'devo_1',
      type: 'devo_platform',
      open: () => Promise.resolve(),
      write: () => (refuse ? Promise.reject(new Error('receiver down')) : Promise.resolve()),
      check: () => Promise.resolve('ok'),
      close: () => Promise.resolve(),
    };
    const output = new JournaledOutput(inner, journal(await openDatabase(), { output: 'devo_1' }));
    await assert.rejects(output.write([rec('a')]), /receiver down/);
    assert.equal((await output.findDelivered([rec('a')], noKey)).size, 0, 'refused: not noted');
    refuse = false;
    await output.write([rec('a')]);
    assert.deepEqual([...(await output.findDelivered([rec('x'), rec('a')], noKey))], [1]);
    await output.close();
  });

  it('the fence runs per stream in the write: a stream the replica lost is not noted, the others are', async () => {
    const fenced: string[] = [];
    const j = journal(await openDatabase(), {
      fence: async (client, key) => {
        await client.query('SELECT 1');
        fenced.push(`${key.input}/${key.service}`);
        if (key.service === 'lost') throw new SiphonError('PERSISTENCE_FENCED', 'another replica holds op', {}, { permanent: true });
      },
    });
    await j.record([rec('a'), rec('b', 'lost'), rec('c')]);
    assert.deepEqual(fenced, ['op/audit', 'op/lost']);
    assert.deepEqual([...(await j.find([rec('a'), rec('b', 'lost'), rec('c')], noKey))].sort(), [0, 2]);
    await j.record([rec('d', 'lost')]);
    await assert.rejects(j.forget('op', 'lost'), (err: unknown) => err instanceof SiphonError && err.code === 'PERSISTENCE_FENCED');
  });

  it('with the server stopped: a write is not failed (one warning, no password), a look-up and a forget fail as PERSISTENCE_UNAVAILABLE; all works again once it is back', async () => {
    const log = logger();
    const j = journal(await openDatabase(), { log });
    await j.record([rec('a')]);
    await server.stop();
    try {
      await j.record([rec('b')]);
      await j.record([rec('c')]);
      const warnings = log.sink.lines.filter((l) => l.includes('cannot be written'));
      assert.equal(warnings.length, 1, log.sink.lines.join('\n'));
      assert.match(warnings[0]!, new RegExp(`127\\.0\\.0\\.1:${server.port}/siphon`));
      for (const attempt of [() => j.find([rec('a')], noKey), () => j.forget('op', 'audit')]) {
        await assert.rejects(attempt(), (err: unknown) => {
          assert.ok(err instanceof SiphonError);
          assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE');
          assert.ok(!err.message.includes(server.password));
          return true;
        });
      }
    } finally {
      await server.start();
    }
    await j.record([rec('d')]);
    assert.ok(log.sink.lines.some((l) => l.includes('is written again')));
    assert.deepEqual([...(await j.find([rec('a'), rec('b'), rec('d')], noKey))].sort(), [0, 2], 'only what was noted while the server ran');
    assert.ok(log.sink.lines.every((l) => !l.includes(server.password)));
  });

  it('keys holding a NUL character (which PostgreSQL text cannot) are noted and found, and never meet another key', async () => {
    const db = await openDatabase();
    const first = journal(db);
    const odd = ['id\u0000nul', '\u0000', '\u0001"id\\u0000nul"', 'plain'];
    await first.record(odd.map((k) => rec(k)));
    await first.close();
    const second = journal(await openDatabase(true));
    assert.deepEqual([...(await second.find(odd.map((k) => rec(k)), noKey))].sort(), [0, 1, 2, 3]);
    // The stored form of the first key, asked raw, is another key.
    assert.equal((await second.find([rec('\u0001"id\\u0000nul"x'), rec('id'), rec('nul')], noKey)).size, 0);
  });
});
