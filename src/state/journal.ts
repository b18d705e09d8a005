// What an output that cannot read back what it holds remembers of what it acknowledged (see
// src/app/journaled-output.ts): the dedup keys, per input and service, of its recent writes.
// Kept in files beside the state (delivery-journal.ts) or in the database with it
// (postgres/journal.ts, where every replica of a cluster sees what the others delivered).

import type { OutputRecord, VendorEvent } from '../core/contracts.js';

export interface DeliveryJournal {
  /** Indexes of `records` this output acknowledged before (matched on input, service and key; `keyOf` for records without one). */
  find(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>>;
  /**
   * Remembers the keyed records of an acknowledged write. Never rejects: a journal that cannot be
   * written only means this output may get those records again after a restart (warned).
   */
  record(records: readonly OutputRecord[]): Promise<void>;
  /**
   * The service starts afresh: what was noted for it no longer counts. Rejects when that cannot
   * be noted: recovery would otherwise skip records that re-ingestion must deliver.
   */
  forget(input: string, service: string): Promise<void>;
  /** Waits for the notes in flight. */
  close(): Promise<void>;
}
