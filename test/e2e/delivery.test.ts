// Delivery through the bounded queue, end to end: the real CLI pulls from the 1Password
// simulator and delivers to a local Devo-like TLS receiver that requires a client certificate.
// - The receiver stops for a while, then comes back: every event arrives once; while it is
//   down pulling stops at the queue's bound and no checkpoint moves.
// - A slow receiver slows pulling: what was pulled but not received stays under the queue bound.
// - Two outputs, one of them down: the checkpoint waits for both.
// - Stopped while one of two outputs is down: at the next start the other one is not sent the
//   uncommitted pages again (its delivery journal), the one that was down gets them all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { DevoReceiver } from '../support/devo-receiver.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN = 'op-delivery-token-77c1d2e3f4a5b6c7';
const ENV = { OP_EVENTS_TOKEN: TOKEN };
const PAGE = 500;

interface Setup {
  dir: string;
  pki: TestPki;
}

function devoOutputYaml(name: string, port: number, pki: TestPki): string {
  return `  ${name}:
    type: devo_platform
    services: [standard]
    config: {address: 127.0.0.1, port: ${port}, type: SSL, cert: ${JSON.stringify(pki.clientCertFile)}, key: ${JSON.stringify(pki.clientKeyFile)}, chain: ${JSON.stringify(pki.caCertFile)}}
`;
}

function configYaml(o: { dir: string; simUrl: string; outputs: string; queueMessages: number; queueMb?: number; period?: number; shutdownSeconds?: number }): string {
  return `globals:
  name: delivery-e2e
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(o.dir, 'state'))}}}
  queue_max_size_in_messages: ${o.queueMessages}
  queue_max_size_in_mb: ${o.queueMb ?? 1024}
  shutdown_timeout_seconds: ${o.shutdownSeconds ?? 5}
outputs:
${o.outputs}inputs:
  onepassword:
    base_url: ${o.simUrl}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    rate_limit: {enabled: false}
    services:
      item_usage: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${PAGE}, request_period_in_seconds: ${o.period ?? 1}}
`;
}

/**
 * The uuids of the complete frames the receiver got so far, connection by connection (a
 * connection still being written may end in a partial frame, which is not counted yet).
 */
function receivedUuids(receiver: DevoReceiver): string[] {
  const uuids: string[] = [];
  for (const conn of receiver.connections) {
    const text = receiver.connectionBytes(conn).toString('utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n')) {
      if (line === '') continue;
      const json = line.slice(line.indexOf(': {') + 2);
      uuids.push((JSON.parse(json) as { uuid: string }).uuid);
    }
  }
  return uuids;
}

const frameCount = (receiver: DevoReceiver): number => receivedUuids(receiver).length;

async function savedCount(dir: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(join(dir, 'state', 'onepassword', 'item_usage.json'), 'utf8')) as { events_delivered: number };
    return state.events_delivered;
  } catch {
    return 0;
  }
}

describe('delivery through the bounded queue', () => {
  let setup: Setup;
  before(async () => {
    const dir = await tempDir('siphon-delivery-');
    setup = { dir, pki: await makeTestPki(join(dir, 'pki')) };
  });

  const tlsOf = (pki: TestPki) => ({ cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem });

  describe('the receiver stops for a while, then comes back', () => {
    let sim: OnePasswordSimulator;
    let receiver: DevoReceiver;
    after(async () => {
      await sim?.close();
      await receiver?.stop({ abrupt: true });
    });

    test('every event arrives exactly once; while it is down pulling stops at the queue bound and no checkpoint moves', async () => {
      const EVENTS = 12_000;
      const QUEUE = 1_500;
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: EVENTS, signinattempts: 0 }, rateLimit: false });
      receiver = await DevoReceiver.start({ tls: tlsOf(setup.pki), slowBytesPerSecond: 400_000 });
      const dir = await tempDir('siphon-delivery-outage-');
      const config = await writeConfig(dir, configYaml({ dir, simUrl: sim.url, outputs: devoOutputYaml('devo_1', receiver.port, setup.pki), queueMessages: QUEUE }));
      const run = startSiphon(['run', '--config', config], ENV);
      try {
        await waitFor(() => frameCount(receiver) >= 1_000, 90_000, 'the first events at the receiver');
        await receiver.stop();
        // A graceful stop lets the connection in progress finish: count once it has.
        await receiver.whenIdle(30_000);
        const frozenAt = frameCount(receiver);
        // Down for a while: Siphon retries, the queue fills, pulling waits.
        await waitFor(() => /stay queued for output devo_1/.test(run.stderr()), 60_000, 'a retry warning');
        await new Promise((r) => setTimeout(r, 3_000));
        const servedDuring = sim.stats().served.itemusages;
        const savedDuring = await savedCount(dir);
        await new Promise((r) => setTimeout(r, 2_000));
        assert.equal(sim.stats().served.itemusages, servedDuring, 'pulling paused while the output was down');
        assert.equal(await savedCount(dir), savedDuring, 'no checkpoint moved while the output was down');
        assert.ok(savedDuring <= frozenAt, `the checkpoint (${savedDuring}) never covers more than the receiver got (${frozenAt})`);
        // Pulled but not delivered: the queue's bound plus the page being fetched and the one waiting for room.
        assert.ok(servedDuring - frozenAt <= QUEUE + 2 * PAGE, `${servedDuring - frozenAt} events held in memory while the output was down`);
        assert.ok(servedDuring < EVENTS, 'the outage stopped pulling before the end of the history');

        await receiver.start();
        await waitFor(() => frameCount(receiver) >= EVENTS, 180_000, 'every event at the receiver after it came back');
        await waitFor(async () => (await savedCount(dir)) === EVENTS, 60_000, 'the checkpoint covering every event');
      } finally {
        run.child.kill('SIGTERM');
      }
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      const uuids = receivedUuids(receiver);
      assert.equal(uuids.length, EVENTS, 'nothing duplicated');
      assert.equal(new Set(uuids).size, EVENTS, 'nothing duplicated');
      assert.deepEqual(new Set(uuids), new Set(sim.events('itemusages').map((e) => e['uuid'] as string)), 'nothing lost');
      assert.match(result.stderr, /accepts events again after \d+ failed attempt\(s\); delivery resumes where it stopped/);
    });
  });

  describe('a slow receiver', () => {
    let sim: OnePasswordSimulator;
    let receiver: DevoReceiver;
    after(async () => {
      await sim?.close();
      await receiver?.stop({ abrupt: true });
    });

    test('slows pulling: what was pulled but not yet received stays under the queue bound (bytes)', async () => {
      const EVENTS = 10_000;
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: EVENTS, signinattempts: 0 }, rateLimit: false });
      receiver = await DevoReceiver.start({ tls: tlsOf(setup.pki), slowBytesPerSecond: 1_000_000 });
      const dir = await tempDir('siphon-delivery-slow-');
      // 1 MB of queue: about 2,000 of these events; the message bound (100,000) never binds.
      const config = await writeConfig(dir, configYaml({ dir, simUrl: sim.url, outputs: devoOutputYaml('devo_1', receiver.port, setup.pki), queueMessages: 100_000, queueMb: 1 }));
      const run = startSiphon(['run', '--config', config], ENV);
      let maxGap = 0;
      let samples = 0;
      try {
        const deadline = Date.now() + 90_000;
        while (frameCount(receiver) < EVENTS && Date.now() < deadline) {
          const gap = sim.stats().served.itemusages - frameCount(receiver);
          maxGap = Math.max(maxGap, gap);
          samples++;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(frameCount(receiver), EVENTS, 'every event arrived');
      } finally {
        run.child.kill('SIGTERM');
      }
      const result = await run.done;
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      const eventBytes = JSON.stringify(sim.events('itemusages')[0]).length;
      const queueEvents = Math.ceil((1024 * 1024) / eventBytes);
      assert.ok(samples > 20, 'the slow receiver took a while');
      assert.ok(maxGap <= queueEvents + 2 * PAGE, `at most ${maxGap} events pulled ahead of the receiver (queue ~${queueEvents} events + 2 pages)`);
      assert.ok(queueEvents + 2 * PAGE < EVENTS / 2, 'the history is much larger than the queue');
      assert.ok(maxGap < EVENTS / 2, `pulling did not run ahead of delivery (max ${maxGap} of ${EVENTS})`);
    });
  });

  describe('two outputs, one of them down', () => {
    let sim: OnePasswordSimulator;
    after(async () => {
      await sim?.close();
    });

    test('the file output gets the events, but the checkpoint waits for the Devo output too', async () => {
      const EVENTS = 1_200;
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: EVENTS, signinattempts: 0 }, rateLimit: false });
      const receiver = await DevoReceiver.start({ tls: tlsOf(setup.pki) });
      const port = receiver.port;
      await receiver.stop();
      const dir = await tempDir('siphon-delivery-two-');
      const outputs = `  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}\n${devoOutputYaml('devo_1', port, setup.pki)}`;
      const config = await writeConfig(dir, configYaml({ dir, simUrl: sim.url, outputs, queueMessages: 10_000 }));
      const run = startSiphon(['run', '--config', config], ENV);
      try {
        await waitFor(async () => (await readDelivered(join(dir, 'events.ndjson'))).length === EVENTS, 90_000, 'the file output receiving every event');
        await new Promise((r) => setTimeout(r, 1_500));
        assert.equal(await savedCount(dir), 0, 'no checkpoint while the Devo output has nothing');
        await receiver.start();
        await waitFor(() => frameCount(receiver) === EVENTS, 90_000, 'the Devo output receiving every event');
        await waitFor(async () => (await savedCount(dir)) === EVENTS, 60_000, 'the checkpoint once both have acknowledged');
      } finally {
        run.child.kill('SIGTERM');
        await run.done;
        await receiver.stop({ abrupt: true });
      }
      assert.equal((await readDelivered(join(dir, 'events.ndjson'))).length, EVENTS, 'the file output got each event once');
    });
  });

  describe('a stop while the receiver is down', () => {
    let sim: OnePasswordSimulator;
    after(async () => {
      await sim?.close();
    });

    test('ends at the deadline without committing; the next run delivers every event once', async () => {
      const EVENTS = 2_500;
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: EVENTS, signinattempts: 0 }, rateLimit: false });
      const receiver = await DevoReceiver.start({ tls: tlsOf(setup.pki) });
      await receiver.stop();
      const dir = await tempDir('siphon-delivery-stop-');
      const config = await writeConfig(dir, configYaml({ dir, simUrl: sim.url, outputs: devoOutputYaml('devo_1', receiver.port, setup.pki), queueMessages: 10_000, shutdownSeconds: 2 }));
      const run = startSiphon(['run', '--config', config], ENV);
      await waitFor(() => /stay queued for output devo_1/.test(run.stderr()), 60_000, 'a retry warning');
      const stoppedAt = Date.now();
      run.child.kill('SIGTERM');
      const stopped = await run.done;
      const took = Date.now() - stoppedAt;
      // The deadline line proves the deadline ended it; the bound only guards against a hang.
      assert.ok(took < 60_000, `stopped in ${took} ms (deadline 2 s)`);
      assert.match(stopped.stderr, /The shutdown deadline of 2 s passed with \d+ event\(s\) not yet acknowledged by every output/);
      assert.match(stopped.stderr, /queued event\(s\) were not, and will be pulled again/);
      assert.equal(await savedCount(dir), 0, 'nothing committed');

      await receiver.start();
      try {
        const again = startSiphon(['run', '--config', config, '--once'], ENV);
        const result = await again.done;
        assert.equal(result.code, 0, result.stderr.slice(-2000));
        await receiver.whenIdle(10_000);
      } finally {
        await receiver.stop({ abrupt: true });
      }
      const uuids = receivedUuids(receiver);
      assert.equal(uuids.length, EVENTS);
      assert.equal(new Set(uuids).size, EVENTS, 'every event once');
      assert.equal(await savedCount(dir), EVENTS);
    });
  });

  describe('a stop while one of two outputs is down', () => {
    let sim: OnePasswordSimulator;
    after(async () => {
      await sim?.close();
    });

    test('the output that was up does not get the uncommitted pages again at the next start (delivery journal)', async () => {
      const EVENTS = 2_000;
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: EVENTS, signinattempts: 0 }, rateLimit: false });
      const up = await DevoReceiver.start({ tls: tlsOf(setup.pki) });
      const down = await DevoReceiver.start({ tls: tlsOf(setup.pki) });
      await down.stop();
      const dir = await tempDir('siphon-delivery-journal-');
      const outputs = devoOutputYaml('devo_up', up.port, setup.pki) + devoOutputYaml('devo_down', down.port, setup.pki);
      const config = await writeConfig(dir, configYaml({ dir, simUrl: sim.url, outputs, queueMessages: 10_000, shutdownSeconds: 1 }));
      try {
        const run = startSiphon(['run', '--config', config], ENV);
        await waitFor(() => frameCount(up) === EVENTS, 90_000, 'every event at the output that is up');
        run.child.kill('SIGTERM');
        const stopped = await run.done;
        assert.equal(stopped.code, 0, stopped.stderr.slice(-2000));
        assert.equal(await savedCount(dir), 0, 'nothing committed: devo_down has nothing');

        await down.start();
        const again = await runSiphon(['run', '--config', config, '--once'], ENV);
        assert.equal(again.code, 0, again.stderr.slice(-2000));
        assert.match(again.stderr, /event\(s\) of this page had reached an output before the last stop without being committed/);
        await up.whenIdle(10_000);
        await down.whenIdle(10_000);
      } finally {
        await up.stop({ abrupt: true });
        await down.stop({ abrupt: true });
      }
      const expected = new Set(sim.events('itemusages').map((e) => e['uuid'] as string));
      for (const [name, receiver] of [['devo_up', up], ['devo_down', down]] as const) {
        const uuids = receivedUuids(receiver);
        assert.equal(uuids.length, EVENTS, `${name}: each event once (${uuids.length} frames)`);
        assert.deepEqual(new Set(uuids), expected, `${name}: every event`);
      }
      assert.equal(await savedCount(dir), EVENTS);
    });
  });

  describe('the internal sender service and the sender statistics', () => {
    let sim: OnePasswordSimulator;
    after(async () => {
      await sim?.close();
    });

    test('an output carrying `internal` gets Siphon\'s own log records as Devo shapes them; statistics are logged per output and service', async () => {
      sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['itemusages'] }], initialEvents: { auditevents: 0, itemusages: 300, signinattempts: 0 }, rateLimit: false });
      const receiver = await DevoReceiver.start({ tls: tlsOf(setup.pki) });
      const dir = await tempDir('siphon-delivery-internal-');
      const outputs =
        `  events_only: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}\n` +
        devoOutputYaml('devo_1', receiver.port, setup.pki).replace('services: [standard]', 'services: [standard, internal]');
      const yaml = configYaml({ dir, simUrl: sim.url, outputs, queueMessages: 10_000 }).replace('  shutdown_timeout_seconds', '  sender_statistics_interval_seconds: 1\n  shutdown_timeout_seconds');
      const run = startSiphon(['run', '--config', await writeConfig(dir, yaml)], ENV);
      try {
        await waitFor(() => /Internal - Total number of messages sent: [1-9]/.test(run.stderr()), 60_000, 'a sender statistics report counting internal messages');
        await waitFor(() => receiver.text().includes('"msg":"The data is up to date!"'), 60_000, 'the internal record of "The data is up to date!"');
      } finally {
        run.child.kill('SIGTERM');
        await run.done;
        await receiver.whenIdle(10_000);
        await receiver.stop({ abrupt: true });
      }
      const frames = receiver.frames();
      const events = frames.filter((f) => f.tag === 'auth.agilebits.onepassword.itemusage');
      assert.equal(new Set(events.map((f) => (JSON.parse(f.message) as { uuid: string }).uuid)).size, 300);
      const internal = frames.filter((f) => f.tag.startsWith('devo.collectors.out.local.'));
      const upToDate = internal.map((f) => JSON.parse(f.message) as Record<string, unknown>).find((r) => r['msg'] === 'The data is up to date!');
      assert.ok(upToDate, 'the internal record is there');
      assert.deepEqual(Object.keys(upToDate), ['msg', 'time', 'level', 'collector_name', 'collector_version', 'input_name', 'service_name', 'module_name']);
      assert.equal(upToDate['level'], 'info');
      assert.equal(upToDate['collector_name'], 'delivery-e2e');
      assert.equal(upToDate['input_name'], 'onepassword');
      assert.equal(upToDate['service_name'], 'item_usage');
      assert.equal(upToDate['module_name'], 'OnePasswordPuller');
      assert.ok(internal.every((f) => /^devo\.collectors\.out\.local\.(info|warning|error)$/.test(f.tag)));
      const fileLines = await readDelivered(join(dir, 'events.ndjson'));
      assert.equal(fileLines.length, 300, 'the events-only output got no internal record');
      const text = (await run.done).stderr;
      assert.match(text, /DevoSenderManagerMonitor\(standard_senders,devo_1\) -> Number of available senders: 1, sender manager internal queue size: \d+/);
      assert.match(text, /DevoSenderManagerMonitor\(standard_senders,devo_1\) -> Standard - Total number of messages sent: 300, messages\/bytes sent since\/to "[^"]+": \d+\/\d+, \(elapsed \d+\.\d{3} seconds\)/);
      assert.match(text, /FileSenderManagerMonitor\(standard_senders,events_only\)/);
      assert.doesNotMatch(text, /FileSenderManagerMonitor\(internal_senders/);
    });
  });
});
