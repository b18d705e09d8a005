// One attempt's abort signal: it aborts on the caller's stop signal or when the attempt's
// overall deadline passes, whichever comes first, and says which. A listener on the caller's
// long-lived stop signal is removed when the attempt ends (AbortSignal.any would keep one per
// attempt alive on some Node versions).

export class AttemptDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private passed = false;
  private readonly onStop = (): void => this.controller.abort(this.stop?.reason);

  constructor(
    deadlineMs: number,
    private readonly stop: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.passed = true;
      this.controller.abort(new Error(`deadline of ${deadlineMs} ms passed`));
    }, deadlineMs);
    this.timer.unref();
    if (stop?.aborted) this.onStop();
    else stop?.addEventListener('abort', this.onStop, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when the deadline, not the caller, ended the attempt. */
  get expired(): boolean {
    return this.passed && !this.stop?.aborted;
  }

  /** Call when the attempt is over, whatever its outcome. */
  dispose(): void {
    clearTimeout(this.timer);
    this.stop?.removeEventListener('abort', this.onStop);
  }
}
