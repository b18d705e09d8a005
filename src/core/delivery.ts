// What a stream (and the heartbeat) sees of the delivery queue: hand records over, learn
// when every output has them. Implemented by DeliveryQueue (delivery-queue.ts).

import type { OutputRecord, StateKey, VendorEvent } from './contracts.js';

export interface SubmitOptions {
  /**
   * The records may be a replay: pulled again after a restart (or a failed cycle), they may
   * have reached some outputs before without being committed. Each output's lane then asks
   * its output which of them it already holds (`Output.findDelivered`) and writes only the rest.
   * `keyOf` gives an event's dedup key, for records that carry none.
   */
  readonly replay?: { readonly keyOf: (event: VendorEvent) => string | undefined };
}

/** What the outputs already held of a replayed page (all zero for any other page). */
export interface Receipt {
  /** Records every output carrying them already held: delivered by an earlier run, not this one. */
  readonly heldByEvery: number;
  /** The most records one output already held; 0 when no output had any of them. */
  readonly heldByOne: number;
}

/** A page handed to the queue: `acked` settles when every output carrying it has it. */
export interface Submission {
  readonly acked: Promise<Receipt>;
}

export interface Delivery {
  /** Waits for room in the queue (back-pressure), then queues the records. */
  submit(records: readonly OutputRecord[], options?: SubmitOptions): Promise<Submission>;
  /** The stream starts afresh: outputs forget what they noted as delivered for it. */
  forgetDelivered(key: StateKey): Promise<void>;
}
