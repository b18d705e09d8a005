// Checkpoint writes of one service, in page order, while the runner already prepares and
// delivers the next pages. The caller enqueues a snapshot only once its page (and every page
// before it) is acknowledged, so a saved record never covers an event that is not delivered.
// A snapshot is cumulative (cursor, dedup memory, counters), so when several pages are
// acknowledged while a write is in flight, only the newest of them is written next: at most
// one write in flight and one snapshot waiting, however far the outputs run ahead of the
// disk, and each page's `onCommitted` runs once a record covering it is saved. After the
// first failure nothing more is written, and the failure is raised at the next enqueue or flush.

import type { Checkpoint, StateKey, StateStore } from './contracts.js';

interface Waiting {
  state: Checkpoint;
  readonly onCommitted: Array<(saved: Checkpoint) => void>;
}

export class OrderedCommits {
  private writing: Promise<void> | undefined;
  private waiting: Waiting | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly key: StateKey,
    private revision: number,
  ) {}

  /** Queues the write of `state`, which covers every state queued before it; `onCommitted` once a record covering it is saved. */
  enqueue(state: Checkpoint, onCommitted: (saved: Checkpoint) => void): void {
    this.throwIfFailed();
    if (this.waiting) {
      this.waiting.state = state;
      this.waiting.onCommitted.push(onCommitted);
    } else {
      this.waiting = { state, onCommitted: [onCommitted] };
    }
    this.writing ??= this.writeWaiting();
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves when every queued state is on disk; rejects with the first failure. */
  async flush(): Promise<void> {
    await this.writing;
    this.throwIfFailed();
  }

  private async writeWaiting(): Promise<void> {
    // Started from enqueue(): the store is called on a later tick, never inside the caller.
    await Promise.resolve();
    try {
      while (this.waiting) {
        const { state, onCommitted } = this.waiting;
        this.waiting = undefined;
        const saved = await this.store.put(this.key, state, this.revision);
        this.revision = saved.revision;
        for (const committed of onCommitted) committed(saved);
      }
    } catch (error) {
      this.failure ??= { error };
      this.waiting = undefined;
    } finally {
      this.writing = undefined;
    }
  }
}
