// What the simulator saw: activities request counts and times (to check a client's pacing
// against 30/s), the X-Accellion-Version values sent, token endpoint use and grants, and the
// last requests in detail (query as received, status, outcome, page size, which token).

import type { KiteworksRequestRecord, KiteworksSimulatorStats } from './types.js';

const MAX_TIMES = 100_000;
const MAX_RECORDS = 1_000;

export class StatsRecorder {
  private requests = 0;
  private tokenRequests = 0;
  private versionMissing = 0;
  private readonly versions = new Set<string>();
  /** Ring buffers: O(1) per request, newest kept. */
  private readonly times = new Float64Array(MAX_TIMES);
  private timesWritten = 0;
  private readonly records: KiteworksRequestRecord[] = new Array<KiteworksRequestRecord>(MAX_RECORDS);
  private recordsWritten = 0;

  constructor(
    private readonly tokensIssued: () => number,
    private readonly grants: () => Record<string, number>,
  ) {}

  /** An activities request arrived (before any check or fault), with its X-Accellion-Version header if any. */
  activitiesArrived(nowMs: number, version: string | undefined): void {
    this.requests++;
    this.times[this.timesWritten % MAX_TIMES] = nowMs;
    this.timesWritten++;
    if (version === undefined) this.versionMissing++;
    else this.versions.add(version);
  }

  tokenArrived(): void {
    this.tokenRequests++;
  }

  /** A request to either endpoint has been answered. */
  answered(record: KiteworksRequestRecord): void {
    this.records[this.recordsWritten % MAX_RECORDS] = record;
    this.recordsWritten++;
  }

  snapshot(): KiteworksSimulatorStats {
    const keptTimes = Math.min(this.timesWritten, MAX_TIMES);
    const requestTimes = new Array<number>(keptTimes);
    for (let k = 0; k < keptTimes; k++) requestTimes[k] = this.times[(this.timesWritten - keptTimes + k) % MAX_TIMES] ?? 0;
    const keptRecords = Math.min(this.recordsWritten, MAX_RECORDS);
    const lastRequests: KiteworksRequestRecord[] = [];
    for (let k = 0; k < keptRecords; k++) {
      const r = this.records[(this.recordsWritten - keptRecords + k) % MAX_RECORDS];
      if (r) lastRequests.push({ ...r, query: { ...r.query } });
    }
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
