// What the simulator saw: request counts and times (to check a client's pacing), and the
// last requests in detail (where `next` was put, its JSON type, what was answered), so a
// test can check how a collector talks to the API, not only what it stored.

import type { LastPassRequestRecord, LastPassSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private readonly byCmd = new Map<string, number>();
  /** Ring buffers: O(1) per request, newest kept. */
  private readonly times = new Float64Array(MAX_TIMES);
  private timesWritten = 0;
  private readonly records: LastPassRequestRecord[] = new Array<LastPassRequestRecord>(MAX_RECORDS);
  private recordsWritten = 0;

  /** A request arrived (before any fault is applied). */
  arrived(nowMs: number): void {
    this.requests++;
    this.times[this.timesWritten % MAX_TIMES] = nowMs;
    this.timesWritten++;
  }

  /** The request has been answered. */
  answered(record: LastPassRequestRecord): void {
    this.byCmd.set(record.cmd, (this.byCmd.get(record.cmd) ?? 0) + 1);
    this.records[this.recordsWritten % MAX_RECORDS] = record;
    this.recordsWritten++;
  }

  snapshot(): LastPassSimulatorStats {
    const keptTimes = Math.min(this.timesWritten, MAX_TIMES);
    const requestTimes = new Array<number>(keptTimes);
    for (let k = 0; k < keptTimes; k++) requestTimes[k] = this.times[(this.timesWritten - keptTimes + k) % MAX_TIMES] ?? 0;
    const keptRecords = Math.min(this.recordsWritten, MAX_RECORDS);
    const lastRequests: LastPassRequestRecord[] = [];
    for (let k = 0; k < keptRecords; k++) {
      const r = this.records[(this.recordsWritten - keptRecords + k) % MAX_RECORDS];
      if (r) lastRequests.push({ ...r });
    }
    return { requests: this.requests, requestTimes, byCmd: Object.fromEntries(this.byCmd), lastRequests };
  }
}
