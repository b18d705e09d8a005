// Response delays (the "slow responses" fault) that never hold a process open and can all
// be cut short when a simulator closes.

/** Sleeps on a real timer that does not keep the process alive and can be cancelled. */
export class Delays {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  /** Resolves at once for ms <= 0, so callers pass the fault's delay as it is (0 when off). */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      entry.timer.unref();
      this.pending.add(entry);
    });
  }

  /** Ends every pending wait now (on shutdown). */
  cancelAll(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.pending.clear();
  }
}
