// What the vendors' simulator kits share: the options every generated-log simulator takes
// from `SimulatorOptions`, and the controls every simulator answers alike.

import type { SimulatedVendor, SimulatorOptions } from '../../core/plugin.js';
import type { GeneratedLogSimulatorOptions } from './options.js';

/** The shared options, for simulators whose history is one generated event log. */
export function generatedLogOptions(options: SimulatorOptions): GeneratedLogSimulatorOptions & { rateLimit?: false } {
  return {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.events === undefined ? {} : { initialEvents: options.events }),
    ...(options.historyMs === undefined ? {} : { historyMs: options.historyMs }),
    liveEventsPerSecond: options.liveEventsPerSecond ?? 0,
    ...(options.rateLimit === false ? { rateLimit: false } : {}),
  };
}

/** What every simulator has: slow answers, a fault reset, the request times, a close. */
export interface CommonSimulator {
  readonly faults: { slowResponses(ms: number): void; reset(): void };
  stats(): { readonly requestTimes: number[] };
  close(): Promise<void>;
}

export function commonControls(sim: CommonSimulator): Pick<SimulatedVendor, 'slowResponses' | 'requestTimes' | 'resetFaults' | 'close'> {
  return {
    slowResponses: (ms) => sim.faults.slowResponses(ms),
    requestTimes: () => sim.stats().requestTimes,
    resetFaults: () => sim.faults.reset(),
    close: () => sim.close(),
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The conformance suite's history: two days, ending a minute ago (its streams start an hour before). */
export const CONFORMANCE_HISTORY_MS = 48 * HOUR_MS;

export function conformanceHistory(count: number): Array<{ from: number; to: number; count: number }> {
  const now = Date.now();
  return [{ from: now - CONFORMANCE_HISTORY_MS, to: now - 60_000, count }];
}

/** The bench's history: seven days ending a day ago; Siphon starts two days before it. */
export function benchHistory(count: number): { from: number; to: number; history: Array<{ from: number; to: number; count: number }> } {
  const to = Date.now() - DAY_MS;
  const from = to - 7 * DAY_MS;
  return { from, to, history: [{ from, to, count }] };
}

/** Where the bench's Siphon input starts: before any event of `benchHistory`. */
export const BENCH_START_AGO_MS = 9 * DAY_MS;

/** New events for the conformance suite's second run: 30 now, 10 late. */
export function addRecentAndLate(sim: { addEvents(n: number, options?: { late?: boolean }): unknown }): void {
  sim.addEvents(30);
  sim.addEvents(10, { late: true });
}
