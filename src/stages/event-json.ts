// An event as the JSON text the outputs send. A vendor can serve an event that JSON.parse
// reads but JSON.stringify cannot write back (nested 100,000 levels deep: the stack
// overflows). Such an event must not hold its stream for ever, so it is delivered as a small
// stand-in record that says what was wrong and carries the event's id and time, by which the
// original can be found at the vendor. Only these failures are caught: any other error is a
// fault of Siphon and stops the cycle as before.

import type { VendorEvent } from '../core/contracts.js';
import { describeEventTime } from '../core/event-time.js';

/**
 * JSON.stringify(event), its text joined into one piece at once. V8 builds a result longer
 * than a few dozen characters as a chain of pieces (32, 64, 128... characters) and joins them
 * only when something reads the characters: for Siphon, the output's write, after the page
 * has waited in the delivery queue. Reading one character now joins them while the page is
 * still young, so the queue holds one string per event instead of the chain (about 140 bytes
 * less per LastPass event, and less for the garbage collector to copy). Throws what
 * JSON.stringify throws (see unserializableReason).
 */
export function eventJsonText(event: VendorEvent): string {
  const text = JSON.stringify(event);
  text.charCodeAt(0);
  return text;
}

/** The stand-in's only top-level field besides @devo_pulling_id; queries and alerts can look for it. */
const UNSERIALIZABLE_FIELD = 'siphon_unserializable_event';

/** Why an error thrown while serialising (or obfuscating) one event means that event cannot be written; undefined for any other error. */
export function unserializableReason(err: unknown): string | undefined {
  if (err instanceof RangeError) {
    if (/call stack/i.test(err.message)) return `it is nested too deeply to be written as JSON (${err.message})`;
    if (/string length/i.test(err.message)) return `it is too large to be written as JSON (${err.message})`;
    return undefined;
  }
  if (err instanceof TypeError && /BigInt|circular/i.test(err.message)) return `it cannot be written as JSON (${err.message})`;
  return undefined;
}

/**
 * The record delivered instead of an event that cannot be serialised. It holds no field of
 * the event other than its dedup key (the vendor's id where there is one) and its time, so
 * nothing that obfuscation was to hide can leave through it.
 */
export function unserializableStandIn(key: string | undefined, timeMs: number | undefined, reason: string): VendorEvent {
  return {
    [UNSERIALIZABLE_FIELD]: {
      reason: `The event could not be serialised: ${reason}`,
      key: key ?? null,
      time: timeMs === undefined ? null : describeEventTime(timeMs),
    },
  };
}
