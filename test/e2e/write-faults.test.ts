// Writes that the system cuts short or refuses, through the CLI against the 1Password simulator:
// - a file size limit (`ulimit -f`, as a full disk or a quota would) cuts a write of the file
//   output short: nothing of that write is acknowledged, the file never holds a torn line in
//   its middle, the checkpoint covers only what is in the file, and delivery completes once
//   the limit is gone (the next run, or while running when it is lifted with prlimit);
// - the console output redirected to a file, under the same limit: no event lost;
// - the output file cannot be reopened after a rotation (its path became a directory):
//   retried with back-off, delivery resumes once the path is usable again;
// - a lock file that cannot be written is not left behind to block the next start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, mkdir, readFile, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN = 'op-write-faults-token-3e9d0b7a51c2';
const ENV = { OP_EVENTS_TOKEN: TOKEN };
const EVENTS = 300;
/** About 47 KB of file output per page of 50 events: the limit below lets two pages in and cuts the third. */
const PAGE = 50;
const LIMIT_KIB = 128;

function configYaml(url: string, output: string): string {
  return `globals:
  name: write-faults
  persistence: {type: filesystem, config: {directory_name: ./state}}
  queue_max_size_in_messages: ${PAGE}
outputs:
${output}
inputs:
  onepassword:
    base_url: ${url}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    rate_limit: {enabled: false}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${PAGE}, request_period_in_seconds: 1}
`;
}

const FILE_OUTPUT = '  file_1: {type: file, config: {path: ./events.ndjson}}';

/** The events the checkpoint says were delivered (0 before the first commit). */
async function savedCount(dir: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(join(dir, 'state', 'onepassword', 'audit.json'), 'utf8')) as { events_delivered: number }).events_delivered;
  } catch {
    return 0;
  }
}

function uuidsOf(lines: ReadonlyArray<{ event: Record<string, unknown> }>): unknown[] {
  return lines.map((l) => l.event['uuid']);
}

describe('writes cut short or refused', () => {
  let sim: OnePasswordSimulator;
  let expected: unknown[];

  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: EVENTS, itemusages: 0, signinattempts: 0 },
      rateLimit: false,
    });
    expected = sim.events('auditevents').map((e) => e['uuid']);
  });
  after(async () => {
    await sim.close();
  });

  test('a write cut short by a file size limit acknowledges nothing; the next run delivers every event once', async () => {
    const dir = await tempDir('siphon-short-write-');
    const config = await writeConfig(dir, configYaml(sim.url, FILE_OUTPUT));
    const first = await runSiphon(['run', '--config', config, '--once'], ENV, 180_000, { fileSizeLimitKiB: LIMIT_KIB });
    assert.notEqual(first.code, 0, 'a run whose events did not all reach the file must not succeed');

    const text = await readFile(join(dir, 'events.ndjson'), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), 'the part of the failed write was left at the end of the file');
    const lines = await readDelivered(join(dir, 'events.ndjson')); // every line parses: no torn line in the middle
    assert.ok(lines.length < EVENTS, 'the limit did not stop the file output');
    assert.deepEqual(uuidsOf(lines), expected.slice(0, lines.length), 'the file holds something else than the first events in order');
    const saved = await savedCount(dir);
    assert.ok(saved <= lines.length, `the checkpoint covers ${saved} events, the file holds only ${lines.length}`);
    assert.match(
      first.stderr,
      /\[OutputError 401\] Output file_1: writing \S+events\.ndjson failed: EFBIG: file too large \(\d+ of \d+ bytes written\); what was written of it is removed again\./,
    );

    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(uuidsOf(await readDelivered(join(dir, 'events.ndjson'))), expected, 'events missing or repeated after the limit was gone');
  });

  test('while running, the limit lifted: delivery resumes where it stopped, every event once, and a clean stop', async () => {
    const dir = await tempDir('siphon-short-write-');
    const config = await writeConfig(dir, configYaml(sim.url, FILE_OUTPUT));
    const run = startSiphon(['run', '--config', config], ENV, { fileSizeLimitKiB: LIMIT_KIB });
    try {
      await waitFor(() => /EFBIG[^\n]*attempt 2;/.test(run.stderr()), 60_000, 'a write refused twice');
      // Read in this order, the checkpoint can only be behind the file, never ahead of it.
      const saved = await savedCount(dir);
      const held = (await readDelivered(join(dir, 'events.ndjson'))).length;
      assert.ok(saved <= held, `the checkpoint covers ${saved} events, the file holds only ${held}`);
      assert.ok(held < EVENTS);

      // The disk has room again.
      await promisify(execFile)('prlimit', [`--pid=${run.child.pid}`, '--fsize=unlimited:']);
      await waitFor(async () => (await readDelivered(join(dir, 'events.ndjson'))).length >= EVENTS, 120_000, 'every event in the file');
      await waitFor(async () => (await savedCount(dir)) === EVENTS, 30_000, 'the checkpoint covering every event');
    } finally {
      run.child.kill('SIGTERM');
    }
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Output file_1 accepts events again after \d+ failed attempt\(s\); delivery resumes where it stopped/);
    const text = await readFile(join(dir, 'events.ndjson'), 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(uuidsOf(await readDelivered(join(dir, 'events.ndjson'))), expected, 'events missing or repeated');
  });

  test('the console output redirected to a file under a file size limit loses no event', async () => {
    const dir = await tempDir('siphon-short-write-');
    const config = await writeConfig(dir, configYaml(sim.url, '  console_1: {type: console}'));
    const outFile = join(dir, 'console.log');
    const launch = async (limited: boolean) => {
      const fd = openSync(outFile, 'a'); // as `siphon run >> console.log`
      try {
        return await runSiphon(['run', '--config', config, '--once'], ENV, 180_000, limited ? { fileSizeLimitKiB: LIMIT_KIB, stdoutFd: fd } : { stdoutFd: fd });
      } finally {
        closeSync(fd);
      }
    };
    const first = await launch(true);
    assert.notEqual(first.code, 0, 'a run whose events did not all reach standard output must not succeed');
    const second = await launch(false);
    assert.equal(second.code, 0, second.stderr);

    // A line is a whole event, except the part of the write the limit cut (alone on its line).
    const seen = new Set<unknown>();
    let torn = 0;
    for (const line of (await readFile(outFile, 'utf8')).split('\n')) {
      if (line === '') continue;
      assert.ok(line.indexOf(' onepassword/audit ') === line.lastIndexOf(' onepassword/audit '), `a torn line ran into the next one: ${line.slice(0, 200)}`);
      const match = /^auth\.agilebits\.onepassword\.audit onepassword\/audit (\{.*\})$/.exec(line);
      let event: Record<string, unknown> | undefined;
      try {
        event = match ? (JSON.parse(match[1]!) as Record<string, unknown>) : undefined;
      } catch {
        event = undefined;
      }
      if (event) seen.add(event['uuid']);
      else torn += 1;
    }
    assert.ok(torn <= 1, `${torn} lines are not whole events`);
    assert.deepEqual(
      expected.filter((uuid) => !seen.has(uuid)),
      [],
      'events never written whole to standard output',
    );
    assert.match(first.stderr, /\[OutputError 401\] Output console_1: writing to standard output failed: EFBIG: file too large \(\d+ of \d+ bytes written\)\./);
  });

  test('the output file cannot be reopened after a rotation: retried with back-off, resumed once the path is usable, every event once', async () => {
    const dir = await tempDir('siphon-reopen-');
    const config = await writeConfig(dir, configYaml(sim.url, FILE_OUTPUT));
    const events = join(dir, 'events.ndjson');
    const rotated = join(dir, 'events.ndjson.1');
    const run = startSiphon(['run', '--config', config], ENV);
    const count = (re: RegExp) => (run.stderr().match(re) ?? []).length;
    const LATER = 40;
    try {
      await waitFor(async () => (await readDelivered(events)).length === EVENTS, 60_000, 'the first events in the file');
      // Rotated away, and its path taken by a folder: reopening fails until the folder goes.
      await rename(events, rotated);
      await mkdir(events);
      sim.addEvents('auditevents', LATER);
      await waitFor(() => count(/cannot open \S+events\.ndjson: EISDIR/g) >= 2, 60_000, 'two failed attempts to reopen the file');
      await rmdir(events);
      await waitFor(async () => (await readDelivered(events)).length === LATER, 90_000, 'the later events in the reopened file');
      await waitFor(async () => (await savedCount(dir)) === EVENTS + LATER, 30_000, 'the checkpoint covering every event');
    } finally {
      run.child.kill('SIGTERM');
    }
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /was rotated or removed: opening it again/);
    assert.match(result.stderr, /\[OutputError 400\] Output file_1: cannot open \S+events\.ndjson: EISDIR[^\n]* stay queued for output file_1 and are sent again in/);
    assert.match(result.stderr, /Output file_1 accepts events again after \d+ failed attempt\(s\); delivery resumes where it stopped/);
    assert.doesNotMatch(result.stderr, /is not open/);
    const all = [...(await readDelivered(rotated)), ...(await readDelivered(events))];
    assert.deepEqual(uuidsOf(all), sim.events('auditevents').map((e) => e['uuid']), 'events missing or repeated across the rotation');
  });

  test('a lock file that cannot be written is removed, so the next start is not blocked', async () => {
    const dir = await tempDir('siphon-lock-write-');
    const config = await writeConfig(dir, configYaml(sim.url, FILE_OUTPUT));
    // A limit of 0: the lock file can be created but not written, as on a disk with no free block.
    const first = await runSiphon(['run', '--config', config, '--once'], ENV, 60_000, { fileSizeLimitKiB: 0 });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /\[PrePullError 201\] Could not lock state directory \S+: EFBIG: file too large/);
    await assert.rejects(access(join(dir, 'state', '.lock')), 'the unwritten lock file was left behind');
    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(uuidsOf(await readDelivered(join(dir, 'events.ndjson'))), sim.events('auditevents').map((e) => e['uuid']));
  });
});
