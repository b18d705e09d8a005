// A stream in a cluster: the claim is checked before each page goes to the outputs, and a
// refused (fenced) commit ends the stream here, telling the claim it is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkpoint, Page, PullPosition, StateKey } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { DeliveryQueue } from '../../src/core/delivery-queue.js';
import type { StreamRunner } from '../../src/core/stream-runner.js';
import type { StreamClaim } from '../../src/core/assignment.js';
import { MemoryStateStore } from '../../src/state/memory.js';
import { compileObfuscation } from '../../src/stages/obfuscate.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { eventOf } from '../support/records.js';
import { instantClock, MemoryOutput, standardLane, TestEventPuller, testRunner } from '../support/stream-runner.js';

/** Page n (cursor n-1 -> n) holds event "e<n>"; three pages, then caught up. */
class CountingPuller extends TestEventPuller {
  /** Told of each page asked for (1, 2, 3). */
  onFetch: (page: number) => void = () => undefined;
  async fetchPage(position: PullPosition<number>): Promise<Page<number>> {
    const n = (position.cursor ?? 0) + 1;
    this.onFetch(n);
    if (n > 3) return { events: [], cursor: n - 1, hasMore: false, requests: 1 };
    return { events: [{ id: `e${n}`, t: n }], cursor: n, hasMore: n < 3, requests: 1 };
  }
}

/** A store whose puts are refused once `fenced` is set, as the cluster's fence refuses them. */
class FencedStore extends MemoryStateStore {
  fenced = false;
  override put(key: StateKey, state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint> {
    if (this.fenced) return Promise.reject(new SiphonError('PERSISTENCE_FENCED', `no longer holds ${key.input}`, {}, { permanent: true }));
    return super.put(key, state, expectedRevision);
  }
}

function runnerWith(store: MemoryStateStore, claim: StreamClaim, output: MemoryOutput, puller = new CountingPuller()): { runner: StreamRunner; sink: MemorySink } {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const delivery = new DeliveryQueue([standardLane(output, logger, () => undefined)], { maxMessages: 100, maxBytes: 1 << 20 }, logger, instantClock);
  const runner = testRunner({ key: { input: 'acct', service: 'svc' }, puller, store, delivery, obfuscator: compileObfuscation([], undefined), logger, claim });
  return { runner, sink };
}

test('a claim no longer valid: the page in hand is not delivered, the stream stops here and says it lost the stream', async () => {
  const store = new MemoryStateStore();
  const output = new MemoryOutput('list');
  // The claim lapses while page 3 is fetched, page 2 in hand (page 1 went to the outputs before).
  let lapsed = false;
  const puller = new CountingPuller();
  puller.onFetch = (page) => {
    if (page === 3) lapsed = true;
  };
  const lost: SiphonError[] = [];
  const claim: StreamClaim = { valid: () => !lapsed, lost: (reason) => lost.push(reason) };
  const { runner, sink } = runnerWith(store, claim, output, puller);
  await runner.loadState();
  assert.equal(await runner.run(new AbortController().signal, false), 'stopped');
  assert.deepEqual(output.records.map((r) => eventOf(r)['id']), ['e1']);
  assert.equal((await store.get({ input: 'acct', service: 'svc' }))?.cursor, 1, 'the checkpoint covers the delivered page only');
  assert.deepEqual(lost.map((e) => e.code), ['PERSISTENCE_FENCED']);
  assert.ok(sink.lines.some((l) => /This replica lost the stream acct\/svc/.test(l)));
});

test('a fenced commit ends the stream: the checkpoint stays where the claim last covered it', async () => {
  const store = new FencedStore();
  const output = new MemoryOutput('list');
  const lost: SiphonError[] = [];
  const { runner } = runnerWith(store, { valid: () => true, lost: (reason) => lost.push(reason) }, output);
  await runner.loadState();
  store.fenced = true;
  assert.equal(await runner.run(new AbortController().signal, false), 'stopped');
  assert.equal(lost.length, 1);
  assert.equal(lost[0]?.code, 'PERSISTENCE_FENCED');
  assert.equal((await store.get({ input: 'acct', service: 'svc' }))?.cursor, null, 'nothing committed');
});

test('a claim that lapsed between cycles: nothing is asked of the vendor', async () => {
  const store = new MemoryStateStore();
  const output = new MemoryOutput('list');
  const puller = new CountingPuller();
  const asked: number[] = [];
  puller.onFetch = (page) => asked.push(page);
  const lost: SiphonError[] = [];
  const { runner } = runnerWith(store, { valid: () => false, lost: (reason) => lost.push(reason) }, output, puller);
  await runner.loadState();
  assert.equal(await runner.run(new AbortController().signal, false), 'stopped');
  assert.deepEqual(asked, []);
  assert.deepEqual(output.records, []);
  assert.match(lost[0]?.message ?? '', /no page is requested/);
});
