// Outputs are shared by every service; each write must land whole and in order.
// This queues writes so only one runs at a time, without holding more than the
// callers' own batches (back-pressure: callers await their write).

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    // Keep the chain alive after a failure; the caller sees the rejection.
    this.tail = next.catch(() => undefined);
    return next;
  }
}
