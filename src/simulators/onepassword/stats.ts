// What the simulator saw: counts per path and status, and the time of every API request
// so tests and the benchmark can check a client kept within its rate budget.

import { RecentTimes } from '../common/recent.js';
import { EVENT_KINDS, type OnePasswordEventKind, type SimulatorStats } from './types.js';

const MAX_TIMES = 100_000;

export class StatsRecorder {
  private requests = 0;
  private readonly byPath = new Map<string, number>();
  private readonly status = new Map<string, number>();
  private readonly times = new RecentTimes(MAX_TIMES);
  private readonly served = new Map<OnePasswordEventKind, number>();

  request(path: string, nowMs: number): void {
    this.requests++;
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
    this.times.push(nowMs);
  }

  response(status: number): void {
    const key = String(status);
    this.status.set(key, (this.status.get(key) ?? 0) + 1);
  }

  servedItems(kind: OnePasswordEventKind, n: number): void {
    this.served.set(kind, (this.served.get(kind) ?? 0) + n);
  }

  snapshot(): SimulatorStats {
    const requestTimes = this.times.list();
    const served = {} as Record<OnePasswordEventKind, number>;
    for (const kind of EVENT_KINDS) served[kind] = this.served.get(kind) ?? 0;
    return {
      requests: this.requests,
      byPath: Object.fromEntries(this.byPath),
      status: Object.fromEntries(this.status),
      requestTimes,
      served,
    };
  }
}
