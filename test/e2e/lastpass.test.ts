// The LastPass connector end to end, through the CLI, against the simulator: both DST
// changes, a window of more than 10,000 events, identical same-second events, paging
// quirks, vendor errors and bad credentials.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLastPassSimulator, type LastPassSimulator, type LastPassSimulatorOptions } from '../../src/simulators/lastpass/index.js';
import { fileCollectorYaml, readAllFiles, readDelivered, runSiphon, startSiphon, tempDir, waitFor, withoutPullingId, writeConfig, type DeliveredLine } from './harness.js';

const HASH_ENV = 'LASTPASS_PROVISIONING_HASH';

interface ConfigOptions {
  sim: LastPassSimulator;
  start: string;
  service?: string;
  input?: string;
}

function configYaml(o: ConfigOptions): string {
  return fileCollectorYaml(
    'e2e',
    `  lastpass:
    id: 10001
    override_api_base_url: ${o.sim.url}
    credentials:
      company_id: ${o.sim.companyId}
      provisioning_hash: \${env:${HASH_ENV}}
    http: {max_retries: 4, backoff_base_seconds: 0.05, backoff_max_seconds: 0.5}
    rate_limit: {requests_per_minute: 100000}
${o.input ?? ''}    services:
      reporting:
        start_time_in_utc: "${o.start}"
        time_zone: ${o.sim.timeZone}
        lag_in_seconds: 0
${o.service ?? ''}`,
  );
}

const env = (sim: LastPassSimulator): Record<string, string> => ({ [HASH_ENV]: sim.provisioningHash });

/** An event's content, numbered among identical ones: "[...]#0", "[...]#1". */
function numberedContents(events: ReadonlyArray<Record<string, unknown>>): string[] {
  const seen = new Map<string, number>();
  return events.map((e) => {
    const content = JSON.stringify(withoutPullingId(e));
    const n = seen.get(content) ?? 0;
    seen.set(content, n + 1);
    return `${content}#${n}`;
  });
}

/** The file holds every event of the simulator, each exactly once, as served (field order too). */
function assertExact(lines: DeliveredLine[], sim: LastPassSimulator): void {
  const expected = numberedContents(sim.events() as unknown as Array<Record<string, unknown>>).sort();
  const delivered = numberedContents(lines.map((l) => l.event)).sort();
  assert.equal(delivered.length, expected.length, `delivered ${delivered.length} events, the vendor holds ${expected.length}`);
  assert.deepEqual(delivered, expected);
  for (const line of lines) {
    assert.equal(line.tag, 'app.lastpass.events');
    assert.equal(line.service, 'reporting');
  }
}

async function withSim(opts: LastPassSimulatorOptions, body: (sim: LastPassSimulator) => Promise<void>): Promise<void> {
  const sim = await startLastPassSimulator(opts);
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

/** Same-second identical pairs in the vendor's data (the test is only meaningful with some). */
function identicalCount(sim: LastPassSimulator): number {
  const contents = sim.events().map((e) => JSON.stringify(e));
  return contents.length - new Set(contents).size;
}

const utc = (iso: string): number => Date.parse(iso);

describe('lastpass end to end', () => {
  test('a year with both DST changes and a window of over 10,000 events: exact, complete, no duplicates', async () => {
    await withSim(
      {
        timeZone: 'America/New_York',
        identicalFraction: 0.03,
        history: [
          // Around the spring change (2024-03-10 07:00Z): 02:xx local does not exist.
          { from: utc('2024-03-10T04:00:00Z'), to: utc('2024-03-10T10:00:00Z'), count: 600 },
          // More than one page (10,000) inside one window.
          { from: utc('2024-06-01T10:00:00Z'), to: utc('2024-06-01T13:00:00Z'), count: 12_500 },
          // Around the autumn change (2024-11-03 06:00Z): 01:xx local happens twice.
          { from: utc('2024-11-03T03:00:00Z'), to: utc('2024-11-03T09:00:00Z'), count: 1_200 },
          { from: utc('2025-01-01T00:00:00Z'), to: Date.now() - 3_600_000, count: 300 },
        ],
      },
      async (sim) => {
        const repeated = sim.events().filter((e) => e.Time.startsWith('2024-11-03 01:'));
        assert.ok(repeated.length > 100, 'events in the repeated hour');
        assert.equal(sim.events().filter((e) => e.Time.startsWith('2024-03-10 02:')).length, 0, 'nothing in the skipped hour');
        assert.ok(identicalCount(sim) > 0, 'identical same-second events in the data');
        const dir = await tempDir();
        const config = await writeConfig(dir, configYaml({ sim, start: '2024-03-01 00:00:00', service: '        backfill_window_in_seconds: 2678400\n' }));
        const run = await runSiphon(['run', '--config', config, '--once'], env(sim), 240_000);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /Fetching all reporting event\(s\) having Time between 2024-02-29 19:00:00 and 2024-03-31 19:00:00 \(America\/New_York\)/);
        assert.match(run.stderr, /The data is up to date!/);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
        // The 12,500-event window needed `next`, sent back as received.
        assert.ok(sim.stats().lastRequests.some((r) => r.next !== undefined), 'a page was requested with next');
      },
    );
  });

  test('windows that start and end inside the repeated autumn hour lose and duplicate nothing', async () => {
    await withSim(
      {
        identicalFraction: 0.05,
        history: [{ from: utc('2024-11-03T04:00:00Z'), to: utc('2024-11-03T08:00:00Z'), count: 1_500 }],
        pageSize: 100,
      },
      async (sim) => {
        const dir = await tempDir();
        // 10-minute windows re-reading 5 minutes: edges at 01:10, 01:20... of both occurrences.
        const config = await writeConfig(
          dir,
          configYaml({ sim, start: '2024-11-03 04:00:00', service: '        backfill_window_in_seconds: 600\n        overlap_in_seconds: 300\n' }),
        );
        const { child, done } = startSiphon(['run', '--config', config, '--once'], env(sim));
        const file = join(dir, 'events.ndjson');
        const total = sim.events().length;
        await waitFor(async () => (await readDelivered(file)).length >= total, 240_000, 'every event');
        // Keep reading well past the last event (each window re-reads the previous 5 minutes), then stop.
        await waitFor(() => sim.stats().lastRequests.some((r) => (r.from ?? '') > '2024-11-03 05:00:00'), 180_000, 'windows past the change');
        child.kill('SIGTERM');
        const stopped = await done;
        // Stopped before reaching "now": a --once run that did not catch up exits 1.
        assert.equal(stopped.code, 1, stopped.stderr);
        assert.match(stopped.stderr, /Stopped before every service caught up \(--once\)/);
        assertExact(await readDelivered(file), sim);
      },
    );
  });

  test('identical events in one second are all delivered, and restarts and late events never duplicate them', async () => {
    await withSim({ identicalFraction: 0.4, pageSize: 25, initialEvents: 400, historyMs: 6 * 3_600_000 }, async (sim) => {
      assert.ok(identicalCount(sim) > 50);
      const dir = await tempDir();
      const start = new Date(Date.now() - 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      const config = await writeConfig(dir, configYaml({ sim, start, service: '        backfill_window_in_seconds: 3600\n' }));
      for (let round = 0; round < 3; round++) {
        if (round > 0) {
          sim.addEvents(20, { identical: true });
          sim.addEvents(10, { late: true });
        }
        const run = await runSiphon(['run', '--config', config, '--once'], env(sim));
        assert.equal(run.code, 0, run.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      }
      // The state holds what the Devo collector's persistence shows, and the dedup memory only covers the overlap.
      const show = await runSiphon(['state', 'show', '--config', config, '--json'], env(sim));
      assert.equal(show.code, 0, show.stderr);
      const state = JSON.parse(show.stdout.trim().split('\n')[0]!) as { cursor: Record<string, unknown>; dedup_keys: number };
      for (const field of ['start_time_in_utc', 'last_event_time_in_utc', 'read_until', 'pass', 'time_zone']) {
        assert.ok(field in state.cursor, `${field} in the saved position`);
      }
      assert.equal(state.cursor['start_time_in_utc'], start);
      assert.ok(state.dedup_keys > 0 && state.dedup_keys < sim.events().length / 2, 'the dedup memory is bounded to the overlap');
    });
  });

  test('next as a string, empty pages as [], null or absent, a vendor FAIL and a 503: all handled', async () => {
    await withSim({ pageSize: 30, initialEvents: 200, historyMs: 3 * 3_600_000 }, async (sim) => {
      sim.faults.nextAsString(true);
      sim.faults.emptyDataShape('array');
      sim.faults.failNext(1, 'Temporary database problem');
      sim.faults.serverErrorNext(1, 503);
      const dir = await tempDir();
      const start = new Date(Date.now() - 4 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      // Windows of 10 minutes: many are empty.
      const config = await writeConfig(dir, configYaml({ sim, start, service: '        backfill_window_in_seconds: 600\n' }));
      const first = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /Temporary database problem/);
      assert.ok(sim.stats().lastRequests.some((r) => typeof r.next === 'string'), 'next sent back as the string it was');
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      for (const shape of ['null', 'absent'] as const) {
        sim.faults.emptyDataShape(shape);
        sim.addEvents(5);
        const again = await runSiphon(['run', '--config', config, '--once'], env(sim));
        assert.equal(again.code, 0, again.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      }
    });
  });

  test('check validates like the integrator; bad credentials (plain-text answer) give exit 3 and the seed message', async () => {
    await withSim({ initialEvents: 50 }, async (sim) => {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml({ sim, start: '2024-01-01 00:00:00' }));
      const ok = await runSiphon(['check', '--config', config], env(sim));
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^PASS {2}input lastpass \(lastpass\): authenticated/m);
      assert.match(ok.stdout, /^PASS {2}service lastpass\/reporting: pullable/m);
      // cid as a string works the same.
      const asString = await writeConfig(dir, configYaml({ sim, start: '2024-01-01 00:00:00' }).replace(`company_id: ${sim.companyId}`, `company_id: "${sim.companyId}"`));
      assert.equal((await runSiphon(['check', '--config', asString], env(sim))).code, 0);
      assert.ok(sim.stats().lastRequests.some((r) => r.cidType === 'string'));

      const goodHash = sim.provisioningHash;
      sim.faults.authErrorAsText(true);
      sim.faults.revokeCredentials();
      const check = await runSiphon(['check', '--config', config], { [HASH_ENV]: goodHash });
      assert.equal(check.code, 3, check.stdout);
      assert.match(check.stdout, /FAIL {2}input lastpass \(lastpass\): \[SetupError 102\] Failed to fetch data from http:\/\/127\.0\.0\.1:\d+\/enterpriseapi\.php\. Source is not pullable\./);
      const before = sim.stats().requests;
      const run = await runSiphon(['run', '--config', config, '--once'], { [HASH_ENV]: goodHash });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /\[SetupError 102\] Failed to fetch data from .*Source is not pullable\..*Authorization Error/);
      assert.equal(sim.stats().requests - before, 1, 'rejected credentials are not retried');
      const everything = check.stdout + check.stderr + run.stdout + run.stderr + (await readAllFiles(dir));
      assert.ok(!everything.includes(goodHash), 'the provisioning hash appears in an output, log or state file');
    });
  });

  test('changing start_time_in_utc resets the persistence, as the seed describes', async () => {
    await withSim({ initialEvents: 120, historyMs: 2 * 3_600_000 }, async (sim) => {
      const dir = await tempDir();
      const start = (hoursAgo: number): string => new Date(Date.now() - hoursAgo * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      const config = await writeConfig(dir, configYaml({ sim, start: start(3) }));
      assert.equal((await runSiphon(['run', '--config', config, '--once'], env(sim))).code, 0);
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      await writeConfig(dir, configYaml({ sim, start: start(4) }));
      const rerun = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stderr, /persistence of this service has been reset/);
      // A deliberate re-ingestion: everything once more.
      assert.equal((await readDelivered(join(dir, 'events.ndjson'))).length, 2 * sim.events().length);
    });
  });
});
