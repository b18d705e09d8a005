// One stop signal drives every service of the collector. Were each service to listen on it
// directly (its sleeps, its requests, its rate-budget waits), a thousand services would stack
// a thousand listeners on one signal, and Node warns past ten (MaxListenersExceededWarning),
// which would then hide a real leak. Instead each service gets a signal of its own, aborted
// from the stop signal through a single listener; a service's own signal then carries only
// what that service is waiting for, so a listener that leaked per cycle would still be reported.

export class AbortFanOut {
  /** Each child's controller by its signal (released children are forgotten). */
  private readonly children = new Map<AbortSignal, AbortController>();
  private readonly onAbort = (): void => {
    for (const child of this.children.values()) child.abort(this.parent.reason);
  };

  constructor(private readonly parent: AbortSignal) {
    parent.addEventListener('abort', this.onAbort, { once: true });
  }

  /** A signal aborted (with the parent's reason) when the parent is; already aborted if it is. */
  child(): AbortSignal {
    const controller = new AbortController();
    if (this.parent.aborted) controller.abort(this.parent.reason);
    this.children.set(controller.signal, controller);
    return controller.signal;
  }

  /**
   * Forgets a child whose service ended. A cluster replica starts and stops inputs for as long
   * as it runs: kept, their controllers would pile up for ever.
   */
  release(child: AbortSignal): void {
    this.children.delete(child);
  }

  /** Children not released (for tests and leak checks). */
  get size(): number {
    return this.children.size;
  }

  /** Stops listening on the parent (the children keep their state). */
  dispose(): void {
    this.parent.removeEventListener('abort', this.onAbort);
  }
}
