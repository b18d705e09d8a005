// The delivery journal: what an output acknowledged survives a restart, stays bounded, and
// never fails a delivery; the JournaledOutput notes a write only once the output took it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileDeliveryJournal, deliveryJournalDirectory } from '../../src/state/delivery-journal.js';
import { JournaledOutput } from '../../src/app/journaled-output.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import type { Output, OutputRecord } from '../../src/core/contracts.js';
import { runUnderFileSizeLimit } from '../support/file-size-limit.js';
import { JOURNAL_KEYS } from '../support/limited-writes-child.js';
import { byId, noKey, rec } from '../support/journal-records.js';

function logger() {
  const sink = new MemorySink();
  return { sink, logger: createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink }) };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-journal-'));
  try {
    await fn(dir);
  } finally {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

test('what was recorded is found again after a reopen, per input, service and key; one line per stream and write', async () => {
  await withDir(async (dir) => {
    const path = deliveryJournalDirectory(dir, 'devo/1');
    const first = await FileDeliveryJournal.open(path, 100, logger().logger);
    await first.record([rec('a'), rec('b'), rec(undefined)]);
    await first.record([rec('c', 'item_usage')]);
    await first.close();
    assert.deepEqual((await readFile(join(path, 'current.ndjson'), 'utf8')).trimEnd().split('\n'), [
      '{"input":"op","service":"audit","keys":["a","b"]}',
      '{"input":"op","service":"item_usage","keys":["c"]}',
    ]);
    assert.ok(path.startsWith(join(dir, '.delivered')), 'inside the state directory, in a folder no input can have');
    assert.equal((await stat(join(path, 'current.ndjson'))).mode & 0o777, 0o600);

    const second = await FileDeliveryJournal.open(path, 100, logger().logger);
    const replay = [rec('b'), rec('c'), rec('c', 'item_usage'), rec('a', 'audit', 'other_input'), rec('z'), rec('a')];
    assert.deepEqual([...(await second.find(replay, noKey))].sort(), [0, 2, 5]);
    await second.close();
  });
});

test('a record without a stored key is matched on keyOf(event)', async () => {
  await withDir(async (dir) => {
    const journal = await FileDeliveryJournal.open(join(dir, 'j'), 100, logger().logger);
    await journal.record([rec('k1')]);
    const withoutKey: OutputRecord = { tag: 't', input: 'op', service: 'audit', event: { id: 'k1' } };
    assert.deepEqual([...(await journal.find([withoutKey], byId))], [0]);
    assert.deepEqual([...(await journal.find([withoutKey], noKey))], []);
    await journal.close();
  });
});

test('bounded: the newest segmentEntries keys are always kept, older ones are dropped', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'j');
    const journal = await FileDeliveryJournal.open(path, 10, logger().logger);
    for (let i = 0; i < 50; i++) await journal.record([rec(`k${i}`), rec(`k${i}b`)]);
    assert.equal((await journal.find([rec('k49b'), rec('k0')], noKey)).size, 1, 'read back in the same run: the newest are there, the oldest gone');
    await journal.close();
    const reopened = await FileDeliveryJournal.open(path, 10, logger().logger);
    const last10 = Array.from({ length: 5 }, (_, i) => [rec(`k${45 + i}`), rec(`k${45 + i}b`)]).flat();
    assert.equal((await reopened.find(last10, noKey)).size, 10, 'the newest 10 survive the reopen');
    assert.equal((await reopened.find([rec('k0'), rec('k20')], noKey)).size, 0, 'old ones are gone');
    const text = (await readFile(join(path, 'current.ndjson'), 'utf8')) + (await readFile(join(path, 'previous.ndjson'), 'utf8'));
    const keys = text.trimEnd().split('\n').flatMap((line) => (JSON.parse(line) as { keys: string[] }).keys);
    assert.ok(keys.length >= 10 && keys.length <= 20, `${keys.length} keys on disk`);
    await reopened.close();
  });
});

test('a line torn by a crash is skipped, and the next record starts on a line of its own', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'j');
    const first = await FileDeliveryJournal.open(path, 100, logger().logger);
    await first.record([rec('a')]);
    await first.close();
    await appendFile(join(path, 'current.ndjson'), '{"input":"op","service":"audit","keys":["tor');
    const second = await FileDeliveryJournal.open(path, 100, logger().logger);
    await second.record([rec('b')]);
    await second.close();
    const third = await FileDeliveryJournal.open(path, 100, logger().logger);
    assert.deepEqual([...(await third.find([rec('a'), rec('tor'), rec('b')], noKey))].sort(), [0, 2]);
    await third.close();
  });
});

test('a journal that cannot be written warns once and never fails', { skip: process.getuid?.() === 0 ? 'root ignores file modes' : false }, async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, 'ro'), { mode: 0o500 });
    const { logger: log, sink } = logger();
    const journal = await FileDeliveryJournal.open(join(dir, 'ro', 'j'), 100, log);
    await journal.record([rec('a')]);
    await journal.record([rec('b')]);
    assert.equal(sink.lines.filter((l) => l.includes('cannot be written')).length, 1);
    assert.equal((await journal.find([rec('a'), rec('b')], noKey)).size, 0, 'nothing noted, so recovery sends them again');
    await journal.close();
  });
});

test('a journal path that is a file: the write still succeeds, with one warning; once the path works again, so does the journal', async () => {
  await withDir(async (dir) => {
    await appendFile(join(dir, 'blocker'), 'not a folder');
    const { logger: log, sink } = logger();
    const journal = await FileDeliveryJournal.open(join(dir, 'blocker', 'j'), 100, log);
    await journal.record([rec('a')]);
    await journal.record([rec('b')]);
    const warnings = sink.lines.filter((l) => l.includes('cannot be written'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /ENOTDIR/);
    await rm(join(dir, 'blocker'));
    await journal.record([rec('c')]);
    assert.ok(sink.lines.some((l) => l.includes('is written again')));
    assert.deepEqual([...(await journal.find([rec('a'), rec('c')], noKey))], [1], 'only what was written while it worked');
    await journal.close();
  });
});

test('JournaledOutput: a write the output refuses is not noted; an accepted one is', async () => {
  await withDir(async (dir) => {
    let refuse = true;
    const written: OutputRecord[][] = [];
    const inner: Output = {
      name: 'devo_1',
      type: 'devo_platform',
      open: () => Promise.resolve(),
      write: (records) => {
        if (refuse) return Promise.reject(new Error('receiver down'));
        written.push([...records]);
        return Promise.resolve();
      },
      check: () => Promise.resolve('ok'),
      close: () => Promise.resolve(),
    };
    const output = new JournaledOutput(inner, await FileDeliveryJournal.open(join(dir, 'j'), 100, logger().logger));
    assert.equal(output.name, 'devo_1');
    assert.equal(output.type, 'devo_platform');
    await assert.rejects(output.write([rec('a')]), /receiver down/);
    assert.equal((await output.findDelivered([rec('a')], noKey)).size, 0, 'refused: not noted');
    refuse = false;
    await output.write([rec('a')]);
    assert.deepEqual([...(await output.findDelivered([rec('x'), rec('a')], noKey))], [1]);
    assert.equal(written.length, 1);
    await output.close();
  });
});

test('forget voids what came before for one stream only, across a reopen and a rotation; later records count again', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'j');
    const journal = await FileDeliveryJournal.open(path, 4, logger().logger);
    await journal.record([rec('a'), rec('b')]);
    await journal.record([rec('c', 'item_usage')]);
    await journal.forget('op', 'audit');
    assert.deepEqual([...(await journal.find([rec('a'), rec('b'), rec('c', 'item_usage')], noKey))], [2]);
    await journal.record([rec('a')]);
    await journal.close();

    const reopened = await FileDeliveryJournal.open(path, 4, logger().logger);
    assert.deepEqual([...(await reopened.find([rec('a'), rec('b'), rec('c', 'item_usage')], noKey))].sort(), [0, 2]);
    // Rotation: the forget line moves to previous.ndjson with the lines it voids.
    await reopened.record([rec('x'), rec('y'), rec('z')]);
    await reopened.close();
    const rotated = await FileDeliveryJournal.open(path, 4, logger().logger);
    assert.deepEqual([...(await rotated.find([rec('a'), rec('b'), rec('x'), rec('c', 'item_usage')], noKey))].sort(), [0, 2, 3]);
    await rotated.close();
  });
});

test('forget on a journal that was never written writes nothing; one that cannot be written rejects with PERSISTENCE_WRITE_FAILED', async () => {
  await withDir(async (dir) => {
    const fresh = await FileDeliveryJournal.open(join(dir, 'fresh'), 100, logger().logger);
    await fresh.forget('op', 'audit');
    await fresh.close();
    await assert.rejects(stat(join(dir, 'fresh')), { code: 'ENOENT' });

    const path = join(dir, 'j');
    const journal = await FileDeliveryJournal.open(path, 100, logger().logger);
    await journal.record([rec('a')]);
    await journal.close();
    const reopened = await FileDeliveryJournal.open(path, 100, logger().logger);
    await rm(path, { recursive: true });
    await appendFile(path, 'now a file, not a folder');
    await assert.rejects(reopened.forget('op', 'audit'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PERSISTENCE_WRITE_FAILED');
      assert.match(err.message, /op\/audit starts afresh/);
      return true;
    });
    await reopened.record([rec('b')]);
    await reopened.close();
  });
});

test('under a file size limit, a forget line cut short fails (the service does not start) and the next line starts afresh', () =>
  withDir(async (dir) => {
    // The child writes ~1,000 bytes of keys, then a forget line that crosses 1 KiB; then it lifts the limit,
    // forgets again and notes one more key (test/support/limited-writes-child.ts).
    const child = await runUnderFileSizeLimit(1, resolve('dist/test/support/limited-writes-child.js'), ['journal', dir]);
    assert.equal(child.code, 0, child.stderr);
    const { limited, lifted } = JSON.parse(child.stdout) as { limited: string; lifted: string };
    assert.match(limited, /^\[PrePullError 201\] The delivery journal in \S+ could not note that op\/audit starts afresh: EFBIG: file too large \(\d+ of \d+ bytes written\)\.$/);
    assert.equal(lifted, 'resolved');

    // Read with no limit: the forget that succeeded voids the keys, the key noted after it counts.
    const journal = await FileDeliveryJournal.open(dir, 100_000, logger().logger);
    const records = [...JOURNAL_KEYS, 'after'].map((key) => rec(key));
    assert.deepEqual([...(await journal.find(records, noKey))], [JOURNAL_KEYS.length]);
    await journal.close();
    // The torn forget line stands alone: no line runs into the next.
    const lines = (await readFile(join(dir, 'current.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
    const unreadable = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(unreadable.length, 1, `torn lines: ${JSON.stringify(unreadable)}`);
    assert.ok(!unreadable[0]!.includes('}'), 'the torn line holds more than the start of the forget line');
  }));
