// The Lark connector end to end, through the CLI, against the simulator: more than 30 days
// of history, tokens that expire or are revoked mid-pull, the rate-limit signal, permissions,
// the retention limit and the Devo collector's error numbers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLarkSimulator, type LarkSimulator, type LarkSimulatorOptions } from '../../src/simulators/lark/index.js';
import { fileCollectorYaml, readAllFiles, readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig, type DeliveredLine } from './harness.js';

const DAY_MS = 86_400_000;
const SECRET_ENV = 'LARK_APP_SECRET';

function configYaml(sim: LarkSimulator, start: string, service = '', input = ''): string {
  return fileCollectorYaml(
    'e2e',
    `  lark:
    id: 964383
    override_api_base_url: ${sim.url}
    credentials:
      app_id: ${sim.appId}
      app_secret: \${env:${SECRET_ENV}}
    http: {max_retries: 4, backoff_base_seconds: 0.05, backoff_max_seconds: 0.5}
${input}    services:
      audit_infos:
        initial_start_time_in_utc_value: "${start}"
        lag_in_seconds: 0
${service}`,
  );
}

const env = (sim: LarkSimulator): Record<string, string> => ({ [SECRET_ENV]: sim.appSecret });
const isoAgo = (ms: number): string => `${new Date(Date.now() - ms).toISOString().slice(0, 19)}Z`;

/** Every record of the simulator exactly once (by unique_id), delivered as served. */
function assertExact(lines: DeliveredLine[], sim: LarkSimulator): void {
  const expected = sim.events().map((e) => String(e['unique_id'])).sort();
  const delivered = lines.map((l) => String(l.event['unique_id'])).sort();
  assert.equal(delivered.length, expected.length, `delivered ${delivered.length} records, the vendor holds ${expected.length}`);
  assert.deepEqual(delivered, expected);
  for (const line of lines) assert.equal(line.tag, 'app.lark.audit.event');
}

async function withSim(opts: LarkSimulatorOptions, body: (sim: LarkSimulator) => Promise<void>): Promise<void> {
  const sim = await startLarkSimulator(opts);
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('lark end to end', () => {
  test('more than 30 days of history: windows of at most 30 days, exact, no duplicates, late records caught', async () => {
    const now = Date.now();
    await withSim({ history: [{ from: now - 75 * DAY_MS, to: now - 60_000, count: 2_500 }] }, async (sim) => {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml(sim, isoAgo(76 * DAY_MS)));
      const first = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /Successfully generated auth token for Lark API/);
      assert.match(first.stderr, /Remote source is pullable/);
      assert.match(first.stderr, /Retrieved 200 audit_infos event\(s\)/);
      assert.equal((first.stderr.match(/Fetching audit_infos event\(s\)/g) ?? []).length, 3, 'three windows for 76 days');
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      // Every window the API saw spans at most 30 days (it refuses more).
      for (const r of sim.stats().lastRequests) {
        if (r.path.endsWith('/audit_infos') && r.query['latest'] && r.query['oldest']) {
          assert.ok(Number(r.query['latest']) - Number(r.query['oldest']) <= 30 * 86_400);
        }
      }
      sim.addEvents(40);
      sim.addEvents(15, { late: true });
      const second = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(second.code, 0, second.stderr);
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
    });
  });

  test('a token that expires and one that is revoked mid-pull are both recovered from without loss', async () => {
    const now = Date.now();
    // Tokens live 2 s: the pull outlives several, so renewal is exercised on its own.
    await withSim({ history: [{ from: now - 2 * DAY_MS, to: now - 60_000, count: 1_200 }], tokenLifetimeSeconds: 2, renewWithinSeconds: 1 }, async (sim) => {
      sim.faults.slowResponses(80);
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml(sim, isoAgo(3 * DAY_MS), '        page_size: 40\n'));
      const file = join(dir, 'events.ndjson');
      const { child, done } = startSiphon(['run', '--config', config, '--once'], env(sim));
      await waitFor(async () => (await readDelivered(file)).length >= 300, 180_000, 'a part of the records');
      sim.faults.expireTokensNow();
      await waitFor(async () => (await readDelivered(file)).length >= 700, 180_000, 'more records');
      sim.faults.expireTokensNow();
      const result = await done;
      child.kill();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /The tenant_access_token was refused \(code 99991663/);
      assert.ok(sim.stats().tokensIssued >= 3, `${sim.stats().tokensIssued} tokens issued`);
      assertExact(await readDelivered(file), sim);
      assert.ok(!(result.stderr + (await readAllFiles(dir))).includes(sim.appSecret), 'the app secret leaked');
    });
  });

  test('the rate-limit signal (code 99991400 on HTTP 400 or 429, x-ogw-ratelimit-reset) is waited out within 100/min', async () => {
    const now = Date.now();
    await withSim({ history: [{ from: now - DAY_MS, to: now - 60_000, count: 400 }] }, async (sim) => {
      sim.faults.rateLimitNext(3, { status: 400, resetSeconds: 1 });
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml(sim, isoAgo(2 * DAY_MS), '        page_size: 20\n'));
      const started = Date.now();
      const run = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(run.code, 0, run.stderr);
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      assert.ok(Date.now() - started >= 1_000, 'the reset was waited out');
      const times = sim.stats().requestTimes;
      for (const from of times) assert.ok(times.filter((t) => t >= from && t < from + 60_000).length <= 100, 'more than 100 requests in a minute');
    });
  });

  test('setup errors follow the Devo collector table: a missing permission, a wrong secret', async () => {
    await withSim({ initialEvents: 20 }, async (sim) => {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml(sim, isoAgo(DAY_MS)));
      sim.faults.revokeScope(true);
      const denied = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(denied.code, 3, denied.stderr);
      assert.match(denied.stderr, /\[SetupError 103\] HTTP error occurred while fetching audit infos from Lark server \(HTTP 400, code 99991672.*lacks the permission admin:audit_info:readonly/);
      sim.faults.revokeScope(false);
      const check = await runSiphon(['check', '--config', config], { [SECRET_ENV]: 'not-the-secret' });
      assert.equal(check.code, 3, check.stdout);
      assert.match(check.stdout, /FAIL {2}input lark \(lark\): \[SetupError 100\] HTTP error occurred while generating auth token from Lark server/);
      const ok = await runSiphon(['check', '--config', config], env(sim));
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    });
  });

  test('a start beyond the 180-day retention is clamped with a warning; changing it resets the persistence', async () => {
    const now = Date.now();
    await withSim({ history: [{ from: now - 170 * DAY_MS, to: now - 60_000, count: 300 }] }, async (sim) => {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml(sim, isoAgo(200 * DAY_MS)));
      const first = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /Lark keeps audit records for 180 days: reading from .* instead of/);
      assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
      await writeConfig(dir, configYaml(sim, isoAgo(190 * DAY_MS)));
      const again = await runSiphon(['run', '--config', config, '--once'], env(sim));
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /persistence of this service has been reset/);
      assert.equal((await readDelivered(join(dir, 'events.ndjson'))).length, 2 * sim.events().length);
    });
  });
});
