// What the simulator saw: log request counts and times (to check a client's pacing against
// the org's limit), refusals by that limit, token endpoint use, and the last requests in
// detail (query as received, status, outcome, page size, how they authenticated).

import { RecentTimes, RecentValues } from '../common/recent.js';
import type { OktaRequestRecord, OktaSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private refusals = 0;
  private tokenRequests = 0;
  private readonly times = new RecentTimes(MAX_TIMES);
  private readonly records = new RecentValues<OktaRequestRecord>(MAX_RECORDS);

  constructor(private readonly tokensIssued: () => number) {}

  /** A log request arrived (before any check or fault). */
  logsArrived(nowMs: number): void {
    this.requests++;
    this.times.push(nowMs);
  }

  /** The org's window was used up. */
  rateLimitRefused(): void {
    this.refusals++;
  }

  tokenArrived(): void {
    this.tokenRequests++;
  }

  /** A request to either endpoint has been answered. */
  answered(record: OktaRequestRecord): void {
    this.records.push(record);
  }

  snapshot(): OktaSimulatorStats {
    return {
      requests: this.requests,
      requestTimes: this.times.list(),
      rateLimitRefusals: this.refusals,
      tokenRequests: this.tokenRequests,
      tokensIssued: this.tokensIssued(),
      lastRequests: this.records.list((r) => ({ ...r, query: { ...r.query } })),
    };
  }
}
