// What a vendor's bad data must not do to a stream, through the CLI against the 1Password
// simulator: an absurd event time must not move any position, an event that cannot be
// serialised must not hold the stream, and a cursor that never moves must not loop for ever.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import type { Checkpoint } from '../../src/core/contracts.js';
import { fileCollectorYaml, readDelivered, runSiphon, tempDir, withoutPullingId, writeConfig, type DeliveredLine } from './harness.js';

const TOKEN = 'op-reliability-token-7c1e5a90b2d4';
const ENV = { OP_EVENTS_TOKEN: TOKEN };
const YEAR_9999 = Date.UTC(9999, 11, 31, 23, 59, 59);
/** Long before the configured start (2020-01-01). */
const YEAR_2000 = Date.UTC(2000, 0, 1);

function configYaml(url: string, pageSize = 100): string {
  return fileCollectorYaml(
    'reliability',
    `  onepassword:
    base_url: ${url}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    http: {max_retries: 2, backoff_base_seconds: 0.05, backoff_max_seconds: 0.2}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${pageSize}}
`,
  );
}

async function startSim(initial: number): Promise<OnePasswordSimulator> {
  return startOnePasswordSimulator({
    tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
    initialEvents: { auditevents: initial, itemusages: 0, signinattempts: 0 },
  });
}

async function savedState(dir: string): Promise<Checkpoint> {
  return JSON.parse(await readFile(join(dir, 'state', 'onepassword', 'audit.json'), 'utf8')) as Checkpoint;
}

function uuids(lines: readonly DeliveredLine[]): unknown[] {
  return lines.map((l) => l.event['uuid'] ?? (l.event['siphon_unserializable_event'] as Record<string, unknown> | undefined)?.['key']);
}

const warnings = (stderr: string, pattern: RegExp): string[] => stderr.split('\n').filter((l) => / WARNING /.test(l) && pattern.test(l));

describe('a vendor event stamped absurdly moves no position', () => {
  let sim: OnePasswordSimulator;
  before(async () => {
    sim = await startSim(40);
  });
  after(async () => {
    await sim.close();
  });

  test('events dated 9999-12-31 and before the start are delivered; the checkpoint, a lost cursor and the dedup memory stay sane', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim.url));
    const recent = sim.addEvents('auditevents', 2);
    const [future] = sim.addEvents('auditevents', 1, { at: YEAR_9999 });
    const [ancient] = sim.addEvents('auditevents', 1, { at: YEAR_2000 });
    recent.push(...sim.addEvents('auditevents', 2));
    assert.equal(future?.['timestamp'], '9999-12-31T23:59:59Z');

    const first = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(first.code, 0, first.stderr);
    const expected = sim.events('auditevents').map((e) => e['uuid']);
    assert.deepEqual(uuids(await readDelivered(join(dir, 'events.ndjson'))), expected, 'every event delivered, the absurd ones too');
    // One warning for the stream, naming the first such event and its time; both are counted.
    const warned = warnings(first.stderr, /implausible time/);
    assert.equal(warned.length, 1, first.stderr);
    assert.match(warned[0]!, new RegExp(`Event ${String(future?.['uuid'])} has an implausible time 9999-12-31T23:59:59\\.000Z`));
    assert.match(first.stderr, /Number of obfuscated fields: 0; Number of events with an implausible time: 2\./);

    const state = await savedState(dir);
    const newestDelivered = Math.max(...recent.map((e) => Date.parse(String(e['timestamp']))));
    assert.equal(state.newest_event_time, newestDelivered, 'newest_event_time is the newest plausible event');
    const memory = new Map(state.dedup);
    for (const e of recent) assert.ok(memory.has(String(e['uuid'])), `the dedup memory kept ${String(e['uuid'])}`);
    assert.equal(memory.get(String(future?.['uuid'])), null, 'an absurd time is remembered without a time');
    assert.equal(memory.get(String(ancient?.['uuid'])), null);

    // The vendor loses the cursor: the stream restarts from the newest plausible event and
    // goes on delivering, once each.
    sim.faults.rejectCursorsIssuedBefore(Date.now());
    sim.addEvents('auditevents', 3);
    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`Restarting the stream from ${new Date(Math.floor(newestDelivered / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`));
    assert.deepEqual(uuids(await readDelivered(join(dir, 'events.ndjson'))), sim.events('auditevents').map((e) => e['uuid']));
    assert.ok((await savedState(dir)).newest_event_time! <= Date.now());
  });

  test('a checkpoint saved with an absurd newest time (before this fix) is repaired at start', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim.url));
    sim.faults.reset();
    const first = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(first.code, 0, first.stderr);
    const path = join(dir, 'state', 'onepassword', 'audit.json');
    const state = await savedState(dir);
    const newest = state.newest_event_time!;
    // As an earlier version saved it: the absurd time as the newest, and in the memory.
    state.newest_event_time = YEAR_9999;
    state.dedup.push(['poisoned-key', YEAR_9999]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify(state));

    sim.faults.rejectCursorsIssuedBefore(Date.now());
    sim.addEvents('auditevents', 2);
    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /The saved newest event time 9999-12-31T23:59:59\.000Z is implausible/);
    assert.deepEqual(uuids(await readDelivered(join(dir, 'events.ndjson'))), sim.events('auditevents').map((e) => e['uuid']));
    const repaired = await savedState(dir);
    assert.ok(repaired.newest_event_time! >= newest && repaired.newest_event_time! <= Date.now());
  });
});

describe('an event that cannot be serialised does not hold the stream', () => {
  let sim: OnePasswordSimulator;
  before(async () => {
    sim = await startSim(10);
  });
  after(async () => {
    await sim.close();
  });

  test('an event nested 100,000 levels deep is delivered as a stand-in record with its id; the events behind it arrive', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim.url, 5));
    sim.addEvents('auditevents', 2);
    const [deep] = sim.addEvents('auditevents', 1, { nestDepth: 100_000 });
    sim.addEvents('auditevents', 7);

    const first = await runSiphon(['run', '--config', config, '--once'], ENV, 90_000);
    assert.equal(first.code, 0, first.stderr);
    const lines = await readDelivered(join(dir, 'events.ndjson'));
    const served = sim.events('auditevents');
    assert.deepEqual(uuids(lines), served.map((e) => e['uuid']), 'every event, in order, the deep one as its stand-in');
    const deepUuid = String(deep?.['uuid']);
    for (const [i, line] of lines.entries()) {
      if (served[i]?.['uuid'] === deepUuid) continue;
      assert.equal(JSON.stringify(withoutPullingId(line.event)), JSON.stringify(served[i]));
    }
    const standIn = lines.find((l) => l.event['siphon_unserializable_event'] !== undefined);
    assert.deepEqual(withoutPullingId(standIn!.event), {
      siphon_unserializable_event: {
        reason: 'The event could not be serialised: it is nested too deeply to be written as JSON (Maximum call stack size exceeded)',
        key: deepUuid,
        time: new Date(Date.parse(String(deep?.['timestamp']))).toISOString(),
      },
    });
    assert.equal(typeof standIn!.event['@devo_pulling_id'], 'number');
    assert.equal(warnings(first.stderr, new RegExp(`Event ${deepUuid} could not be serialised: it is nested too deeply`)).length, 1, first.stderr);
    assert.match(first.stderr, /Number of unserializable events replaced: 1\./);
    assert.ok(new Map((await savedState(dir)).dedup).has(deepUuid), 'the stand-in is committed like any event');

    // A restart delivers nothing again, the stand-in included.
    sim.addEvents('auditevents', 1);
    const second = await runSiphon(['run', '--config', config, '--once'], ENV, 90_000);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(uuids(await readDelivered(join(dir, 'events.ndjson'))), sim.events('auditevents').map((e) => e['uuid']));
  });
});

describe('a cursor that never moves stops the cycle', () => {
  let sim: OnePasswordSimulator;
  before(async () => {
    sim = await startSim(30);
  });
  after(async () => {
    await sim.close();
  });

  test('has_more with the same cursor and no items: a few requests, PullError 305, exit 1, checkpoint unchanged', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim.url));
    const first = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(first.code, 0, first.stderr);
    const saved = await readFile(join(dir, 'state', 'onepassword', 'audit.json'), 'utf8');

    sim.faults.hasMoreWithoutProgress(true);
    const before = sim.stats().requests;
    // Before the fix this run asks for the same page until it is killed.
    const second = await runSiphon(['run', '--config', config, '--once'], ENV, 90_000);
    const requests = sim.stats().requests - before;
    assert.equal(second.code, 1, second.stderr);
    assert.match(
      second.stderr,
      /ERROR .*\[PullError 305\] The vendor answered 3 pages in a row that more events follow, with no events and the same cursor ".*": it does not move on.* The checkpoint did not move; retrying in 5 second\(s\)/,
    );
    assert.match(second.stderr, /\[PullError 305\] .* A service stopped with an error\./);
    // Setup (introspect and a probe), then three attempts of three pages each.
    assert.ok(requests <= 12, `${requests} requests`);
    assert.equal(await readFile(join(dir, 'state', 'onepassword', 'audit.json'), 'utf8'), saved, 'the state did not change');

    sim.faults.hasMoreWithoutProgress(false);
    sim.addEvents('auditevents', 2);
    const third = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(uuids(await readDelivered(join(dir, 'events.ndjson'))), sim.events('auditevents').map((e) => e['uuid']));
  });
});
