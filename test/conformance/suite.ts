// The checks every connector passes, through the real CLI against its simulator:
// exact and complete delivery, resume after a restart, kill -9 in the middle of a pull,
// SIGTERM, a rate-limit storm waited out within the budget, rejected credentials (exit 3),
// and the credential never written anywhere. Every vendor of the plug-in list runs it with
// its simulator kit's conformance setup (see conformance.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  fileCollectorYaml,
  readAllFiles,
  readDelivered,
  runSiphon,
  startSiphon,
  tempDir,
  waitFor,
  writeConfig,
  type CliResult,
  type DeliveredLine,
} from '../e2e/harness.js';
import type { ConformanceSetup, SimulatedVendor } from '../../src/core/plugin.js';

/** A vendor as the suite sees it: its name and its kit's conformance setup. */
export interface ConformanceTarget extends ConformanceSetup {
  readonly name: string;
}

function configYaml(sim: SimulatedVendor, target: ConformanceTarget, options: { rateLimitPerMinute?: number } = {}): string {
  const block = sim.inputYaml({
    name: target.name,
    id: 10001,
    startMs: Date.now() - target.historyMs - 3_600_000,
    pageSize: target.pageSize,
    lagSeconds: 0,
    fastRetries: true,
    ...(options.rateLimitPerMinute === undefined ? {} : { rateLimit: options.rateLimitPerMinute }),
  });
  return fileCollectorYaml('conformance', block);
}

/** Content keys numbered by appearance: the second identical event is "key#1". */
function numbered(keys: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return keys.map((key) => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return `${key}#${n}`;
  });
}

/** Every service holds exactly the vendor's events, once each (in order, unless content-keyed). */
function assertExact(lines: DeliveredLine[], sim: SimulatedVendor, target: ConformanceTarget): void {
  const expected = sim.expectedKeys();
  const services = new Set(lines.map((l) => l.service));
  for (const service of services) assert.ok(expected.has(service), `unexpected service ${service}`);
  for (const [service, keys] of expected) {
    const delivered = lines.filter((l) => l.service === service).map((l) => sim.keyOf(service, l.event));
    if (target.order !== 'exact') {
      // An event delivered twice shows up as one #n too many.
      assert.deepEqual(numbered(delivered).sort(), numbered(keys).sort(), `${service}: delivered events differ from the vendor's`);
      continue;
    }
    assert.equal(new Set(delivered).size, delivered.length, `${service}: duplicates delivered`);
    assert.deepEqual(delivered, keys, `${service}: delivered events differ from the vendor's`);
  }
}

async function assertNoSecret(sim: SimulatedVendor, dir: string, ...outputs: string[]): Promise<void> {
  const everything = outputs.join('\n') + (await readAllFiles(dir));
  for (const secret of sim.secrets) assert.ok(!everything.includes(secret), 'a credential appears in an output, a log or a state file');
}

const total = (sim: SimulatedVendor): number => [...sim.expectedKeys().values()].reduce((n, keys) => n + keys.length, 0);

/**
 * Starts `siphon run` against a slowed simulator, sends `signal` once 1/`fraction` of the
 * events is delivered, then runs again with --once and checks the delivery is exact.
 * Returns how the interrupted run ended.
 */
async function interruptThenResume(target: ConformanceTarget, runArgs: string[], signal: NodeJS.Signals, fraction: number): Promise<CliResult> {
  const sim = await target.start();
  try {
    sim.slowResponses(100);
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim, target));
    const { child, done } = startSiphon(['run', '--config', config, ...runArgs], sim.env);
    const some = Math.floor(total(sim) / fraction);
    await waitFor(async () => (await readDelivered(join(dir, 'events.ndjson'))).length >= some, 180_000, 'a part of the events');
    child.kill(signal);
    const interrupted = await done;
    assert.ok((await readDelivered(join(dir, 'events.ndjson'))).length < total(sim), 'the signal came too late to test anything');
    sim.slowResponses(0);
    const restart = await runSiphon(['run', '--config', config, '--once'], sim.env);
    assert.equal(restart.code, 0, restart.stderr);
    assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, target);
    return interrupted;
  } finally {
    await sim.close();
  }
}

export function conformanceSuite(target: ConformanceTarget): void {

  describe(`conformance: ${target.name}`, () => {
    test('complete, exact, duplicate-free delivery; a restart resumes; no credential leaks', async () => {
      const sim = await target.start();
      try {
        const dir = await tempDir();
        const config = await writeConfig(dir, configYaml(sim, target));
        const first = await runSiphon(['run', '--config', config, '--once'], sim.env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, /The data is up to date!/);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, target);
        sim.addEvents();
        const second = await runSiphon(['run', '--config', config, '--once'], sim.env);
        assert.equal(second.code, 0, second.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, target);
        await assertNoSecret(sim, dir, first.stdout, first.stderr, second.stdout, second.stderr);
      } finally {
        await sim.close();
      }
    });

    test('kill -9 in the middle of a pull, then a restart: nothing lost, nothing duplicated', async () => {
      const killed = await interruptThenResume(target, ['--once'], 'SIGKILL', 3);
      assert.equal(killed.signal, 'SIGKILL');
    });

    test('SIGTERM stops gracefully; the next run completes exactly', async () => {
      const stopped = await interruptThenResume(target, [], 'SIGTERM', 4);
      assert.equal(stopped.code, 0, stopped.stderr);
    });

    test('a rate-limit storm is waited out without exceeding the configured budget', async () => {
      const sim = await target.start();
      try {
        const budget = 20;
        sim.rateLimitNext(5);
        const started = Date.now();
        const dir = await tempDir();
        const config = await writeConfig(dir, configYaml(sim, target, { rateLimitPerMinute: budget }));
        const result = await runSiphon(['run', '--config', config, '--once'], sim.env, 240_000);
        assert.equal(result.code, 0, result.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, target);
        const times = sim.requestTimes().filter((t) => t >= started);
        assert.ok(times.length > budget, `the run needed ${times.length} requests: not enough to test the budget`);
        for (const from of times) {
          const inWindow = times.filter((t) => t >= from && t < from + 60_000).length;
          assert.ok(inWindow <= budget, `${inWindow} requests within 60 s, budget ${budget}`);
        }
      } finally {
        await sim.close();
      }
    });

    test('rejected credentials: exit 3 for run and check, a clear message, no credential printed', async () => {
      const sim = await target.start();
      try {
        sim.revokeCredentials();
        const dir = await tempDir();
        const config = await writeConfig(dir, configYaml(sim, target));
        const run = await runSiphon(['run', '--config', config, '--once'], sim.env);
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stderr, target.revokedMessage);
        const check = await runSiphon(['check', '--config', config], sim.env);
        assert.equal(check.code, 3, check.stdout);
        assert.match(check.stdout, /^FAIL {2}input /m);
        await assertNoSecret(sim, dir, run.stdout, run.stderr, check.stdout, check.stderr);
      } finally {
        await sim.close();
      }
    });
  });
}
