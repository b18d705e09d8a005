// The checks every connector passes, through the real CLI against its simulator:
// exact and complete delivery, resume after a restart, kill -9 in the middle of a pull,
// SIGTERM, a rate-limit storm waited out within the budget, rejected credentials (exit 3),
// and the credential never written anywhere. A connector joins by providing a
// ConformanceTarget (see onepassword.test.ts).
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

/** A running simulator, seen through what the suite needs of it. */
export interface ConformanceSimulator {
  /** The `inputs:` block for this connector, pointing at the simulator; secrets as ${env:...}. */
  inputYaml(options: { pageSize: number; rateLimitPerMinute?: number }): string;
  /** Environment the configuration's ${env:...} references need. */
  readonly env: Record<string, string>;
  /** Credential values that must never appear in any output, log or state file. */
  readonly secrets: string[];
  /** Per service, the dedup keys of every event the vendor holds, in delivery order. */
  expectedKeys(): Map<string, string[]>;
  /** The dedup key of a delivered event. */
  keyOf(service: string, event: Record<string, unknown>): string;
  /** New events arrive at the vendor (some late, if the vendor has late events). */
  addEvents(): void;
  /** Every response is delayed by `ms` (0: off). */
  slowResponses(ms: number): void;
  /** The next `n` API requests are refused as over the rate limit, saying to retry after 1 s. */
  rateLimitNext(n: number): void;
  /** Times at which the vendor received API requests (ms since epoch). */
  requestTimes(): number[];
  /** The configured credentials stop working. */
  revokeCredentials(): void;
  /** Back to no faults. */
  resetFaults(): void;
  close(): Promise<void>;
}

export interface ConformanceTarget {
  /** The connector type, for test names. */
  name: string;
  /** Starts a simulator holding enough events for several pages of `pageSize` per service. */
  start(): Promise<ConformanceSimulator>;
  /** A page size small enough to make many pages of the simulator's events. */
  pageSize: number;
  /** stderr of a run with revoked credentials matches this. */
  revokedMessage: RegExp;
  /**
   * The vendor has no event ids and may hold identical events (LastPass): keys are content
   * keys, numbered in order of appearance (#0, #1...), and compared as sets, since the
   * delivery order within a time window is the vendor's (newest first), not the suite's.
   */
  contentKeyed?: boolean;
  /** The vendor serves each time window newest first (Lark): compared as sets, not in order. */
  unordered?: boolean;
}

function configYaml(sim: ConformanceSimulator, options: { pageSize: number; rateLimitPerMinute?: number }): string {
  return fileCollectorYaml('conformance', sim.inputYaml(options));
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
function assertExact(lines: DeliveredLine[], sim: ConformanceSimulator, target: ConformanceTarget): void {
  const expected = sim.expectedKeys();
  const services = new Set(lines.map((l) => l.service));
  for (const service of services) assert.ok(expected.has(service), `unexpected service ${service}`);
  for (const [service, keys] of expected) {
    const delivered = lines.filter((l) => l.service === service).map((l) => sim.keyOf(service, l.event));
    if (target.contentKeyed || target.unordered) {
      // An event delivered twice shows up as one #n too many.
      assert.deepEqual(numbered(delivered).sort(), numbered(keys).sort(), `${service}: delivered events differ from the vendor's`);
      continue;
    }
    assert.equal(new Set(delivered).size, delivered.length, `${service}: duplicates delivered`);
    assert.deepEqual(delivered, keys, `${service}: delivered events differ from the vendor's`);
  }
}

async function assertNoSecret(sim: ConformanceSimulator, dir: string, ...outputs: string[]): Promise<void> {
  const everything = outputs.join('\n') + (await readAllFiles(dir));
  for (const secret of sim.secrets) assert.ok(!everything.includes(secret), 'a credential appears in an output, a log or a state file');
}

const total = (sim: ConformanceSimulator): number => [...sim.expectedKeys().values()].reduce((n, keys) => n + keys.length, 0);

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
    const config = await writeConfig(dir, configYaml(sim, { pageSize: target.pageSize }));
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
        const config = await writeConfig(dir, configYaml(sim, { pageSize: target.pageSize }));
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
        const config = await writeConfig(dir, configYaml(sim, { pageSize: target.pageSize, rateLimitPerMinute: budget }));
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
        const config = await writeConfig(dir, configYaml(sim, { pageSize: target.pageSize }));
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
