// The start of an NDJSON event line, {"tag","input","service","event": (the event follows):
// the file output's lines and the http output's NDJSON bodies share it, and the file output's
// crash recovery finds a service's lines by its middle part.

import type { OutputRecord } from '../core/contracts.js';

/**
 * The `"input":…,"service":…` part of a line: what crash recovery looks for to find a service's
 * lines (JSON.stringify writes a string one way only, so equal names give equal text).
 */
export function serviceScope(input: string, service: string): string {
  return `"input":${JSON.stringify(input)},"service":${JSON.stringify(service)}`;
}

/** The start of a record's line, {"tag","input","service","event": — the event (and its "key") follow. */
export function linePrefix(record: OutputRecord): string {
  return `{"tag":${JSON.stringify(record.tag)},${serviceScope(record.input, record.service)},"event":`;
}
