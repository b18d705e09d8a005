// Tasks that must run one at a time and in order: an output's writes (each lands whole, in
// order), a delivery journal's notes (a "forget" must not overtake the notes before it). Only
// the callers' own work is held (back-pressure: callers await their task).

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it, whether those succeeded or failed. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    // Keep the chain alive after a failure; the caller sees the rejection.
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every task queued so far has ended (never rejects). */
  async idle(): Promise<void> {
    await this.tail;
  }
}
