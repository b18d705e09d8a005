// The delivery queue: bounded in messages and bytes, back-pressure on submitters, per-output
// lanes that retry in order, acknowledgement only when every output has the records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Output, OutputRecord, Channel } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { DeliveryQueue } from '../../src/core/delivery-queue.js';
import { OutputLane } from '../../src/core/output-lane.js';
import { InternalRecords } from '../../src/core/internal-records.js';
import { SenderStatisticsReporter } from '../../src/core/sender-statistics.js';
import { systemClock } from '../../src/core/time.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { outputEvents } from '../support/telemetry.js';
import { eventOf } from '../support/records.js';

/** An output whose writes wait for the test to open a gate, or fail while `down`. */
class GatedOutput implements Output {
  readonly type = 'gated';
  readonly received: OutputRecord[] = [];
  writes = 0;
  /** The distinct arrays write() was given: a retry must get the same one. */
  readonly arrays = new Set<readonly OutputRecord[]>();
  down = false;
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => undefined;
  constructor(readonly name: string) {}
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  release(): void {
    this.openGate();
  }
  async open(): Promise<void> {}
  async write(records: readonly OutputRecord[]): Promise<void> {
    this.writes += 1;
    this.arrays.add(records);
    await this.gate;
    if (this.down) throw new SiphonError('OUTPUT_WRITE_FAILED', `${this.name} is down`);
    this.received.push(...records);
  }
  async check(): Promise<void> {}
  async close(): Promise<void> {}
}

const logger = (sink = new MemorySink()) => createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
const record = (id: number, size = 10): OutputRecord => {
  const event = { id, pad: 'x'.repeat(size) };
  return { tag: 'test.tag', input: 'in', service: 'svc', event, eventJson: JSON.stringify(event) };
};
const page = (from: number, n: number, size = 10): OutputRecord[] => Array.from({ length: n }, (_, i) => record(from + i, size));

function build(outputs: Array<{ output: Output; services?: Channel[] }>, limits = { maxMessages: 100, maxBytes: 1 << 20 }, retryMs = 5) {
  const sink = new MemorySink();
  const log = logger(sink);
  const written = outputs.map(({ output }) => outputEvents(output.name, output.type, log));
  const lanes = outputs.map(
    ({ output, services }, i) =>
      new OutputLane(output, new Set(services ?? ['standard']), { writeMaxEvents: 1000, retry: { initialMs: retryMs, maxMs: retryMs, multiplier: 2, jitter: 0 } }, written[i]!, systemClock),
  );
  const senders = lanes.map((lane, i) => ({ lane, written: written[i]! }));
  return { queue: new DeliveryQueue(lanes, limits, log, systemClock), lanes, senders, sink };
}

/** Waits for a condition (no fixed sleep: the machine may be loaded). */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return done;
};

test('a full queue makes submitters wait (messages bound), and lets them in as outputs acknowledge', async () => {
  const out = new GatedOutput('slow');
  out.hold();
  const { queue } = build([{ output: out }], { maxMessages: 100, maxBytes: 1 << 30 });
  const first = await queue.submit(page(0, 60));
  const second = queue.submit(page(60, 60));
  assert.equal(await settled(second), false, 'the second page waits: 120 messages would exceed 100');
  assert.equal(queue.size.messages, 60);
  out.release();
  await first.acked;
  const admitted = await second;
  await admitted.acked;
  assert.deepEqual(out.received.map((r) => eventOf(r)['id']), Array.from({ length: 120 }, (_, i) => i));
  assert.equal(queue.size.messages, 0);
});

test('the byte bound holds too: large events wait although few', async () => {
  const out = new GatedOutput('slow');
  out.hold();
  // A record is counted as the memory it holds: about 3 bytes per character of its JSON.
  const { queue } = build([{ output: out }], { maxMessages: 10_000, maxBytes: 150_000 });
  await queue.submit(page(0, 3, 10_000));
  const next = queue.submit(page(3, 3, 10_000));
  assert.equal(await settled(next), false);
  assert.ok(queue.size.bytes <= 150_000, `held ${queue.size.bytes} bytes`);
  out.release();
  await (await next).acked;
  assert.equal(out.received.length, 6);
});

test('a page larger than the whole queue is let in alone instead of never', async () => {
  const out = new GatedOutput('o');
  const { queue } = build([{ output: out }], { maxMessages: 10, maxBytes: 1 << 20 });
  const big = await queue.submit(page(0, 25));
  await big.acked;
  assert.equal(out.received.length, 25);
});

test('an output that is down: nothing acknowledged, everything retried in order, nothing lost or repeated once it is back', async () => {
  const good = new GatedOutput('good');
  const flaky = new GatedOutput('flaky');
  flaky.down = true;
  const { queue, sink } = build([{ output: good }, { output: flaky }], { maxMessages: 1000, maxBytes: 1 << 30 });
  const subs = [await queue.submit(page(0, 10)), await queue.submit(page(10, 10)), await queue.submit(page(20, 10))];
  await until(() => good.received.length === 30 && flaky.writes >= 3, 'the healthy output to get everything and the failing one to be retried');
  for (const s of subs) assert.equal(await settled(s.acked), false, 'not acknowledged while one output is down');
  assert.equal(good.received.length, 30, 'the healthy output got everything');
  assert.ok(flaky.writes >= 3, 'the failing output was retried');
  assert.ok(flaky.arrays.size < flaky.writes, 'a retry gets the very same array (outputs that deliver in parts rely on it)');
  flaky.down = false;
  await Promise.all(subs.map((s) => s.acked));
  assert.deepEqual(flaky.received.map((r) => eventOf(r)['id']), Array.from({ length: 30 }, (_, i) => i), 'in order, once each');
  assert.ok(sink.lines.some((l) => /flaky is down.*stay queued for output flaky/.test(l)));
  assert.ok(sink.lines.some((l) => /Output flaky accepts events again/.test(l)));
});

test('abort refuses what is queued and what waits; nothing is acknowledged', async () => {
  const out = new GatedOutput('o');
  out.down = true;
  const { queue } = build([{ output: out }], { maxMessages: 10, maxBytes: 1 << 20 });
  const first = await queue.submit(page(0, 10));
  const waiting = queue.submit(page(10, 5));
  queue.abort(new SiphonError('OUTPUT_WRITE_FAILED', 'deadline passed'));
  await assert.rejects(first.acked, /deadline passed/);
  await assert.rejects(waiting, /deadline passed/);
  await assert.rejects(queue.submit(page(20, 1)), /deadline passed/);
});

test('abort tells the write in flight to stop, stops waiting for it, and starts no other attempt', async () => {
  const signals: Array<AbortSignal | undefined> = [];
  // An output whose write never ends (a receiver that accepts and never answers) unless told to stop.
  const stuck: Output = {
    name: 'stuck',
    type: 'stuck',
    open: async () => undefined,
    check: async () => undefined,
    close: async () => undefined,
    write: (_records, signal) => {
      signals.push(signal);
      return new Promise<void>(() => undefined);
    },
  };
  const { queue, sink } = build([{ output: stuck }]);
  const first = await queue.submit(page(0, 10));
  while (signals.length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.equal(signals[0]?.aborted, false);
  queue.abort(new SiphonError('OUTPUT_WRITE_FAILED', 'deadline passed'));
  await assert.rejects(first.acked, /deadline passed/);
  assert.equal(signals[0]?.aborted, true, 'the output is told to drop the write');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(signals.length, 1, 'no new attempt after the abort');
  assert.ok(!sink.lines.some((l) => /stuck/.test(l)), `nothing logged about the dropped write: ${sink.lines.join('\n')}`);
});

test('internal records go only to outputs carrying the internal service, and never wait', async () => {
  const events = new GatedOutput('events_only');
  const both = new GatedOutput('both');
  both.hold();
  const { queue } = build([{ output: events }, { output: both, services: ['standard', 'internal'] }], { maxMessages: 20, maxBytes: 1 << 20 });
  const internal = new InternalRecords({ collectorName: 'c', collectorVersion: '9.9.9', offer: (r) => queue.offerInternal(r), clock: systemClock });
  internal.listener({ time: Date.UTC(2024, 5, 24, 2, 40), level: 'info', msg: 'Pull Started', context: { module: 'LarkPuller', input: 'lark', service: 'audit_infos' } });
  internal.listener({ time: Date.UTC(2024, 5, 24, 2, 41), level: 'warn', msg: 'careful', context: {} });
  internal.listener({ time: Date.UTC(2024, 5, 24, 2, 42), level: 'debug', msg: 'not delivered', context: {} });
  internal.flush();
  const std = await queue.submit(page(0, 18));
  // The queue is now full: more internal records are refused and kept, pulling is not blocked by them.
  internal.listener({ time: Date.UTC(2024, 5, 24, 2, 43), level: 'error', msg: 'later', context: {} });
  internal.flush();
  both.release();
  await std.acked;
  internal.flush();
  await queue.drained();
  assert.equal(events.received.length, 18, 'the events-only output got no internal record');
  const tags = both.received.map((r) => r.tag);
  assert.deepEqual(tags.filter((t) => t.startsWith('devo.collectors')), ['devo.collectors.out.local.info', 'devo.collectors.out.local.warning', 'devo.collectors.out.local.error']);
  const first = both.received.find((r) => r.tag === 'devo.collectors.out.local.info')!;
  assert.deepEqual(first.event, {
    msg: 'Pull Started',
    time: '2024-06-24T02:40:00.000Z',
    level: 'info',
    collector_name: 'c',
    collector_version: '9.9.9',
    input_name: 'lark',
    service_name: 'audit_infos',
    module_name: 'LarkPuller',
  });
});

test('sender statistics use the seeds\' wording, per output and sender service', async () => {
  const out: Output = Object.assign(new GatedOutput('devo_1'), { type: 'devo_platform' });
  const { queue, senders } = build([{ output: out, services: ['standard', 'internal'] }]);
  await (await queue.submit(page(0, 7))).acked;
  const sink = new MemorySink();
  const reporter = new SenderStatisticsReporter(senders, logger(sink), systemClock);
  reporter.report();
  const text = sink.lines.join('\n');
  assert.match(text, /DevoSenderManagerMonitor\(standard_senders,devo_1\) -> Number of available senders: 1, sender manager internal queue size: 0/);
  assert.match(text, /DevoSenderManagerMonitor\(standard_senders,devo_1\) -> Sender: DevoSender\(standard_senders,devo_sender_0\), status: \{"internal_queue_size": 0, "is_connection_open": True\}/);
  assert.match(text, /Standard - Total number of messages sent: 7, messages\/bytes sent since\/to "[^"]+\/[^"]+": 7\/\d+, \(elapsed \d+\.\d{3} seconds\)/);
  assert.match(text, /DevoSenderManagerMonitor\(internal_senders,devo_1\) -> Number of available senders: 1/);
  assert.match(text, /Internal - Total number of messages sent: 0/);
  sink.lines.length = 0;
  reporter.report();
  assert.match(sink.lines.join('\n'), /Standard - Total number of messages sent: 7, messages\/bytes sent since\/to "[^"]+": 0\/0/, 'the period restarts');
});

test('sender statistics: an output that refuses events shows "is_connection_open": False and what waits for it', async () => {
  const gated = Object.assign(new GatedOutput('sink_1'), { type: 'syslog', down: true });
  const out: Output = gated;
  const { queue, lanes, senders } = build([{ output: out }]);
  await queue.submit(page(0, 4));
  await until(() => gated.writes >= 1 && lanes[0]!.consecutiveFailures > 0, 'the refused write');
  const sink = new MemorySink();
  new SenderStatisticsReporter(senders, logger(sink), systemClock).report();
  assert.match(
    sink.lines.join('\n'),
    /SyslogSenderManagerMonitor\(standard_senders,sink_1\) -> Sender: SyslogSender\(standard_senders,syslog_sender_0\), status: \{"internal_queue_size": 4, "is_connection_open": False\}/,
  );
  queue.abort(new SiphonError('OUTPUT_UNAVAILABLE', 'test over'));
});

test('a replayed page: each lane asks its own output what it holds, writes only the rest, and retries a failed look-up like a failed write', async () => {
  /** An output that can read back what it holds; its first look-up fails (a file it cannot read yet). */
  class Readable extends GatedOutput {
    lookups = 0;
    failLookups = 0;
    async findDelivered(records: readonly OutputRecord[]): Promise<Set<number>> {
      this.lookups += 1;
      if (this.failLookups-- > 0) throw new SiphonError('OUTPUT_UNAVAILABLE', `${this.name} cannot be read`);
      const have = new Set(this.received.map((r) => eventOf(r)['id']));
      return new Set(records.flatMap((r, i) => (have.has(eventOf(r)['id']) ? [i] : [])));
    }
  }
  const first = new Readable('first');
  first.received.push(...page(0, 3));
  first.failLookups = 1;
  const second = new Readable('second');
  second.received.push(...page(0, 1));
  const blind = new GatedOutput('blind');
  const { queue, sink } = build([{ output: first }, { output: second }, { output: blind }]);
  const keyOf = (): string | undefined => undefined;
  const replayed = await queue.submit(page(0, 5), { replay: { keyOf } });
  // An output that cannot tell holds nothing: it gets the whole page, so nothing is held by every output.
  assert.deepEqual(await replayed.acked, { heldByEvery: 0, heldByOne: 3 });
  assert.deepEqual(first.received.map((r) => eventOf(r)['id']), [0, 1, 2, 3, 4]);
  assert.deepEqual(second.received.map((r) => eventOf(r)['id']), [0, 1, 2, 3, 4]);
  assert.deepEqual(blind.received.map((r) => eventOf(r)['id']), [0, 1, 2, 3, 4]);
  assert.equal(first.lookups, 2, 'the failed look-up was tried again');
  assert.ok(sink.lines.some((l) => /first cannot be read.*stay queued for output first/.test(l)), sink.lines.join('\n'));
  // A page that is not a replay is not looked up.
  const fresh = await queue.submit(page(5, 2));
  assert.deepEqual(await fresh.acked, { heldByEvery: 0, heldByOne: 0 });
  assert.equal(first.lookups, 2);
  assert.equal(second.lookups, 1);
});

test('a replayed page held by every output carrying it: none of them gets it again, and the receipt says so', async () => {
  class Readable extends GatedOutput {
    async findDelivered(records: readonly OutputRecord[]): Promise<Set<number>> {
      const have = new Set(this.received.map((r) => eventOf(r)['id']));
      return new Set(records.flatMap((r, i) => (have.has(eventOf(r)['id']) ? [i] : [])));
    }
  }
  const one = new Readable('one');
  const two = new Readable('two');
  one.received.push(...page(0, 2));
  two.received.push(...page(0, 3));
  // An output carrying only internal records has no say about events.
  const logs = new GatedOutput('logs');
  const { queue } = build([{ output: one }, { output: two }, { output: logs, services: ['internal'] }]);
  const replayed = await queue.submit(page(0, 4), { replay: { keyOf: () => undefined } });
  assert.deepEqual(await replayed.acked, { heldByEvery: 2, heldByOne: 3 });
  assert.deepEqual(one.received.map((r) => eventOf(r)['id']), [0, 1, 2, 3]);
  assert.deepEqual(two.received.map((r) => eventOf(r)['id']), [0, 1, 2, 3]);
  assert.equal(logs.writes, 0);
});
