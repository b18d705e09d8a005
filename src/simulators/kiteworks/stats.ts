// What the simulator saw: activities request counts and times (to check a client's pacing
// against 30/s), the X-Accellion-Version values sent, token endpoint use and grants, and the
// last requests in detail (query as received, status, outcome, page size, which token).

import { RecentTimes, RecentValues } from '../common/recent.js';
import type { KiteworksRequestRecord, KiteworksSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private tokenRequests = 0;
  private versionMissing = 0;
  private readonly versions = new Set<string>();
  private readonly times = new RecentTimes(MAX_TIMES);
  private readonly records = new RecentValues<KiteworksRequestRecord>(MAX_RECORDS);

  constructor(
    private readonly tokensIssued: () => number,
    private readonly grants: () => Record<string, number>,
  ) {}

  /** An activities request arrived (before any check or fault), with its X-Accellion-Version header if any. */
  activitiesArrived(nowMs: number, version: string | undefined): void {
    this.requests++;
    this.times.push(nowMs);
    if (version === undefined) this.versionMissing++;
    else this.versions.add(version);
  }

  tokenArrived(): void {
    this.tokenRequests++;
  }

  /** A request to either endpoint has been answered. */
  answered(record: KiteworksRequestRecord): void {
    this.records.push(record);
  }

  snapshot(): KiteworksSimulatorStats {
    const requestTimes = this.times.list();
    const lastRequests = this.records.list((r) => ({ ...r, query: { ...r.query } }));
    return {
      requests: this.requests,
      requestTimes,
      tokenRequests: this.tokenRequests,
      tokensIssued: this.tokensIssued(),
      grants: { ...this.grants() },
      versionHeaders: [...this.versions],
      versionMissing: this.versionMissing,
      lastRequests,
    };
  }
}
