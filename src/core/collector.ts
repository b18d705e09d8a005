// The collector: sets up every source, opens the outputs, runs one loop per service and
// stops them gracefully. It is given everything it drives (no connector, output or store
// is imported here); the composition root in src/app builds them from the configuration.

import { untilAborted } from './abort.js';
import type { Clock, Logger, Output, Source, StateStore } from './contracts.js';
import { SiphonError, toSiphonError } from './errors.js';
import { AbortFanOut } from './abort-fan-out.js';
import { Gate } from './gate.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { StreamRunner } from './stream-runner.js';
import type { CollectorPhase, EventSink, InputEvent } from './events.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { InternalRecords } from './internal-records.js';
import type { Heartbeat } from './heartbeat.js';
import type { SenderStatisticsReporter } from './sender-statistics.js';
import type { UnitAssignment, UnitControl } from './assignment.js';

/**
 * Past the stop's deadline, how long closing outputs is still waited for: outputs drop their
 * connections as soon as the deadline passes, this only covers one that does not listen.
 */
const CLOSE_GRACE_MS = 1_000;

/** Setup attempts per input before a transient failure counts (2 s, then 4 s apart). */
const SETUP_ATTEMPTS = 3;
const SETUP_RETRY: RetryPolicy = { initialMs: 2_000, maxMs: 60_000, multiplier: 2, jitter: 0 };
/**
 * Inputs set up at once. Each is one account (its own credentials and rate budget), so probes
 * of different inputs do not compete for a vendor's quota; a few at a time keep a start with
 * many tenants short without a burst of connections.
 */
const SETUP_CONCURRENCY = 8;
/**
 * In a cluster, claimed inputs whose parts are built and whose state is read at once. State
 * reads share the process's database pool (ten connections) with the streams' commits.
 */
const START_CONCURRENCY = 8;
/** In a cluster, how long a claimed input whose setup was refused waits before it is tried again. */
const CLAIMED_SETUP_RETRY_MS = 60_000;

/** What pulls an input: its source and the runners of its enabled services. */
export interface InputParts {
  readonly source: Source;
  /** Runners of this input's enabled services (built with the collector's delivery). */
  readonly runners: StreamRunner[];
}

export interface CollectorInput {
  name: string;
  /** `input/service` of its enabled services, in order (known before any part is built). */
  streams: readonly string[];
  /**
   * The input's parts, built on first use. A cluster replica builds those of the inputs it
   * claims only, and lets them go (`release`) when it hands one over: it holds its share of
   * the streams, not all of them.
   */
  parts(): InputParts;
  /** Drops the parts (closing what they opened); the next `parts()` builds them anew. */
  release(): Promise<void>;
  logger: Logger;
  /** Setup's outcome goes here (readiness). */
  events: EventSink<InputEvent>;
  /** Sent while the collector runs (not with `once`). */
  heartbeat?: Heartbeat;
}

export interface CollectorOptions {
  inputs: CollectorInput[];
  outputs: Output[];
  store: StateStore;
  logger: Logger;
  clock: Clock;
  /** Told of each phase (setting up, opening outputs, running, stopping, stopped): readiness. */
  phases?: (phase: CollectorPhase) => void;
  /** The one bounded queue between the services and the outputs. */
  queue: DeliveryQueue;
  /** The internal channel (undefined when no output carries it). */
  internal: InternalRecords | undefined;
  statistics: SenderStatisticsReporter;
  /** Sender statistics period (0: none). */
  statisticsIntervalMs: number;
  /** After a stop is requested, how long queued events get to reach the outputs. */
  shutdownTimeoutMs: number;
  /**
   * Between two services' first pulls when running continuously (0: all at once). Services
   * keep their period from their first pull, so their pulls stay spread (see `startSpacingMs`).
   */
  startSpacingMs?: number;
  /**
   * Decides which inputs run while the collector runs (a cluster); absent: every input runs
   * from start to stop. Not used with `once`.
   */
  assignment?: UnitAssignment;
}

/** The longest wait between two services' first pulls. */
const MAX_START_SPACING_MS = 100;

/**
 * How far apart services start: their shortest period spread over all of them, at most
 * MAX_START_SPACING_MS. A thousand services polling every 30 s then make about 33 requests a
 * second instead of a burst of a thousand every 30 s, whose pages, requests and state writes
 * all in memory at once set the process's peak; a handful of services start within a second.
 */
export function startSpacingMs(periodsMs: readonly number[]): number {
  if (periodsMs.length < 2) return 0;
  return Math.min(MAX_START_SPACING_MS, Math.min(...periodsMs) / periodsMs.length);
}

export interface CollectorRunEnd {
  /** Errors of the services that failed (`once` mode). */
  readonly errors: SiphonError[];
  /** `input/service` of the services that the signal stopped (with `once`: before they caught up). */
  readonly stopped: string[];
}

/** What the services report while they run: filled in as they end. */
interface RunEnd {
  errors: SiphonError[];
  stopped: string[];
}

export class Collector {
  /** Set when a stop's deadline passed with events still queued (they will be pulled again). */
  unacknowledgedAtDeadline: number | undefined;
  /**
   * Stop request time + shutdown timeout (clock ms): by then queued events are delivered or
   * refused, and outputs are closed, in-flight writes and connections dropped if need be.
   */
  private stopDeadlineAt: number | undefined;
  private watchedSignal: AbortSignal | undefined;
  /** In a cluster, claimed inputs being built and loaded (see gate.ts). */
  private readonly starts = new Gate(START_CONCURRENCY);
  /** Inputs being set up: all at start, or as they are claimed in a cluster. */
  private readonly setups = new Gate(SETUP_CONCURRENCY);

  constructor(private readonly o: CollectorOptions) {}

  /** Notes when a stop is requested: everything after it shares one deadline. */
  private watchStop(signal: AbortSignal): void {
    if (this.watchedSignal === signal) return;
    this.watchedSignal = signal;
    const note = (): void => {
      this.stopDeadlineAt ??= this.o.clock.now() + this.o.shutdownTimeoutMs;
      this.o.phases?.('stopping');
    };
    if (signal.aborted) note();
    else signal.addEventListener('abort', note, { once: true });
  }

  /**
   * Authenticates every input, SETUP_CONCURRENCY at a time: a provider's thousand accounts,
   * one probe each at a vendor's latency, would otherwise hold the start for minutes. Throws
   * the first SetupError in configuration order (after logging each).
   */
  async setup(signal: AbortSignal): Promise<void> {
    this.watchStop(signal);
    this.o.phases?.('setting_up');
    // In a cluster an input is set up where it is pulled, once claimed (see runAssigned).
    if (this.o.assignment) return;
    // Each input waits on a signal of its own: a thousand setups' requests and sleeps on the
    // stop signal itself would pass Node's ten-listener warning (see abort-fan-out.ts).
    const stops = new AbortFanOut(signal);
    let failures: Array<SiphonError | undefined>;
    try {
      failures = await Promise.all(
        this.o.inputs.map(async (input) => {
          const stop = stops.child();
          try {
            return await this.setups.run(() => this.setupInput(input, stop), stop);
          } finally {
            stops.release(stop);
          }
        }),
      );
    } finally {
      stops.dispose();
    }
    const first = failures.find((f) => f !== undefined);
    if (first) throw first;
  }

  /** One input's setup, tried again on a transient failure; returns the failure that counts (logged), if any. */
  private async setupInput(input: CollectorInput, signal: AbortSignal): Promise<SiphonError | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await input.parts().source.setup(signal);
        input.events.emit({ type: 'setup_succeeded' });
        return undefined;
      } catch (err) {
        if (signal.aborted) throw err;
        const error = toSiphonError(err, 'SETUP_NOT_PULLABLE');
        input.events.emit({ type: 'setup_failed', error });
        // Rejected credentials will not improve; a network blip or a bad answer may.
        const transient = !error.permanent && (error.code === 'SETUP_NOT_PULLABLE' || error.code === 'SETUP_UNREACHABLE');
        if (!transient || attempt >= SETUP_ATTEMPTS) {
          input.logger.error(error.describe());
          return error;
        }
        const waitMs = retryDelayMs(SETUP_RETRY, attempt);
        input.logger.warn(`${error.describe()} Setup is tried again in ${waitMs / 1000} s (attempt ${attempt} of ${SETUP_ATTEMPTS})`);
        await this.o.clock.sleep(waitMs, signal);
      }
    }
  }

  async openOutputs(): Promise<void> {
    this.o.phases?.('opening_outputs');
    for (const output of this.o.outputs) await output.open();
    this.o.internal?.start();
  }

  /**
   * Runs every service until `signal` aborts (or, with `once`, until each is caught up).
   * Resolves with the errors of services that failed in `once` mode, and the services the
   * signal stopped before they caught up. After an abort, queued events get the shutdown
   * deadline to reach the outputs; past it they are refused, their pages stay uncommitted
   * and are pulled again at the next start.
   */
  async run(signal: AbortSignal, once: boolean): Promise<CollectorRunEnd> {
    this.watchStop(signal);
    if (this.o.assignment && !once) return this.runAssigned(this.o.assignment, signal);
    const runners = this.o.inputs.flatMap((i) => i.parts().runners);
    for (const runner of runners) await runner.loadState();
    const spacingMs = once ? 0 : (this.o.startSpacingMs ?? 0);
    return this.runFrame(signal, async (serviceStops, end) => {
      const heartbeatsStop = new AbortController();
      const heartbeats = once ? [] : this.o.inputs.flatMap((i) => (i.heartbeat ? [i.heartbeat.run(AbortSignal.any([signal, heartbeatsStop.signal]))] : []));
      try {
        await Promise.all(
          runners.map(async (runner, i) => {
            const serviceStop = serviceStops.child();
            // A stop during the wait still runs the service, which then ends at once ('stopped').
            if (spacingMs > 0 && i > 0) await this.o.clock.sleep(i * spacingMs, serviceStop).catch(() => undefined);
            try {
              if ((await runner.run(serviceStop, once)) === 'stopped') end.stopped.push(runner.name);
            } catch (err) {
              end.errors.push(toSiphonError(err));
            }
          }),
        );
      } finally {
        heartbeatsStop.abort();
        await Promise.all(heartbeats);
      }
    });
  }

  /**
   * What both ways of running share: the running phase, sender statistics, the shutdown
   * deadline and one stop signal per service (see abort-fan-out.ts) while `body` runs; the
   * stopped services come back in configuration order, whatever order they stopped in.
   */
  private async runFrame(signal: AbortSignal, body: (serviceStops: AbortFanOut, end: RunEnd) => Promise<void>): Promise<CollectorRunEnd> {
    if (!signal.aborted) this.o.phases?.('running');
    const statisticsStop = new AbortController();
    const statistics = this.o.statistics.run(this.o.statisticsIntervalMs, statisticsStop.signal);
    const stopDeadline = this.armShutdownDeadline(signal);
    const serviceStops = new AbortFanOut(signal);
    const end: RunEnd = { errors: [], stopped: [] };
    try {
      await body(serviceStops, end);
    } finally {
      serviceStops.dispose();
      stopDeadline();
      statisticsStop.abort();
      await statistics;
    }
    const position = new Map(this.o.inputs.flatMap((i) => i.streams).map((name, i) => [name, i]));
    end.stopped.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    return end;
  }

  /**
   * Runs the inputs the assignment source starts, until `signal` aborts and the source has
   * stopped them. A unit's streams start from its last committed checkpoint (its state is
   * loaded at each start) and stop between pages.
   */
  private async runAssigned(assignment: UnitAssignment, signal: AbortSignal): Promise<CollectorRunEnd> {
    return this.runFrame(signal, async (serviceStops, { errors, stopped }) => {
      const inputs = new Map(this.o.inputs.map((i) => [i.name, i]));
      /** Running units: their stop and the end of their streams. */
      const running = new Map<string, { stop: AbortController; ended: Promise<void> }>();
      const control: UnitControl = {
        units: this.o.inputs.map((i) => i.name),
        running: () => [...running.keys()],
        start: async (unit) => {
          const input = inputs.get(unit);
          if (!input || running.has(unit) || signal.aborted) return;
          const stop = new AbortController();
          const collectorStop = serviceStops.child();
          const unitStop = AbortSignal.any([collectorStop, stop.signal]);
          let loaded!: (runners: readonly StreamRunner[] | undefined) => void;
          const ready = new Promise<readonly StreamRunner[] | undefined>((resolve) => (loaded = resolve));
          const ended = (async (): Promise<void> => {
            const runners = await ready;
            // Stopped while its state was loading, or the load failed: nothing to run.
            if (!runners || unitStop.aborted) return;
            if (!(await this.setUpClaimed(input, unitStop))) return;
            // An input's heartbeat comes from the process that pulls it.
            await Promise.all([
              ...(input.heartbeat ? [input.heartbeat.run(unitStop)] : []),
              ...runners.map(async (runner) => {
                try {
                  if ((await runner.run(unitStop, false)) === 'stopped' && signal.aborted) stopped.push(runner.name);
                } catch (err) {
                  errors.push(toSiphonError(err));
                }
              }),
            ]);
          })().finally(() => {
            serviceStops.release(collectorStop);
            return input.release().catch(() => undefined);
          });
          running.set(unit, { stop, ended });
          try {
            // Built and loaded a few inputs at a time (see gate.ts): a claim of a thousand is a queue.
            const runners = await this.starts.run(async () => {
              const { runners } = input.parts();
              for (const runner of runners) await runner.loadState();
              return runners;
            }, unitStop);
            loaded(runners);
          } catch (err) {
            running.delete(unit);
            stop.abort();
            loaded(undefined);
            await ended;
            if (signal.aborted) return; // the collector stops: not a failure of this input
            throw err;
          }
        },
        stop: async (unit) => {
          const entry = running.get(unit);
          if (!entry) return;
          entry.stop.abort();
          await entry.ended;
          if (running.get(unit) === entry) running.delete(unit);
        },
      };
      await assignment.run(control, signal);
      await Promise.all([...running.values()].map((entry) => entry.ended));
    });
  }

  /**
   * Sets up a claimed input before its streams run: a replica authenticates only the accounts
   * it pulls. A refusal keeps the claim (any other replica would be refused too, and the input
   * would wander between them) and is tried again every CLAIMED_SETUP_RETRY_MS, logged each
   * time; the other inputs run on. False when stopped first.
   */
  private async setUpClaimed(input: CollectorInput, signal: AbortSignal): Promise<boolean> {
    try {
      while ((await this.setups.run(() => this.setupInput(input, signal), signal)) !== undefined) {
        input.logger.warn(`The input's streams wait for its setup, tried again in ${CLAIMED_SETUP_RETRY_MS / 1000} s`);
        await this.o.clock.sleep(CLAIMED_SETUP_RETRY_MS, signal);
      }
      return true;
    } catch (err) {
      // setupInput and the sleep throw when stopped; anything else is a fault of Siphon's.
      if (!signal.aborted) throw err;
      return false;
    }
  }

  /** On abort, refuses what is still queued at the stop's deadline; returns its canceller. */
  private armShutdownDeadline(signal: AbortSignal): () => void {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      const seconds = this.o.shutdownTimeoutMs / 1000;
      const deadlineAt = this.stopDeadlineAt ?? this.o.clock.now() + this.o.shutdownTimeoutMs;
      timer = setTimeout(() => {
        const { messages } = this.o.queue.size;
        const reason = new SiphonError(
          'OUTPUT_WRITE_FAILED',
          `The shutdown deadline of ${seconds} s passed with ${messages} event(s) not yet acknowledged by every output; ` +
            'their pages are not committed and will be pulled again at the next start',
        );
        this.o.logger.warn(reason.message);
        this.unacknowledgedAtDeadline = messages;
        // Lanes abort their writes in flight: outputs drop their requests and connections.
        this.o.queue.abort(reason);
      }, Math.max(0, deadlineAt - this.o.clock.now()));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
  }

  /**
   * Delivers the last internal records, closes the outputs and the state store, all by the
   * stop's deadline (a run that ended by itself, --once, gets the shutdown timeout from now).
   * At the deadline, outputs are told to drop their connections; one that does not is left
   * behind CLOSE_GRACE_MS later. State writes in flight are always waited for.
   */
  async close(): Promise<void> {
    this.o.phases?.('stopping');
    const deadlineAt = this.stopDeadlineAt ?? this.o.clock.now() + this.o.shutdownTimeoutMs;
    const deadline = this.timerSignal(deadlineAt);
    const lastChance = this.timerSignal(Math.max(deadlineAt, this.o.clock.now()) + CLOSE_GRACE_MS);
    try {
      // The last internal records (the stop messages) get a short chance to go out.
      const left = deadlineAt - this.o.clock.now();
      if (this.o.internal?.stop() && left > 0) {
        const drained = new AbortController();
        await Promise.race([this.o.queue.drained(), this.o.clock.sleep(Math.min(2_000, left), drained.signal).catch(() => undefined)]);
        drained.abort();
      }
      this.o.queue.abort(new SiphonError('OUTPUT_WRITE_FAILED', 'The collector is closing'));
      await Promise.all(this.o.outputs.map((output) => this.closeOutput(output, deadline.signal, lastChance.signal)));
    } finally {
      deadline.cancel();
      lastChance.cancel();
    }
    await this.o.store.close();
    this.o.phases?.('stopped');
  }

  private async closeOutput(output: Output, deadline: AbortSignal, lastChance: AbortSignal): Promise<void> {
    try {
      await untilAborted(output.close(deadline), lastChance);
    } catch (err) {
      const why = lastChance.aborted ? 'it did not close by the shutdown deadline; Siphon stops waiting for it' : toSiphonError(err).message;
      this.o.logger.warn(`Closing output ${output.name} failed: ${why}`);
    }
  }

  /** A signal that aborts at `at` (clock ms); cancel() stops its timer. */
  private timerSignal(at: number): { signal: AbortSignal; cancel(): void } {
    const fired = new AbortController();
    const cancelled = new AbortController();
    const reason = new SiphonError('OUTPUT_WRITE_FAILED', 'The shutdown deadline passed');
    const waitMs = at - this.o.clock.now();
    if (waitMs <= 0) {
      fired.abort(reason);
    } else {
      void this.o.clock.sleep(waitMs, cancelled.signal).then(
        () => fired.abort(reason),
        () => undefined,
      );
    }
    return { signal: fired.signal, cancel: () => cancelled.abort() };
  }
}
