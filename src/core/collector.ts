// The collector: sets up every source, opens the outputs, runs one loop per service and
// stops them gracefully. It is given everything it drives (no connector, output or store
// is imported here); the composition root in src/app builds them from the configuration.

import type { Clock, Logger, Output, OutputRecord, Source, StateStore, VendorEvent } from './contracts.js';
import { SiphonError, toSiphonError } from './errors.js';
import { ServiceRunner, type Delivery } from './service-runner.js';
import type { ServiceStatus } from './status.js';

/** Setup attempts per input before a transient failure counts (2 s, then 4 s apart). */
const SETUP_ATTEMPTS = 3;
const SETUP_RETRY_MS = 2_000;

export interface CollectorInput {
  name: string;
  source: Source;
  logger: Logger;
  /** Runners of this input's enabled services (built with the collector's delivery). */
  runners: ServiceRunner[];
}

export interface CollectorOptions {
  inputs: CollectorInput[];
  outputs: Output[];
  store: StateStore;
  logger: Logger;
  clock: Clock;
  statuses: ServiceStatus[];
}

/** Delivers to every output; resolves when all have acknowledged. */
export class FanoutDelivery implements Delivery {
  constructor(private readonly outputs: readonly Output[]) {}

  async deliver(records: readonly OutputRecord[], exclude?: ReadonlyArray<ReadonlySet<number>>): Promise<void> {
    if (records.length === 0) return;
    const results = await Promise.allSettled(
      this.outputs.map((output, i) => {
        const skip = exclude?.[i];
        return output.write(skip && skip.size > 0 ? records.filter((_, n) => !skip.has(n)) : records);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw toSiphonError(failed.reason, 'OUTPUT_WRITE_FAILED');
  }

  async findDelivered(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Array<Set<number>>> {
    return Promise.all(this.outputs.map((o) => (o.findDelivered ? o.findDelivered(records, keyOf) : Promise.resolve(new Set<number>()))));
  }
}

export class Collector {
  constructor(private readonly o: CollectorOptions) {}

  /** Authenticates every input. Throws the first SetupError (after logging each). */
  async setup(signal: AbortSignal): Promise<void> {
    const failures: SiphonError[] = [];
    for (const input of this.o.inputs) {
      for (let attempt = 1; ; attempt++) {
        try {
          await input.source.setup(signal);
          break;
        } catch (err) {
          if (signal.aborted) throw err;
          const error = toSiphonError(err, 'SETUP_NOT_PULLABLE');
          // Rejected credentials will not improve; a network blip or a bad answer may.
          const transient = !error.permanent && (error.code === 'SETUP_NOT_PULLABLE' || error.code === 'SETUP_UNREACHABLE');
          if (!transient || attempt >= SETUP_ATTEMPTS) {
            input.logger.error(error.describe());
            failures.push(error);
            break;
          }
          const waitMs = SETUP_RETRY_MS * attempt;
          input.logger.warn(`${error.describe()} Setup is tried again in ${waitMs / 1000} s (attempt ${attempt} of ${SETUP_ATTEMPTS})`);
          await this.o.clock.sleep(waitMs, signal);
        }
      }
    }
    if (failures.length > 0) throw failures[0]!;
  }

  async openOutputs(): Promise<void> {
    for (const output of this.o.outputs) await output.open();
  }

  /**
   * Runs every service until `signal` aborts (or, with `once`, until each is caught up).
   * Resolves with the errors of services that failed in `once` mode.
   */
  async run(signal: AbortSignal, once: boolean): Promise<SiphonError[]> {
    const runners = this.o.inputs.flatMap((i) => i.runners);
    for (const runner of runners) await runner.loadState();
    const errors: SiphonError[] = [];
    await Promise.all(
      runners.map(async (runner) => {
        try {
          await runner.run(signal, once);
        } catch (err) {
          errors.push(toSiphonError(err));
        }
      }),
    );
    return errors;
  }

  async close(): Promise<void> {
    for (const output of this.o.outputs) {
      try {
        await output.close();
      } catch (err) {
        this.o.logger.warn(`Closing output ${output.name} failed: ${toSiphonError(err).message}`);
      }
    }
    await this.o.store.close();
  }

  get statuses(): readonly ServiceStatus[] {
    return this.o.statuses;
  }
}
