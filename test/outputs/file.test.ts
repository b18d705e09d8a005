// The file output: NDJSON lines, flushed; torn last line cut; replayed records found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutput, fileOutputSchema } from '../../src/outputs/file.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { systemClock } from '../../src/core/time.js';
import type { OutputRecord, VendorEvent } from '../../src/core/contracts.js';

async function makeOutput(dir: string, path = 'out/events.ndjson') {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const output = new FileOutput('file_1', fileOutputSchema.parse({ path }), { logger, clock: systemClock, baseDir: dir });
  await output.open();
  return { output, sink, file: join(dir, path) };
}

const rec = (id: string, service = 'svc'): OutputRecord => ({ tag: 't.a.g', input: 'in', service, event: { uuid: id, b: 1, a: 2 } });
const keyOf = (e: VendorEvent): string | undefined => (typeof e['uuid'] === 'string' ? e['uuid'] : undefined);

test('writes one {"tag","input","service","event"} line per record, key order kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  const { output, file } = await makeOutput(dir);
  await output.write([rec('1'), rec('2')]);
  await output.close();
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], '{"tag":"t.a.g","input":"in","service":"svc","event":{"uuid":"1","b":1,"a":2}}');
  assert.equal(lines.length, 2);
});

test('a torn last line left by a crash is cut at open, with a warning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  const first = await makeOutput(dir);
  await first.output.write([rec('1')]);
  await first.output.close();
  await appendFile(first.file, '{"tag":"t.a.g","input":"in","serv');
  const second = await makeOutput(dir);
  await second.output.write([rec('2')]);
  await second.output.close();
  const lines = (await readFile(first.file, 'utf8')).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid), ['1', '2']);
  assert.ok(second.sink.lines.some((l) => l.includes('incomplete last line')));
});

test('findDelivered finds records already in the file, per input and service, across chunk borders', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  const { output, file } = await makeOutput(dir);
  const many: OutputRecord[] = [];
  for (let i = 0; i < 30_000; i++) many.push(rec(`id-${i}`));
  await output.write(many);
  await output.write([rec('other-service', 'svc2')]);
  const probe = [rec('id-5'), rec('id-29999'), rec('missing'), rec('other-service'), rec('id-15000')];
  const found = await output.findDelivered(probe, keyOf);
  assert.deepEqual([...found].sort(), [0, 1, 4], 'id-5, id-29999 and id-15000; not the one of another service');
  await output.close();
  assert.ok((await readFile(file, 'utf8')).length > 1024 * 1024, 'the file spans several read chunks');
});

test('a record\'s dedup key is stored with it, and recovery matches on it even when obfuscation changed the event', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  const { output, file } = await makeOutput(dir);
  const keyed = (key: string, user: string): OutputRecord => ({ tag: 't', input: 'lp', service: 'reporting', event: { Time: '2024-01-01 00:00:00', Username: user }, key });
  // As delivered: the user name masked. Replayed: the raw event, same key.
  await output.write([keyed('h1.0', '*****'), keyed('h1.1', '*****')]);
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  assert.equal(lines[0], '{"tag":"t","input":"lp","service":"reporting","event":{"Time":"2024-01-01 00:00:00","Username":"*****"},"key":"h1.0"}');
  const noKeyOfEvent = (): string | undefined => undefined;
  const found = await output.findDelivered([keyed('h1.0', 'alice'), keyed('h1.1', 'alice'), keyed('h1.2', 'alice')], noKeyOfEvent);
  assert.deepEqual([...found].sort(), [0, 1], 'the third identical event is new');
  await output.close();
});

test('an unopenable path is OUTPUT_UNAVAILABLE naming the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  await writeFile(join(dir, 'blocker'), 'x');
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const output = new FileOutput('file_1', fileOutputSchema.parse({ path: 'blocker/events.ndjson' }), { logger, clock: systemClock, baseDir: dir });
  await assert.rejects(output.open(), (err: Error & { code?: string }) => err.code === 'OUTPUT_UNAVAILABLE' && err.message.includes('blocker'));
});

test('a rotated or deleted file is opened again before the next batch', async () => {
  const { rename, unlink } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'siphon-file-'));
  const { output, file, sink } = await makeOutput(dir);
  await output.write([rec('1')]);
  await rename(file, `${file}.1`); // logrotate's move
  await output.write([rec('2')]);
  await unlink(file); // or somebody deletes it
  await output.write([rec('3')]);
  await output.close();
  const ids = (path: string): Promise<string[]> =>
    readFile(path, 'utf8').then((t) => t.trimEnd().split('\n').map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid));
  assert.deepEqual(await ids(`${file}.1`), ['1']);
  assert.deepEqual(await ids(file), ['3']);
  assert.equal(sink.lines.filter((l) => l.includes('rotated or removed')).length, 2);
});
