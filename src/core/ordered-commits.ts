// Checkpoint writes of one service, queued so they run one after another and in order,
// while the runner already prepares and delivers the next page. The caller enqueues a
// snapshot only once its page is acknowledged, so a saved record never covers an event
// that is not delivered. After the first failure nothing more is written, and the failure
// is raised at the next enqueue or flush.

import type { Checkpoint, StateKey, StateStore } from './contracts.js';

export class OrderedCommits {
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly key: StateKey,
    private revision: number,
  ) {}

  /** Queues the write of `state` after every write queued before it; `onCommitted` once it is saved. */
  enqueue(state: Checkpoint, onCommitted: (saved: Checkpoint) => void): void {
    this.throwIfFailed();
    this.chain = this.chain.then(async () => {
      const saved = await this.store.put(this.key, state, this.revision);
      this.revision = saved.revision;
      onCommitted(saved);
    });
    this.chain.catch((error: unknown) => {
      this.failure ??= { error };
    });
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves when every queued write is on disk; rejects with the first failure. */
  async flush(): Promise<void> {
    await this.chain;
  }
}
