// The pipeline's invariants, with a scripted puller and real outputs/stores in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Output, OutputRecord, Page, PullPosition, StreamPuller, VendorEvent } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { DeliveryQueue } from '../../src/core/delivery-queue.js';
import { OutputLane } from '../../src/core/output-lane.js';
import { StreamRunner } from '../../src/core/stream-runner.js';
import { emptyCheckpoint } from '../../src/core/checkpoint.js';
import { outputEvents, streamEvents } from '../support/telemetry.js';
import { eventOf } from '../support/records.js';
import { instantClock, MemoryOutput, standardLane, TestEventPuller, testRunner } from '../support/stream-runner.js';
import { systemClock } from '../../src/core/time.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { compileObfuscation } from '../../src/stages/obfuscate.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { JournaledOutput } from '../../src/app/journaled-output.js';
import { FileDeliveryJournal } from '../../src/state/delivery-journal.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Step = { events: VendorEvent[]; cursor: number; hasMore: boolean } | Error;

/** Serves scripted pages keyed by cursor: cursor n -> script[n]. */
class ScriptedPuller extends TestEventPuller {
  readonly seen: Array<number | null> = [];
  constructor(private readonly script: Map<number | null, Step>) {
    super();
  }
  async fetchPage(position: PullPosition<number>): Promise<Page<number>> {
    this.seen.push(position.cursor);
    const step = this.script.get(position.cursor);
    if (!step) return { events: [], cursor: position.cursor ?? 0, hasMore: false, requests: 1 };
    if (step instanceof Error) throw step;
    return { events: step.events.map((e) => ({ ...e })), cursor: step.cursor, hasMore: step.hasMore, requests: 1 };
  }
}

/** An output in memory that can be down, be slow, and say what it holds (crash recovery asks). */
class ListOutput extends MemoryOutput {
  failNext = 0;
  /** How often crash recovery asked what the output holds. */
  lookups = 0;
  /** A slow output: each write takes this long. */
  writeDelayMs = 0;
  override async write(records: readonly OutputRecord[]): Promise<void> {
    if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new SiphonError('OUTPUT_WRITE_FAILED', `${this.name} is down`);
    }
    await super.write(records);
  }
  async findDelivered(records: readonly OutputRecord[], keyOf: (e: VendorEvent) => string | undefined): Promise<Set<number>> {
    this.lookups += 1;
    const have = new Set(this.records.map((r) => keyOf(eventOf(r))));
    return new Set(records.flatMap((r, i) => (have.has(keyOf(eventOf(r))) ? [i] : [])));
  }
}

const ev = (id: string, t: number, extra: Record<string, unknown> = {}): VendorEvent => ({ id, t, ...extra });

/** The real delivery queue over these outputs; an output failing 5 times in a row fails the queue (as --once does). */
function queueOf(outputs: Output[], logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() })): DeliveryQueue {
  const lanes = outputs.map((o) => standardLane(o, logger, (e) => queue.abort(e)));
  const queue = new DeliveryQueue(lanes, { maxMessages: 10_000, maxBytes: 1 << 30 }, logger, instantClock);
  return queue;
}

function makeRunner(puller: StreamPuller, outputs: Output[], store: MemoryStateStore, obfuscation = compileObfuscation([], undefined)) {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'debug', redactor: new Redactor(), sink });
  const runner = testRunner({ key: { input: 'in', service: 'svc' }, puller, store, delivery: queueOf(outputs), obfuscator: obfuscation, logger });
  return { runner, sink };
}

test('pages are delivered, then committed; duplicates inside and across pages are dropped', async () => {
  const puller = new ScriptedPuller(
    new Map<number | null, Step>([
      [null, { events: [ev('a', 1), ev('b', 2), ev('b', 2)], cursor: 1, hasMore: true }],
      [1, { events: [ev('b', 2), ev('c', 3)], cursor: 2, hasMore: false }],
    ]),
  );
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const { runner } = makeRunner(puller, [out], store);
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c']);
  assert.equal(stats.duplicates, 2);
  assert.equal(stats.sent, 3);
  const saved = await store.get({ input: 'in', service: 'svc' });
  assert.equal(saved?.cursor, 2);
  assert.deepEqual(saved?.dedup.map(([k]) => k), ['a', 'b', 'c']);
  assert.equal(saved?.events_delivered, 3);
  assert.equal(out.records[0]?.tag, 'test.tag');
  assert.equal(Object.keys(eventOf(out.records[0]!)).at(-1), '@devo_pulling_id');
});

test('an error from the vendor never moves the checkpoint', async () => {
  const puller = new ScriptedPuller(
    new Map<number | null, Step>([
      [null, { events: [ev('a', 1)], cursor: 1, hasMore: true }],
      [1, new SiphonError('PULL_HTTP_ERROR', 'boom')],
    ]),
  );
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const { runner } = makeRunner(puller, [out], store);
  await runner.loadState();
  await assert.rejects(runner.runCycle(new AbortController().signal), /boom/);
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.cursor, 1, 'the cursor of the delivered page only');
});

test('an output that stays down: nothing is committed; every output must acknowledge', async () => {
  const puller = new ScriptedPuller(new Map<number | null, Step>([[null, { events: [ev('a', 1)], cursor: 1, hasMore: false }]]));
  const good = new ListOutput('good');
  const bad = new ListOutput('bad');
  bad.failNext = 100;
  const store = new MemoryStateStore();
  const { runner } = makeRunner(puller, [good, bad], store);
  await runner.loadState();
  await assert.rejects(runner.runCycle(new AbortController().signal), /bad is down/);
  const saved = await store.get({ input: 'in', service: 'svc' });
  assert.equal(saved?.cursor, null);
  assert.equal(saved?.events_delivered, 0);
});

test('an output that recovers within the retries: delivered once to it, committed after', async () => {
  const puller = new ScriptedPuller(new Map<number | null, Step>([[null, { events: [ev('a', 1)], cursor: 1, hasMore: false }]]));
  const flaky = new ListOutput('flaky');
  flaky.failNext = 2;
  const store = new MemoryStateStore();
  const { runner } = makeRunner(puller, [flaky], store);
  await runner.loadState();
  await runner.runCycle(new AbortController().signal);
  assert.equal(flaky.records.length, 1);
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.cursor, 1);
});

test('after a crash between delivery and commit, the replayed page is not delivered twice', async () => {
  const script = new Map<number | null, Step>([
    [null, { events: [ev('a', 1), ev('b', 2)], cursor: 1, hasMore: true }],
    [1, { events: [ev('c', 3), ev('d', 4)], cursor: 2, hasMore: false }],
  ]);
  const out = new ListOutput('o');
  // The previous process delivered page 1 (a, b) and died before committing it.
  out.records.push(
    { tag: 't', input: 'in', service: 'svc', event: ev('a', 1) },
    { tag: 't', input: 'in', service: 'svc', event: ev('b', 2) },
  );
  // Its state was saved before the first page (as loadState does), with no cursor yet.
  const store = new MemoryStateStore();
  await store.put({ input: 'in', service: 'svc' }, emptyCheckpoint(null, new Date().toISOString()), undefined);
  const { runner, sink } = makeRunner(new ScriptedPuller(script), [out], store);
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c', 'd']);
  assert.equal(stats.duplicates, 2);
  assert.ok(sink.lines.some((l) => l.includes('had reached an output before the last stop')));
});

test('obfuscation runs before any output sees the event and is counted', async () => {
  const puller = new ScriptedPuller(
    new Map<number | null, Step>([[null, { events: [ev('a', 1, { user: { email: 'x@example.com' } })], cursor: 1, hasMore: false }]]),
  );
  const out = new ListOutput('o');
  const { runner } = makeRunner(puller, [out], new MemoryStateStore(), compileObfuscation([{ path: 'user.email', method: 'hash' }], 'k3y-k3y-k3y'));
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  const email = (eventOf(out.records[0]!)['user'] as Record<string, unknown>)['email'];
  assert.match(String(email), /^hmac-sha256:[0-9a-f]{64}$/);
  assert.equal(stats.obfuscatedFields, 1);
  assert.match(stats.describe(Date.now()), /Number of obfuscated fields: 1\./);
});

test('a changed start-time setting resets the saved state', async () => {
  const store = new MemoryStateStore();
  const puller = new ScriptedPuller(new Map<number | null, Step>([[null, { events: [ev('a', 1)], cursor: 1, hasMore: false }]]));
  const first = makeRunner(puller, [new ListOutput('o')], store).runner;
  await first.loadState();
  await first.runCycle(new AbortController().signal);
  const sink = new MemorySink();
  const second = new StreamRunner({
    key: { input: 'in', service: 'svc' },
    puller,
    settings: { enabled: true, request_period_in_seconds: 1, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
    startSetting: '2024-01-01T00:00:00Z',
    startMs: null,
    store,
    delivery: queueOf([new ListOutput('o')]),
    obfuscator: undefined,
    logger: createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink }),
    clock: systemClock,
    events: streamEvents(createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink })),
  });
  await second.loadState();
  const saved = await store.get({ input: 'in', service: 'svc' });
  assert.equal(saved?.cursor, null);
  assert.equal(saved?.start_setting, '2024-01-01T00:00:00Z');
  assert.ok(sink.lines.some((l) => l.includes('start-time setting changed')));
});

test('a checkpoint write that fails stops the cycle; the next cycle starts from what was saved, without duplicates', async () => {
  class FlakyStore extends MemoryStateStore {
    failPut = 0;
    override async put(...args: Parameters<MemoryStateStore['put']>) {
      if (this.failPut > 0 && --this.failPut === 0) throw new SiphonError('PERSISTENCE_WRITE_FAILED', 'disk full');
      return super.put(...args);
    }
  }
  const script = new Map<number | null, Step>([
    [null, { events: [ev('a', 1)], cursor: 1, hasMore: true }],
    [1, { events: [ev('b', 2)], cursor: 2, hasMore: true }],
    [2, { events: [ev('c', 3)], cursor: 3, hasMore: false }],
  ]);
  const store = new FlakyStore();
  const out = new ListOutput('o');
  const { runner } = makeRunner(new ScriptedPuller(script), [out], store);
  await runner.loadState();
  store.failPut = 2; // the checkpoint of page 1 is written, the one of page 2 fails
  // --once does not retry a persistence failure: it reports it.
  await assert.rejects(runner.run(new AbortController().signal, true), /disk full/);
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.cursor, 1, 'only what was written');
  // Checkpoints are written while the next page is delivered: page 3 went out while the
  // checkpoint of page 2 was failing (never more than one page ahead).
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c']);

  // The next start: pages 2 and 3 come again, are found in the output, and are not sent twice.
  const restarted = makeRunner(new ScriptedPuller(script), [out], store).runner;
  await restarted.loadState();
  await restarted.run(new AbortController().signal, true);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c']);
  const saved = await store.get({ input: 'in', service: 'svc' });
  assert.equal(saved?.cursor, 3);
  assert.deepEqual(saved?.dedup.map(([k]) => k), ['a', 'b', 'c']);
});

test('a vendor error while a checkpoint is still being written: the next cycle resumes from it', async () => {
  class SlowStore extends MemoryStateStore {
    override async put(...args: Parameters<MemoryStateStore['put']>) {
      await new Promise((r) => setTimeout(r, 30));
      return super.put(...args);
    }
  }
  let failures = 1;
  const script = new Map<number | null, Step>([
    [null, { events: [ev('a', 1)], cursor: 1, hasMore: true }],
    [2, { events: [ev('c', 3)], cursor: 3, hasMore: false }],
  ]);
  const puller = new ScriptedPuller(script);
  // Page 2 fails once, quickly, while the checkpoint of page 1 is still being written.
  const fetchPage = puller.fetchPage.bind(puller);
  puller.fetchPage = async (position) => {
    if (position.cursor === 1) {
      if (failures-- > 0) throw new SiphonError('PULL_HTTP_ERROR', 'HTTP 503');
      return { events: [ev('b', 2)], cursor: 2, hasMore: true, requests: 1 };
    }
    return fetchPage(position);
  };
  const store = new SlowStore();
  const out = new ListOutput('o');
  const { runner } = makeRunner(puller, [out], store);
  await runner.loadState();
  await runner.run(new AbortController().signal, true);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c']);
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.cursor, 3);
});

test('page-supplied keys and retain ranges: records carry the keys; the memory keeps only the ranges', async () => {
  // A content-keyed vendor (LastPass-like): two identical events are distinct occurrences.
  const twin = { who: 'x', t: 5_000 };
  const puller: StreamPuller<number> = {
    name: 'svc',
    tag: 'test.tag',
    async fetchPage(position) {
      if (position.cursor === null) {
        return { events: [{ ...twin }, { ...twin }, { who: 'y', t: 1_000 }], keys: ['x.0', 'x.1', 'y.0'], cursor: 1, hasMore: true, requests: 1, dedupRetain: [[4_000, 6_000]] };
      }
      // The next page re-reads the first twin: its key is remembered, so it is dropped.
      return { events: [{ ...twin }, { who: 'z', t: 9_000 }], keys: ['x.0', 'z.0'], cursor: 2, hasMore: false, requests: 1, dedupRetain: [[8_000, 9_000]] };
    },
    eventKey: () => 'never-used',
    eventTime: (e) => (typeof e['t'] === 'number' ? e['t'] : undefined),
    async probe() {},
  };
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const { runner } = makeRunner(puller, [out], store);
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(out.records.map((r) => r.key), ['x.0', 'x.1', 'y.0', 'z.0']);
  assert.equal(stats.duplicates, 1);
  // The window rule (3600 s) would keep everything; the ranges keep only z.
  assert.deepEqual((await store.get({ input: 'in', service: 'svc' }))?.dedup, [['z.0', 9_000]]);
});

test('a service that starts afresh is re-ingested whole, even what a journaled output had noted before the reset', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-runner-journal-'));
  try {
    const store = new MemoryStateStore();
    /** An output that cannot read back (like Devo), with its delivery journal, opened afresh as a restart would. */
    const journaled = async (): Promise<{ output: JournaledOutput; got: string[] }> => {
      const got: string[] = [];
      const blind: Output = {
        name: 'devo_1',
        type: 'devo_platform',
        open: () => Promise.resolve(),
        write: (records) => {
          got.push(...records.map((r) => String(eventOf(r)['id'])));
          return Promise.resolve();
        },
        check: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
      const journal = await FileDeliveryJournal.open(join(dir, 'journal'), 1_000, createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() }));
      return { output: new JournaledOutput(blind, journal), got };
    };
    const runner = (script: Map<number | null, Step>, startSetting: string | null, output: Output): StreamRunner =>
      new StreamRunner({
        key: { input: 'in', service: 'svc' },
        puller: new ScriptedPuller(script),
        settings: { enabled: true, request_period_in_seconds: 1, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
        startSetting,
        startMs: null,
        store,
        delivery: queueOf([output]),
        obfuscator: undefined,
        logger: createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() }),
        clock: instantClock,
        events: streamEvents(createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() })),
      });
    const history = (): Map<number | null, Step> =>
      new Map<number | null, Step>([
        [null, { events: [ev('a', 1), ev('b', 2)], cursor: 1, hasMore: true }],
        [1, { events: [ev('c', 3)], cursor: 2, hasMore: false }],
      ]);

    // First life: a, b and c delivered and noted in the journal.
    const first = await journaled();
    const one = runner(history(), null, first.output);
    await one.loadState();
    await one.runCycle(new AbortController().signal);
    await first.output.close();
    assert.deepEqual(first.got, ['a', 'b', 'c']);

    // A new start time: re-ingestion delivers page 1 again, then the vendor fails before page 2.
    const second = await journaled();
    const failing = history();
    failing.set(1, new SiphonError('PULL_HTTP_ERROR', 'vendor down'));
    const two = runner(failing, '2024-01-01T00:00:00Z', second.output);
    await two.loadState();
    await assert.rejects(two.runCycle(new AbortController().signal), /vendor down/);
    await second.output.close();
    assert.deepEqual(second.got, ['a', 'b']);

    // Restarted (recovery on): c was noted before the reset, yet it must be delivered again.
    const third = await journaled();
    const three = runner(history(), '2024-01-01T00:00:00Z', third.output);
    await three.loadState();
    await three.runCycle(new AbortController().signal);
    await third.output.close();
    assert.deepEqual(third.got, ['c'], 'the re-ingestion is complete');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an absurd event time moves no position, with connector retain ranges too; it is reported once and counted', async () => {
  const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59);
  const now = Date.now();
  const puller: StreamPuller<number> = {
    name: 'svc',
    tag: 'test.tag',
    async fetchPage(position) {
      if (position.cursor === null) {
        return { events: [{ k: 'a', t: now - 2_000 }, { k: 'future', t: year9999 }, { k: 'b', t: now - 1_000 }], cursor: 1, hasMore: true, requests: 1, dedupRetain: [[now - 10_000, now]] };
      }
      // The absurd event comes again (a re-read): it is remembered, so it is dropped.
      return { events: [{ k: 'future', t: year9999 }, { k: 'later', t: year9999 + 1 }], cursor: 2, hasMore: false, requests: 1, dedupRetain: [[now - 10_000, now]] };
    },
    eventKey: (e) => String(e['k']),
    eventTime: (e) => (typeof e['t'] === 'number' ? e['t'] : undefined),
    async probe() {},
  };
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const { runner, sink } = makeRunner(puller, [out], store);
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(out.records.map((r) => r.key), ['a', 'future', 'b', 'later']);
  assert.equal(stats.duplicates, 1);
  assert.equal(stats.implausibleTimes, 2);
  assert.match(stats.describe(Date.now()), /Number of events with an implausible time: 2\.$/);
  const saved = await store.get({ input: 'in', service: 'svc' });
  assert.equal(saved?.newest_event_time, now - 1_000);
  assert.deepEqual(saved?.dedup, [['a', now - 2_000], ['future', null], ['b', now - 1_000], ['later', null]]);
  const warned = sink.lines.filter((l) => l.includes('WARNING') && l.includes('implausible time'));
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /WARNING .*Event future has an implausible time 9999-12-31T23:59:59\.000Z \(more than 24 hours ahead of the clock\)/);
});

test('pages that say "more" without events or a new cursor stop the cycle after three; an empty page that moves on does not', async () => {
  const stuck = new ScriptedPuller(
    new Map<number | null, Step>([
      [null, { events: [ev('a', 1)], cursor: 1, hasMore: true }],
      // An empty page that moves the cursor is progress.
      [1, { events: [], cursor: 2, hasMore: true }],
      [2, { events: [], cursor: 2, hasMore: true }],
    ]),
  );
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const { runner } = makeRunner(stuck, [out], store);
  await runner.loadState();
  await assert.rejects(runner.runCycle(new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof SiphonError && err.code === 'PULL_NO_PROGRESS', String(err));
    assert.match(err.describe(), /^\[PullError 305\] The vendor answered 3 pages in a row that more events follow, with no events and the same cursor 2: it does not move on/);
    return true;
  });
  assert.deepEqual(stuck.seen, [null, 1, 2, 2, 2], 'three requests for the stuck cursor, then none');
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.cursor, 2, 'the pages up to the stuck cursor are committed');
});

test('a cycle failed by the vendor\'s rate limit waits the first step and does not lengthen the back-off; faults still double it', async () => {
  const rateLimited = (): SiphonError => new SiphonError('PULL_RATE_LIMITED', 'still rate limited after 4 attempt(s) (HTTP 429)');
  const fault = (): SiphonError => new SiphonError('PULL_HTTP_ERROR', 'HTTP 503');
  const failures = [rateLimited(), rateLimited(), fault(), rateLimited(), fault()];
  const puller = new ScriptedPuller(new Map<number | null, Step>([[null, { events: [ev('a', 1)], cursor: 1, hasMore: false }]]));
  const fetchPage = puller.fetchPage.bind(puller);
  puller.fetchPage = async (position) => {
    const failure = failures.shift();
    if (failure) throw failure;
    return fetchPage(position);
  };
  const stop = new AbortController();
  const waits: number[] = [];
  // The runner's waits, recorded; the first wait after a successful cycle ends the run.
  const clock = {
    now: () => Date.now(),
    sleep: async (ms: number) => {
      if (failures.length === 0 && waits.length === 5) stop.abort();
      else waits.push(ms);
    },
  };
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const out = new ListOutput('o');
  const store = new MemoryStateStore();
  const runner = new StreamRunner({
    key: { input: 'in', service: 'svc' },
    puller,
    settings: { enabled: true, request_period_in_seconds: 60, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
    startSetting: null,
    startMs: null,
    store,
    delivery: queueOf([out]),
    obfuscator: undefined,
    logger,
    clock,
    events: streamEvents(logger),
  });
  await runner.loadState();
  assert.equal(await runner.run(stop.signal, false), 'stopped');
  // Rate limited, rate limited, fault (first step), rate limited, fault (second step).
  assert.deepEqual(waits, [5_000, 5_000, 5_000, 5_000, 10_000]);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a']);
  const retrying = sink.lines.filter((l) => l.includes('The checkpoint did not move; retrying in')).map((l) => /retrying in (\d+) second\(s\) \(consecutive failures: (\d+)\)/.exec(l)?.slice(1).join('/'));
  assert.deepEqual(retrying, ['5/1', '5/2', '5/3', '5/4', '10/5'], 'every failure in a row is counted in the log line');
});

test('crash recovery is each output\'s own: each lane skips what its output holds; what every output carrying the page held is counted once', async () => {
  const script = new Map<number | null, Step>([
    [null, { events: [ev('a', 1), ev('b', 2)], cursor: 1, hasMore: true }],
    [1, { events: [ev('c', 3), ev('d', 4)], cursor: 2, hasMore: false }],
  ]);
  const held = (id: string): OutputRecord => ({ tag: 't', input: 'in', service: 'svc', event: ev(id, id === 'a' ? 1 : 2) });
  // Before the crash, `full` got page 1 whole, `partial` only its first event; `logs` carries only internal records.
  const full = new ListOutput('full');
  full.records.push(held('a'), held('b'));
  const partial = new ListOutput('partial');
  partial.records.push(held('a'));
  const logs = new ListOutput('logs');
  const store = new MemoryStateStore();
  await store.put({ input: 'in', service: 'svc' }, emptyCheckpoint(null, new Date().toISOString()), undefined);
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const lane = (o: Output, channels: ReadonlyArray<'standard' | 'internal'>) =>
    new OutputLane(o, new Set(channels), { writeMaxEvents: 1000, retry: { initialMs: 1, maxMs: 5, multiplier: 2, jitter: 0 } }, outputEvents(o.name, o.type, logger), instantClock);
  const queue = new DeliveryQueue([lane(full, ['standard']), lane(partial, ['standard']), lane(logs, ['internal'])], { maxMessages: 10_000, maxBytes: 1 << 30 }, logger, instantClock);
  const runner = new StreamRunner({
    key: { input: 'in', service: 'svc' },
    puller: new ScriptedPuller(script),
    settings: { enabled: true, request_period_in_seconds: 1, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
    startSetting: null,
    startMs: null,
    store,
    delivery: queue,
    obfuscator: undefined,
    logger,
    clock: instantClock,
    events: streamEvents(logger),
  });
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(full.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(partial.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(logs.records, [], 'the internal-only output gets no events');
  // `a` was in both outputs carrying events: a duplicate, not sent by this run. `b` still went to one of them.
  assert.equal(stats.duplicates, 1);
  assert.equal(stats.sent, 3);
  const skipped = sink.lines.filter((l) => l.includes('had reached an output before the last stop'));
  assert.equal(skipped.length, 1, sink.lines.join('\n'));
  assert.match(skipped[0]!, /2 event\(s\) of this page had reached an output before the last stop/);
  assert.equal((await store.get({ input: 'in', service: 'svc' }))?.events_delivered, 4);
});

test('crash recovery ends with the first page no output had: the pages after it are not looked up, even behind a slow output', async () => {
  const script = new Map<number | null, Step>([
    [null, { events: [ev('a', 1), ev('b', 2)], cursor: 1, hasMore: true }],
    [1, { events: [ev('c', 3)], cursor: 2, hasMore: true }],
    [2, { events: [ev('d', 4)], cursor: 3, hasMore: true }],
    [3, { events: [ev('e', 5)], cursor: 4, hasMore: false }],
  ]);
  const out = new ListOutput('o');
  out.records.push({ tag: 't', input: 'in', service: 'svc', event: ev('a', 1) }, { tag: 't', input: 'in', service: 'svc', event: ev('b', 2) });
  // Slow writes: the later pages are pulled long before the first ones are written.
  out.writeDelayMs = 30;
  const store = new MemoryStateStore();
  await store.put({ input: 'in', service: 'svc' }, emptyCheckpoint(null, new Date().toISOString()), undefined);
  const { runner } = makeRunner(new ScriptedPuller(script), [out], store);
  await runner.loadState();
  const stats = await runner.runCycle(new AbortController().signal);
  assert.deepEqual(out.records.map((r) => eventOf(r)['id']), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(stats.duplicates, 2);
  // Page 1 (held), page 2 (new everywhere: the replay ends); pages 3 and 4 are not looked up.
  assert.equal(out.lookups, 2);
});
