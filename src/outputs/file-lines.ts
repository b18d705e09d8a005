// The file output's NDJSON lines, {"tag","input","service","event"[,"key"]}, encoded as UTF-8
// into one reusable chunk and handed on chunk by chunk. Joining a batch's lines into one
// string and encoding that (Buffer.from) cost more than everything else the output does: V8
// flattens the joined string (tens of thousands of pieces) and copies it again into a buffer
// of the batch's size. Here each piece of a line is encoded straight into the chunk (the
// shared prefix made once a batch), nothing per line is left for the garbage collector, and
// memory stays at one chunk whatever the batch size.

import type { OutputRecord } from '../core/contracts.js';
import { eventText } from './event-text.js';
import { linePrefix } from './line-prefix.js';

export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair: 2 units, 4 bytes). */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const KEY_OPEN = ',"key":"';
const KEYED_CLOSE = '"}\n';
const CLOSE = '}\n';
/** Whether JSON.stringify would escape something in `text` (quotes, backslashes, controls, surrogates). */
function needsEscaping(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** A record's whole line as text (what the chunks hold, for a line too long for one). */
export function lineText(record: OutputRecord): string {
  const event = eventText(record);
  return record.key === undefined ? `${linePrefix(record)}${event}}\n` : `${linePrefix(record)}${event},"key":${JSON.stringify(record.key)}}\n`;
}

export class FileLines {
  /** Allocated on first use, then reused: one send at a time (the file output's queue runs them one by one). */
  private chunk: Buffer | undefined;
  private used = 0;

  constructor(private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {}

  /**
   * Encodes every record's line, in order, and awaits `sink` for each full chunk and the
   * last one. The bytes handed to `sink` are only valid until it resolves (the chunk is reused).
   */
  async send(records: readonly OutputRecord[], sink: (bytes: Uint8Array) => Promise<void>): Promise<void> {
    const chunk = (this.chunk ??= Buffer.allocUnsafe(this.chunkBytes));
    this.used = 0;
    try {
      // Records of one batch usually share tag, input and service: their prefix is encoded once.
      let prefixOf: OutputRecord | undefined;
      let prefix = '';
      for (const record of records) {
        if (!prefixOf || record.tag !== prefixOf.tag || record.input !== prefixOf.input || record.service !== prefixOf.service) {
          prefixOf = record;
          prefix = linePrefix(record);
        }
        const event = eventText(record);
        // The dedup key rides along for crash recovery (see file-recovery.ts); a key that would
        // need escaping (never one Siphon makes) goes through JSON.stringify.
        const key = record.key;
        const plainKey = key === undefined || !needsEscaping(key);
        const mostBytes = (prefix.length + event.length + (key?.length ?? 0) + KEY_OPEN.length + KEYED_CLOSE.length) * MAX_UTF8_BYTES_PER_UNIT;
        if (!plainKey || mostBytes > chunk.length - this.used) {
          if (this.used > 0) await sink(chunk.subarray(0, this.used));
          this.used = 0;
          if (!plainKey || mostBytes > chunk.length) {
            await sink(Buffer.from(lineText(record), 'utf8'));
            continue;
          }
        }
        this.put(chunk, prefix);
        this.put(chunk, event);
        if (key === undefined) {
          this.put(chunk, CLOSE);
        } else {
          this.put(chunk, KEY_OPEN);
          this.put(chunk, key);
          this.put(chunk, KEYED_CLOSE);
        }
      }
      if (this.used > 0) await sink(chunk.subarray(0, this.used));
    } finally {
      this.used = 0;
    }
  }

  /** Encodes text known to fit. */
  private put(chunk: Buffer, text: string): void {
    this.used += chunk.write(text, this.used, 'utf8');
  }
}
