// What the stream runner's tests build a runner from: a puller of `{ id, t }` events, an
// output that keeps what it is given, an output's lane that retries fast, and the runner
// itself with the tests' stream settings and a clock whose sleeps end at once.
import type { Clock, Logger, Output, OutputRecord, Page, PullPosition, StreamPuller, VendorEvent } from '../../src/core/contracts.js';
import type { SiphonError } from '../../src/core/errors.js';
import { OutputLane } from '../../src/core/output-lane.js';
import { StreamRunner, type StreamRunnerOptions } from '../../src/core/stream-runner.js';
import { outputEvents, streamEvents } from './telemetry.js';

/** The real time, but no wait: back-offs and request periods do not slow a test down. */
export const instantClock: Clock = { now: () => Date.now(), sleep: () => Promise.resolve() };

/** A puller of test events `{ id, t }`, keyed by `id` and timed by `t`; each test serves its own pages. */
export abstract class TestEventPuller implements StreamPuller<number> {
  readonly name = 'svc';
  readonly tag = 'test.tag';
  abstract fetchPage(position: PullPosition<number>): Promise<Page<number>>;
  eventKey(e: VendorEvent): string | undefined {
    return typeof e['id'] === 'string' ? e['id'] : undefined;
  }
  eventTime(e: VendorEvent): number | undefined {
    return typeof e['t'] === 'number' ? e['t'] : undefined;
  }
  async probe(): Promise<void> {}
}

/** An output that keeps in memory what it is given. */
export class MemoryOutput implements Output {
  readonly type = 'list';
  readonly records: OutputRecord[] = [];
  constructor(readonly name: string) {}
  async open(): Promise<void> {}
  async write(records: readonly OutputRecord[]): Promise<void> {
    this.records.push(...records);
  }
  async check(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The output's lane for standard records: 1,000 at most a write, retried after 1 to 5 ms; `onGiveUp` is told after 5 failures in a row. */
export function standardLane(output: Output, logger: Logger, onGiveUp: (error: SiphonError) => void): OutputLane {
  return new OutputLane(
    output,
    new Set(['standard'] as const),
    { writeMaxEvents: 1000, retry: { initialMs: 1, maxMs: 5, multiplier: 2, jitter: 0 }, maxAttempts: 5, onGiveUp },
    outputEvents(output.name, output.type, logger),
    instantClock,
  );
}

/** What a test chooses of a runner; the rest is the same for all. */
export type TestRunnerParts = Pick<StreamRunnerOptions, 'key' | 'puller' | 'store' | 'delivery' | 'obfuscator' | 'logger' | 'claim'>;

/** A runner pulling each second, with an hour's dedup window, no start time, no alarm, the instant clock, its events logged to `logger`. */
export function testRunner(parts: TestRunnerParts): StreamRunner {
  return new StreamRunner({
    settings: { enabled: true, request_period_in_seconds: 1, dedup_window_seconds: 3600, dedup_max_keys: 1000, obfuscation: [], no_events_alarm_in_seconds: 0 },
    startSetting: null,
    startMs: null,
    clock: instantClock,
    events: streamEvents(parts.logger),
    ...parts,
  });
}
