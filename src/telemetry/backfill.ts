// Progress of a long back-fill, told by event times: the share of the time from the start to
// now that is delivered, and an estimate of the time left from the pace so far. Logged at
// most every 30 s, and shown in the status.

import type { Logger } from '../core/contracts.js';
import { describeDuration } from './stream-health.js';
import type { BackfillProgress } from './status-types.js';

const LOG_EVERY_MS = 30_000;

export class BackfillTracker {
  /** Where the back-fill started, in event time: the configured start, else the first position seen. */
  private from: number | null;
  /** The first position seen and when, for the pace. */
  private paceStart: { position: number; at: number } | undefined;
  private lastLogAt: number | undefined;

  constructor(
    startMs: number | null,
    private readonly logger: Logger,
  ) {
    this.from = startMs;
  }

  /** A resumed stream without a configured start measures from where it resumes. */
  resumeFrom(position: number | null): void {
    this.from ??= position;
  }

  /** A page of the back-fill is committed: logs the progress when the last line is 30 s old. */
  progress(position: number | null, now: number): void {
    if (position === null) return;
    this.from ??= position;
    this.paceStart ??= { position, at: now };
    if (this.lastLogAt === undefined) {
      this.lastLogAt = now; // the first line after 30 s of work, when the pace means something
      return;
    }
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    const p = this.snapshot(position, now);
    if (!p) return;
    const left = p.eta_seconds === undefined ? '' : `; about ${describeDuration(p.eta_seconds * 1000)} left`;
    this.logger.info(`Back-fill progress: ${p.percent.toFixed(1)}% of the time from ${p.from} to now is delivered (newest event ${p.position})${left}`);
  }

  snapshot(position: number | null, now: number): BackfillProgress | null {
    if (position === null || this.from === null) return null;
    const span = now - this.from;
    const done = Math.min(Math.max(position - this.from, 0), span);
    const percent = span <= 0 ? 100 : Math.round((done / span) * 1000) / 10;
    const progress: BackfillProgress = {
      from: new Date(this.from).toISOString(),
      to: new Date(now).toISOString(),
      position: new Date(position).toISOString(),
      percent,
    };
    const pace = this.paceStart;
    if (pace && now > pace.at && position > pace.position) {
      const eventMsPerMs = (position - pace.position) / (now - pace.at);
      progress.eta_seconds = Math.round((now - position) / eventMsPerMs / 1000);
    }
    return progress;
  }
}
