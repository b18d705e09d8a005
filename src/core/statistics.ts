// The statistics of one pull cycle, printed in the seeds' wording so existing alerts match:
// Statistics for this pull cycle (@devo_pulling_id=1690677764399):Number of requests made: 3;
// Number of events received: 264; Number of duplicated events filtered out: 2; Number of events
// generated and sent: 262; Average of events per second: 25.892.

export class CycleStatistics {
  requests = 0;
  received = 0;
  duplicates = 0;
  sent = 0;
  obfuscatedFields = 0;
  /** Events delivered whose time was too absurd to move any position (see core/event-time.ts). */
  implausibleTimes = 0;
  /** Events that could not be serialised, delivered as a small stand-in record instead. */
  unserializable = 0;
  caughtUp = false;
  finishedAt: number | undefined;

  constructor(
    readonly pullingId: number,
    readonly startedAt: number,
  ) {}

  eventsPerSecond(nowMs: number): number {
    const seconds = Math.max(0.001, ((this.finishedAt ?? nowMs) - this.startedAt) / 1000);
    return this.sent / seconds;
  }

  describe(nowMs: number): string {
    return (
      `Statistics for this pull cycle (@devo_pulling_id=${this.pullingId}):` +
      `Number of requests made: ${this.requests}; ` +
      `Number of events received: ${this.received}; ` +
      `Number of duplicated events filtered out: ${this.duplicates}; ` +
      `Number of events generated and sent: ${this.sent}; ` +
      `Average of events per second: ${this.eventsPerSecond(nowMs).toFixed(3)}; ` +
      `Number of obfuscated fields: ${this.obfuscatedFields}` +
      // Only when there were any, so the seeds' line (and the alerts reading it) stays as it was.
      (this.implausibleTimes > 0 ? `; Number of events with an implausible time: ${this.implausibleTimes}` : '') +
      (this.unserializable > 0 ? `; Number of unserializable events replaced: ${this.unserializable}` : '') +
      '.'
    );
  }
}
