// Dedup keys for LastPass events, which have no id. Two events are the same event when their
// content is the same AND they are the same occurrence: a user failing to log in twice in one
// second produces two identical events, and both must be delivered. So the key is a hash of
// the content (which includes the Time) plus the event's rank among identical events in the
// same read of that second: "k3Jd…Q.0", "k3Jd…Q.1". A later read of the same second numbers
// them again from 0, so replays map onto the keys already remembered, and one more identical
// event arriving late gets the next number and is delivered.

import { hash } from 'node:crypto';
import type { VendorEvent } from '../../core/contracts.js';

/** Counts carried from one page to the next: pages split anywhere, even inside a second. */
export type OccurrenceCarry = {
  /** The Time of the oldest events of the previous page (pages are served newest first). */
  time: string;
  /** Content hash -> how many were numbered already in that second. */
  counts: Record<string, number>;
};

/** The documented fields, all strings. */
const FIELDS = ['Time', 'Username', 'IP_Address', 'Action', 'Data'] as const;

/** The event's content as one unambiguous text, whatever order its fields arrived in. */
function canonicalText(event: VendorEvent): string {
  // The usual event: exactly the five string fields, each written as length:value (cheap,
  // and no value can pass for another's border).
  if (!isUsualEvent(event)) return generalText(event);
  let text = 'v1|';
  for (const name of FIELDS) {
    const value = event[name] as string;
    text += `${value.length}:${value}`;
  }
  return text;
}

/** Exactly the five documented fields, all strings: the `v1|` form applies. */
function isUsualEvent(event: VendorEvent): boolean {
  // Each field read by its name (one shape for a whole page: fast) rather than through a loop
  // over FIELDS (a different key at each read: slow).
  if (typeof event['Time'] !== 'string' || typeof event['Username'] !== 'string' || typeof event['IP_Address'] !== 'string') return false;
  if (typeof event['Action'] !== 'string' || typeof event['Data'] !== 'string') return false;
  // Counted without Object.keys, which would allocate an array per event.
  let own = 0;
  for (const name in event) if (Object.hasOwn(event, name)) own++;
  return own === FIELDS.length;
}

/**
 * Content hashes of events, one after the other. The usual event's canonical text is encoded
 * straight into a scratch buffer and hashed from there: building it as a string made five
 * pieces per event and a flat copy for the hash, the largest share of what a LastPass page
 * left for the garbage collector. The bytes are the same UTF-8 the string would give, so
 * the hashes (and the keys saved with the cursor) do not change.
 */
export class ContentHasher {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  /** The content hash: every field and value (order-independent), 96 bits of SHA-256, base64url. */
  hash(event: VendorEvent): string {
    const length = isUsualEvent(event) ? this.encodeUsual(event) : undefined;
    const digest = length === undefined ? hash('sha256', canonicalText(event), 'base64url') : hash('sha256', this.scratch.subarray(0, length), 'base64url');
    return digest.slice(0, 16);
  }

  /** `v1|` and length:value of each field, as UTF-8 into the scratch buffer; its length, or undefined when it may not fit. */
  private encodeUsual(event: VendorEvent): number | undefined {
    // isUsualEvent said these are strings; each read by its name, as there.
    const time = event['Time'] as string;
    const username = event['Username'] as string;
    const address = event['IP_Address'] as string;
    const action = event['Action'] as string;
    const data = event['Data'] as string;
    const units = time.length + username.length + address.length + action.length + data.length;
    const most = V1.length + FIELDS.length * (MAX_LENGTH_DIGITS + 1) + units * MAX_UTF8_BYTES_PER_UNIT;
    if (most > this.scratch.length) return undefined;
    let at = this.scratch.write(V1, 0, 'latin1');
    at = this.field(at, time);
    at = this.field(at, username);
    at = this.field(at, address);
    at = this.field(at, action);
    return this.field(at, data);
  }

  /** `length:value` at `at`, the value as UTF-8; returns the position after it. */
  private field(at: number, value: string): number {
    const scratch = this.scratch;
    let next = writeDecimal(scratch, at, value.length);
    scratch[next++] = COLON;
    return next + scratch.write(value, next, 'utf8');
  }
}

const V1 = 'v1|';
const COLON = 0x3a;
/** A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair: 2 units, 4 bytes). */
const MAX_UTF8_BYTES_PER_UNIT = 3;
/** A string's length has at most 10 decimal digits (2^30 units). */
const MAX_LENGTH_DIGITS = 10;
/** Events longer than about a third of this are hashed from their text instead. */
const SCRATCH_BYTES = 4096;

/** Writes `n` (a whole number >= 0) in ASCII decimal at `at`; returns the position after it. */
function writeDecimal(buffer: Buffer, at: number, n: number): number {
  // Most values are under 100 characters long.
  if (n < 10) {
    buffer[at] = 0x30 + n;
    return at + 1;
  }
  if (n < 100) {
    buffer[at] = 0x30 + Math.floor(n / 10);
    buffer[at + 1] = 0x30 + (n % 10);
    return at + 2;
  }
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    buffer[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** Any other shape: the fields sorted by name, as JSON. */
function generalText(event: VendorEvent): string {
  const fields = Object.keys(event).sort().map((name) => [name, event[name]]);
  try {
    return `v2|${JSON.stringify(fields)}`;
  } catch (err) {
    // Nested too deeply for JSON.stringify: the key must still be computed, or the page would
    // fail for ever. The framework delivers such an event as a stand-in record.
    if (!(err instanceof RangeError)) throw err;
    return `v3|${depthBoundedJson(fields, MAX_KEY_DEPTH)}`;
  }
}

/** Beyond this depth a value's content no longer tells events apart (the occurrence rank still does). */
const MAX_KEY_DEPTH = 1_000;
const TOO_DEEP = '\u0000nested too deep\u0000';

/** JSON text of `value` with everything nested deeper than `maxDepth` replaced by a marker. */
function depthBoundedJson(value: unknown, maxDepth: number): string {
  const depthOf = new WeakMap<object, number>();
  return JSON.stringify(value, function (this: unknown, _key: string, child: unknown): unknown {
    if (typeof child !== 'object' || child === null) return child;
    const depth = (typeof this === 'object' && this !== null ? (depthOf.get(this) ?? 0) : 0) + 1;
    if (depth > maxDepth) return TOO_DEEP;
    depthOf.set(child, depth);
    return child;
  });
}

/** The content hash of one event (see ContentHasher). */
export function contentHash(event: VendorEvent): string {
  return new ContentHasher().hash(event);
}

/**
 * Numbers the events of one page (served newest first). `carry` continues the previous
 * page's oldest second within the same pass; returns the keys (same order as `events`) and
 * the carry for the next page.
 */
export function occurrenceKeys(
  events: readonly VendorEvent[],
  carry: OccurrenceCarry | null,
): { keys: string[]; carry: OccurrenceCarry | null } {
  const counts = new Map<string, number>();
  if (carry) for (const [hash, n] of Object.entries(carry.counts)) counts.set(hash, n);
  // Identical events share their Time (it is hashed), so when the page is served newest first
  // (as the API does), the counts of a second are needed only while that second lasts: the
  // map then holds one second instead of growing to the page's size. Any other order keeps
  // every count, as the keys must not depend on the order.
  const bySecond = isNewestFirst(events, carry);
  let second = carry?.time;
  const keys = new Array<string>(events.length);
  const hashes = new Array<string>(events.length);
  const hasher = new ContentHasher();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (bySecond) {
      const time = String(event['Time']);
      if (time !== second) {
        if (counts.size > 0) counts.clear();
        second = time;
      }
    }
    const hash = hasher.hash(event);
    const n = counts.get(hash) ?? 0;
    counts.set(hash, n + 1);
    keys[i] = `${hash}.${n}`;
    hashes[i] = hash;
  }
  const last = events[events.length - 1];
  if (!last) return { keys, carry };
  const time = String(last['Time']);
  // Only the oldest second can continue on the next page; the hash includes the Time, so
  // the hashes of that second's events are exactly the ones to carry.
  const nextCounts: Record<string, number> = {};
  for (let i = events.length - 1; i >= 0 && String(events[i]!['Time']) === time; i--) {
    const hash = hashes[i]!;
    nextCounts[hash] = counts.get(hash) ?? 0;
  }
  // The previous carry's counts of this same second stay counted even if not seen here.
  if (carry && carry.time === time) for (const [hash, n] of Object.entries(carry.counts)) nextCounts[hash] ??= n;
  return { keys, carry: { time, counts: nextCounts } };
}

/** Whether every event's Time is at most the one before it (the carried second first): each second's events then come together. */
function isNewestFirst(events: readonly VendorEvent[], carry: OccurrenceCarry | null): boolean {
  let previous = carry?.time;
  for (const event of events) {
    const time = String(event['Time']);
    if (previous !== undefined && time > previous) return false;
    previous = time;
  }
  return true;
}
