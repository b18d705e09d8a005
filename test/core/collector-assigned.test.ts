// The collector under an assignment source (a cluster replica): an input's parts (its HTTP
// client, source and runners) are built only when the input is started here, and let go when
// it stops; a claim of many inputs is started a few at a time, and so are their setups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Checkpoint, Page, PullPosition, StateKey } from '../../src/core/contracts.js';
import { Collector, type CollectorInput } from '../../src/core/collector.js';
import type { UnitAssignment, UnitControl } from '../../src/core/assignment.js';
import { DeliveryQueue } from '../../src/core/delivery-queue.js';
import { SenderStatisticsReporter } from '../../src/core/sender-statistics.js';
import { StreamRunner } from '../../src/core/stream-runner.js';
import { systemClock } from '../../src/core/time.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { compileObfuscation } from '../../src/stages/obfuscate.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { inputEvents, streamEvents } from '../support/telemetry.js';
import { MemoryOutput, standardLane, TestEventPuller } from '../support/stream-runner.js';

/** Caught up at once, every time. */
class IdlePuller extends TestEventPuller {
  async fetchPage(position: PullPosition<number>): Promise<Page<number>> {
    return { events: [], cursor: position.cursor ?? 0, hasMore: false, requests: 1 };
  }
}

/** Counts the work done at once: how many are in flight now, and the most there ever were. */
class InFlight {
  now = 0;
  most = 0;
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.now += 1;
    this.most = Math.max(this.most, this.now);
    try {
      return await work();
    } finally {
      this.now -= 1;
    }
  }
}

/** A store whose reads take a few milliseconds, as a database's do; counts the reads at once. */
class SlowStore extends MemoryStateStore {
  readonly reads = new InFlight();
  override get(key: StateKey): Promise<Checkpoint | undefined> {
    return this.reads.during(async () => {
      await sleep(5);
      return super.get(key);
    });
  }
}

interface Built {
  builds: number;
  releases: number;
}

function harness(count: number): { inputs: CollectorInput[]; built: Map<string, Built>; setups: InFlight; store: SlowStore; collector: (assignment: UnitAssignment) => Collector } {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const output = new MemoryOutput('list');
  const queue = new DeliveryQueue([standardLane(output, logger, () => undefined)], { maxMessages: 100, maxBytes: 1 << 20 }, logger, systemClock);
  const store = new SlowStore();
  const built = new Map<string, Built>();
  const setups = new InFlight();
  const inputs = Array.from({ length: count }, (_, i): CollectorInput => {
    const name = `acct_${i}`;
    const counts: Built = { builds: 0, releases: 0 };
    built.set(name, counts);
    let parts: ReturnType<CollectorInput['parts']> | undefined;
    const build = (): ReturnType<CollectorInput['parts']> => {
      counts.builds += 1;
      const runners = ['audit', 'signin'].map(
        (service) =>
          new StreamRunner({
            key: { input: name, service },
            puller: new IdlePuller(),
            settings: { enabled: true, request_period_in_seconds: 60, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
            startSetting: null,
            startMs: null,
            store,
            delivery: queue,
            obfuscator: compileObfuscation([], undefined),
            logger,
            clock: systemClock,
            events: streamEvents(logger),
          }),
      );
      return { source: { streams: [], setup: () => setups.during(() => sleep(5)) }, runners };
    };
    return {
      name,
      streams: [`${name}/audit`, `${name}/signin`],
      parts: () => (parts ??= build()),
      release: async () => {
        if (parts) counts.releases += 1;
        parts = undefined;
      },
      logger,
      events: inputEvents(logger),
    };
  });
  const collector = (assignment: UnitAssignment): Collector =>
    new Collector({
      inputs,
      outputs: [output],
      store,
      logger,
      clock: systemClock,
      queue,
      internal: undefined,
      statistics: new SenderStatisticsReporter([], logger, systemClock),
      statisticsIntervalMs: 0,
      shutdownTimeoutMs: 1000,
      assignment,
    });
  return { inputs, built, setups, store, collector };
}

/** Runs `scenario` as the assignment source, then stops the collector and every unit still running. */
async function runWith(collector: (assignment: UnitAssignment) => Collector, scenario: (control: UnitControl) => Promise<void>): Promise<void> {
  const stop = new AbortController();
  let failure: unknown;
  const assignment: UnitAssignment = {
    run: async (control, signal) => {
      try {
        await scenario(control);
      } catch (err) {
        failure = err;
      }
      stop.abort();
      await Promise.all(control.running().map((unit) => control.stop(unit)));
      assert.ok(signal.aborted);
    },
  };
  const c = collector(assignment);
  await c.openOutputs();
  await c.run(stop.signal, false);
  if (failure) throw failure;
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2000) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('only the inputs started here are built; a stopped input is let go and built anew when started again', async () => {
  const { built, setups, collector } = harness(20);
  const started = ['acct_3', 'acct_7', 'acct_11'];
  await runWith(collector, async (control) => {
    await Promise.all(started.map((unit) => control.start(unit)));
    await waitFor('the setups of the started inputs', () => setups.most > 0 && setups.now === 0);
    for (const [name, counts] of built) assert.equal(counts.builds, started.includes(name) ? 1 : 0, `${name} built`);
    await control.stop('acct_7');
    assert.deepEqual(built.get('acct_7'), { builds: 1, releases: 1 });
    assert.deepEqual([...control.running()].sort(), ['acct_11', 'acct_3']);
    await control.start('acct_7');
    assert.deepEqual(built.get('acct_7'), { builds: 2, releases: 1 });
  });
  // Shutdown stops every running input and lets its parts go.
  for (const name of started) assert.equal(built.get(name)?.builds, built.get(name)?.releases, `${name} released at the end`);
});

test('a claim of many inputs is built and loaded eight at a time, and set up eight at a time', async () => {
  const { built, setups, store, collector } = harness(40);
  await runWith(collector, async (control) => {
    await Promise.all(control.units.map((unit) => control.start(unit)));
    await waitFor('every setup', () => setups.now === 0 && [...built.values()].every((b) => b.builds === 1));
    assert.equal(control.running().length, 40);
  });
  assert.equal(store.reads.most, 8, 'state reads at once');
  assert.equal(setups.most, 8, 'setups at once');
});
