// The event of a record as JSON text: the pipeline serialises each event once (it sizes the
// delivery queue with it), and every output reuses that text.
import type { OutputRecord } from '../core/contracts.js';

export function eventText(record: OutputRecord): string {
  return record.event === undefined ? record.eventJson : (record.eventJson ?? JSON.stringify(record.event));
}
