// What the simulator saw: audit_infos request counts and times (to check a client's
// pacing against 100/min), token endpoint use, and the last requests in detail (query as
// received, status, body code, page size, which token was used).

import { RecentTimes, RecentValues } from '../common/recent.js';
import type { LarkRequestRecord, LarkSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private tokenRequests = 0;
  private readonly times = new RecentTimes(MAX_TIMES);
  private readonly records = new RecentValues<LarkRequestRecord>(MAX_RECORDS);

  constructor(private readonly tokensIssued: () => number) {}

  /** An audit_infos request arrived (before any check or fault). */
  auditArrived(nowMs: number): void {
    this.requests++;
    this.times.push(nowMs);
  }

  tokenArrived(): void {
    this.tokenRequests++;
  }

  /** A request to either endpoint has been answered. */
  answered(record: LarkRequestRecord): void {
    this.records.push(record);
  }

  snapshot(): LarkSimulatorStats {
    const requestTimes = this.times.list();
    const lastRequests = this.records.list((r) => ({ ...r, query: { ...r.query } }));
    return { requests: this.requests, requestTimes, tokenRequests: this.tokenRequests, tokensIssued: this.tokensIssued(), lastRequests };
  }
}
