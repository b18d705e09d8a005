// What the simulator saw: request counts and times (to check a client's pacing), and the
// last requests in detail (where `next` was put, its JSON type, what was answered), so a
// test can check how a collector talks to the API, not only what it stored.

import { RecentTimes, RecentValues } from '../common/recent.js';
import type { LastPassRequestRecord, LastPassSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private readonly byCmd = new Map<string, number>();
  private readonly times = new RecentTimes(MAX_TIMES);
  private readonly records = new RecentValues<LastPassRequestRecord>(MAX_RECORDS);

  /** A request arrived (before any fault is applied). */
  arrived(nowMs: number): void {
    this.requests++;
    this.times.push(nowMs);
  }

  /** The request has been answered. */
  answered(record: LastPassRequestRecord): void {
    this.byCmd.set(record.cmd, (this.byCmd.get(record.cmd) ?? 0) + 1);
    this.records.push(record);
  }

  snapshot(): LastPassSimulatorStats {
    const requestTimes = this.times.list();
    const lastRequests = this.records.list((r) => ({ ...r }));
    return { requests: this.requests, requestTimes, byCmd: Object.fromEntries(this.byCmd), lastRequests };
  }
}
