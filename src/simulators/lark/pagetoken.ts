// The opaque page_token. It carries a keyset position (event_time and insertion seq of the
// last item served), the effective oldest/latest of the first page (so omitted defaults do
// not drift while a client pages), and a check bound to the query's other parameters. It
// is standard base64 with '+' and '=' written as %2B and %3D, like the vendor's tokens, so
// a client must URL-encode it exactly once: sent raw or double-encoded it does not decode.

import { createHash } from 'node:crypto';

export interface PagePosition {
  /** event_time of the last item served. */
  readonly time: number;
  /** Insertion seq of the last item served. */
  readonly seq: number;
  /** Effective oldest/latest of the walk (Unix seconds). */
  readonly oldest: number;
  readonly latest: number;
}

const VERSION = 1;
const MAC_BYTES = 10;
/** 1 + 4 * 8 + 10 = 43 bytes: 43 mod 3 = 1, so the base64 always ends in "==", i.e. %3D%3D. */
const TOKEN_BYTES = 1 + 32 + MAC_BYTES;
const KEY = 'siphon-lark-simulator/page_token/v1';

export function encodePageToken(pos: PagePosition, queryKey: string): string {
  const buf = Buffer.alloc(TOKEN_BYTES);
  buf.writeUInt8(VERSION, 0);
  buf.writeDoubleBE(pos.time, 1);
  buf.writeDoubleBE(pos.seq, 9);
  buf.writeDoubleBE(pos.oldest, 17);
  buf.writeDoubleBE(pos.latest, 25);
  mac(buf.subarray(0, 33), queryKey).copy(buf, 33);
  return escape(buf.toString('base64'));
}

/** The position a token names, or undefined when it is not one of ours for this query (or was mangled in transit). */
export function decodePageToken(text: string, queryKey: string): PagePosition | undefined {
  const b64 = text.replace(/%2B/g, '+').replace(/%3D/g, '=');
  // Anything else percent-encoded (%252B: encoded twice) or raw '+'/'=' (not encoded at all) is refused.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || escape(b64) !== text) return undefined;
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== TOKEN_BYTES || buf.readUInt8(0) !== VERSION) return undefined;
  if (!mac(buf.subarray(0, 33), queryKey).equals(buf.subarray(33))) return undefined;
  const pos = { time: buf.readDoubleBE(1), seq: buf.readDoubleBE(9), oldest: buf.readDoubleBE(17), latest: buf.readDoubleBE(25) };
  return Object.values(pos).every((v) => Number.isSafeInteger(v)) ? pos : undefined;
}

function escape(b64: string): string {
  return b64.replace(/\+/g, '%2B').replace(/=/g, '%3D');
}

function mac(payload: Buffer, queryKey: string): Buffer {
  return createHash('sha256').update(KEY).update(payload).update(queryKey).digest().subarray(0, MAC_BYTES);
}
