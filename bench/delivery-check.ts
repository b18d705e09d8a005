// Did every event arrive exactly once? Reads an NDJSON file line by line and marks each
// event's number (from its id) in a bitmap: ten million events cost 1.25 MB, not ten
// million strings. The first `"uuid":"` of a line is the event's own (its first key, in
// the vendor's order, which Siphon and the baselines keep).
import { createReadStream } from 'node:fs';

export interface DeliveryCheck {
  readonly lines: number;
  /** Events of the history seen at least once. */
  readonly distinct: number;
  /** Lines whose event had been seen already. */
  readonly duplicates: number;
  /** Lines without an id of the history (no uuid, one that is no event of it, a last line cut short). */
  readonly unknown: number;
}

const KEY = Buffer.from('"uuid":"');
const UUID_LENGTH = 26;

/** `eventNumber` maps an id to its event's number (0 .. expected-1), or undefined. */
export async function checkDelivery(path: string, expected: number, eventNumber: (uuid: string) => number | undefined): Promise<DeliveryCheck> {
  const seen = new Uint8Array(Math.ceil(expected / 8));
  let lines = 0;
  let distinct = 0;
  let duplicates = 0;
  let unknown = 0;
  const line = (buf: Buffer, start: number, end: number): void => {
    lines++;
    const at = buf.indexOf(KEY, start);
    const from = at + KEY.length;
    const n = at < 0 || from + UUID_LENGTH > end ? undefined : eventNumber(buf.toString('latin1', from, from + UUID_LENGTH));
    if (n === undefined || n >= expected) return void unknown++;
    const bit = 1 << (n & 7);
    const byte = seen[n >> 3] ?? 0;
    if (byte & bit) duplicates++;
    else {
      seen[n >> 3] = byte | bit;
      distinct++;
    }
  };
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      line(buf, start, nl);
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  // A last line without its newline is no whole event.
  if (rest.length > 0) {
    lines++;
    unknown++;
  }
  return { lines, distinct, duplicates, unknown };
}
