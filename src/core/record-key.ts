// A record's dedup key, as crash recovery matches it: the key the pipeline gave it, else the
// one its connector derives from the event (records written before keys travelled with them).
import type { OutputRecord, VendorEvent } from './contracts.js';

export function recordKey(record: OutputRecord, keyOf: (event: VendorEvent) => string | undefined): string | undefined {
  return record.key ?? (record.event === undefined ? undefined : keyOf(record.event));
}
