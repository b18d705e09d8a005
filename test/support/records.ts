// A delivered record's event as an object: the pipeline keeps only the JSON text of records
// that have a key (see OutputRecord), so tests that look into events parse it back.
import type { OutputRecord, VendorEvent } from '../../src/core/contracts.js';

export function eventOf(record: OutputRecord): VendorEvent {
  // JSON.parse of the pipeline's own JSON.stringify of an event object: an object again.
  return record.event !== undefined ? record.event : (JSON.parse(record.eventJson) as VendorEvent);
}
