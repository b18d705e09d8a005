// The file output's summary of which services its tail holds: recovery reads the tail once,
// rules out services without lines there, and reads again whenever the file changed in a way
// its own writes do not explain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutput, fileOutputSchema } from '../../src/outputs/file.js';
import { TailServices } from '../../src/outputs/file-tail-services.js';
import { lineText } from '../../src/outputs/file-lines.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { systemClock } from '../../src/core/time.js';
import type { OutputRecord } from '../../src/core/contracts.js';

const MB = 1024 * 1024;
const rec = (key: string, service: string, input = 'in'): OutputRecord => ({ tag: 't.a.g', input, service, key, eventJson: `{"id":${JSON.stringify(key)}}` });
const lines = (records: OutputRecord[]): string => records.map(lineText).join('');
const noKeyOfEvent = (): string | undefined => undefined;

async function openOutput(dir: string): Promise<FileOutput> {
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() });
  const output = new FileOutput('file_1', fileOutputSchema.parse({ path: 'events.ndjson' }), { logger, clock: systemClock, baseDir: dir });
  await output.open();
  return output;
}

test('the tail is read once: later asks use the summary until the file changes size', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-tail-'));
  const file = join(dir, 'events.ndjson');
  await writeFile(file, lines([rec('a1', 'svcA'), rec('a2', 'svcA')]));
  const handle = await open(file, 'r');
  try {
    const { ino, size } = await handle.stat();
    const tail = new TailServices();
    assert.equal(await tail.mayHold(handle, ino, size, [rec('b1', 'svcB')], MB), false, 'svcB has no line there');
    assert.equal(await tail.mayHold(handle, ino, size, [rec('b1', 'svcB'), rec('a9', 'svcA')], MB), true, 'svcA has');
    // The same bytes count, now all svcB's (same inode): only a summary kept from the first read still says no.
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('svcA', 'svcB'));
    assert.equal((await handle.stat()).size, size);
    assert.equal(await tail.mayHold(handle, ino, size, [rec('b1', 'svcB')], MB), false, 'answered from the summary, not by reading again');
    // A size its writes do not explain: read again.
    await appendFile(file, lines([rec('c1', 'svcC')]));
    const grown = (await handle.stat()).size;
    assert.equal(await tail.mayHold(handle, ino, grown, [rec('b1', 'svcB')], MB), true);
    assert.equal(await tail.mayHold(handle, ino, grown, [rec('c1', 'svcC')], MB), true);
    // Another file (a rotation) is read afresh too.
    assert.equal(await tail.mayHold(handle, ino + 1, grown, [rec('x', 'svcA')], MB), false);
  } finally {
    await handle.close();
  }
});

test('a line not in Siphon\'s layout rules nothing out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-tail-'));
  const file = join(dir, 'events.ndjson');
  await writeFile(file, `${lines([rec('a1', 'svcA')])}{"written":"by hand"}\n`);
  const handle = await open(file, 'r');
  try {
    const { ino, size } = await handle.stat();
    assert.equal(await new TailServices().mayHold(handle, ino, size, [rec('b1', 'svcB')], MB), true);
  } finally {
    await handle.close();
  }
});

test('after a restart, a service without lines in the tail finds nothing, and finds what is written for it afterwards', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-tail-'));
  const first = await openOutput(dir);
  await first.write([rec('a1', 'svcA'), rec('a2', 'svcA')]);
  await first.close();

  const output = await openOutput(dir);
  try {
    assert.deepEqual([...(await output.findDelivered([rec('b1', 'svcB'), rec('b2', 'svcB')], noKeyOfEvent))], []);
    assert.deepEqual([...(await output.findDelivered([rec('a0', 'svcA'), rec('a2', 'svcA')], noKeyOfEvent))], [1]);
    // Written through this output after the summary: found.
    await output.write([rec('b1', 'svcB')]);
    assert.deepEqual([...(await output.findDelivered([rec('b1', 'svcB'), rec('b2', 'svcB')], noKeyOfEvent))], [0]);
    // Appended by someone else: the size tells, and the tail is read again.
    await appendFile(join(dir, 'events.ndjson'), lines([rec('c1', 'svcC')]));
    assert.deepEqual([...(await output.findDelivered([rec('c1', 'svcC')], noKeyOfEvent))], [0]);
  } finally {
    await output.close();
  }
});

test('service names that JSON escapes are matched as written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-tail-'));
  const first = await openOutput(dir);
  const odd = (key: string): OutputRecord => rec(key, 'svc "quoted" \\ é', 'in\u0001put');
  await first.write([odd('k1')]);
  await first.close();
  const output = await openOutput(dir);
  try {
    assert.deepEqual([...(await output.findDelivered([odd('k0'), odd('k1')], noKeyOfEvent))], [1]);
  } finally {
    await output.close();
  }
});
