// What the simulator saw: audit_infos request counts and times (to check a client's
// pacing against 100/min), token endpoint use, and the last requests in detail (query as
// received, status, body code, page size, which token was used).

import type { LarkRequestRecord, LarkSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private tokenRequests = 0;
  /** Ring buffers: O(1) per request, newest kept. */
  private readonly times = new Float64Array(MAX_TIMES);
  private timesWritten = 0;
  private readonly records: LarkRequestRecord[] = new Array<LarkRequestRecord>(MAX_RECORDS);
  private recordsWritten = 0;

  constructor(private readonly tokensIssued: () => number) {}

  /** An audit_infos request arrived (before any check or fault). */
  auditArrived(nowMs: number): void {
    this.requests++;
    this.times[this.timesWritten % MAX_TIMES] = nowMs;
    this.timesWritten++;
  }

  tokenArrived(): void {
    this.tokenRequests++;
  }

  /** A request to either endpoint has been answered. */
  answered(record: LarkRequestRecord): void {
    this.records[this.recordsWritten % MAX_RECORDS] = record;
    this.recordsWritten++;
  }

  snapshot(): LarkSimulatorStats {
    const keptTimes = Math.min(this.timesWritten, MAX_TIMES);
    const requestTimes = new Array<number>(keptTimes);
    for (let k = 0; k < keptTimes; k++) requestTimes[k] = this.times[(this.timesWritten - keptTimes + k) % MAX_TIMES] ?? 0;
    const keptRecords = Math.min(this.recordsWritten, MAX_RECORDS);
    const lastRequests: LarkRequestRecord[] = [];
    for (let k = 0; k < keptRecords; k++) {
      const r = this.records[(this.recordsWritten - keptRecords + k) % MAX_RECORDS];
      if (r) lastRequests.push({ ...r, query: { ...r.query } });
    }
    return { requests: this.requests, requestTimes, tokenRequests: this.tokenRequests, tokensIssued: this.tokensIssued(), lastRequests };
  }
}
