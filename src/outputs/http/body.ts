// Request bodies of the `http` output: one line per event, and the cut of a batch into POSTs
// that respect both the event and the byte limits. Events go in as the pipeline serialised
// them (eventText), spliced after a JSON prefix, never parsed and written again.

import type { OutputRecord } from '../../core/contracts.js';
import { eventText } from '../event-text.js';
import { linePrefix } from '../line-prefix.js';

/** The JSON text of a line up to `"event":`; the event and `}` follow. */
export type LinePrefix = (record: OutputRecord) => string;

/** NDJSON: {"tag","input","service","event"}. */
export const ndjsonPrefix: LinePrefix = linePrefix;

export interface HecFields {
  readonly host: string;
  readonly index?: string | undefined;
}

/** Splunk HEC event envelope; `time` is left out, so Splunk stamps the time it receives the event. */
export function hecPrefix(fields: HecFields): LinePrefix {
  const host = JSON.stringify(fields.host);
  const index = fields.index === undefined ? '' : `,"index":${JSON.stringify(fields.index)}`;
  return (record) =>
    `{"host":${host},"source":${JSON.stringify(`siphon:${record.input}/${record.service}`)},"sourcetype":${JSON.stringify(record.tag)}${index},"event":`;
}

/** One line per record, each ending with a newline. */
export function eventLines(records: readonly OutputRecord[], prefixOf: LinePrefix): string[] {
  const lines: string[] = [];
  // The records of a batch usually share tag, input and service: build the prefix once.
  let last: OutputRecord | undefined;
  let prefix = '';
  for (const record of records) {
    if (!last || record.tag !== last.tag || record.input !== last.input || record.service !== last.service) {
      last = record;
      prefix = prefixOf(record);
    }
    lines.push(`${prefix}${eventText(record)}}\n`);
  }
  return lines;
}

/** Lines [start, end) of one POST, `bytes` long uncompressed. */
export interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
}

/**
 * Cuts the lines into as few POSTs as the limits allow, in order. A line longer than
 * `maxBytes` on its own still gets a POST of its own: it cannot be cut, and dropping it is not an option.
 */
export function chunkLines(lines: readonly string[], maxEvents: number, maxBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const size = Buffer.byteLength(lines[i] ?? '', 'utf8');
    const count = i - start;
    if (count > 0 && (count >= maxEvents || bytes + size > maxBytes)) {
      chunks.push({ start, end: i, bytes });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (lines.length > start) chunks.push({ start, end: lines.length, bytes });
  return chunks;
}
