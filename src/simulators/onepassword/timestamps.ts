// 1Password timestamps are RFC 3339 in UTC with up to 9 fractional digits, trailing
// zeros dropped ("…21.24645983Z", "…42.484Z", "…03Z"). Events keep both the text and
// the millisecond value it denotes, so start_time comparisons match what clients parse.
// Formatting is on the hot path (200k events at start), hence the arithmetic below
// instead of toISOString per event.

import type { Prng } from '../common/prng.js';

export interface EventTime {
  readonly text: string;
  /** Milliseconds since the epoch of `text` (fraction truncated to ms, as Date.parse does). */
  readonly ms: number;
  /** Nanoseconds within that millisecond that `text` still shows (0 when truncated away). */
  readonly nanos: number;
}

/** Orders two times at full (nanosecond) precision. */
export function isBefore(a: EventTime, b: EventTime): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.nanos < b.nanos);
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Formats ms + nanoseconds within that ms with `digits` fractional digits (0-9). */
export function formatTime(ms: number, subMsNanos: number, digits: number): EventTime {
  const wholeMs = Math.floor(ms);
  const secondMs = Math.floor(wholeMs / 1000) * 1000;
  const day = Math.floor(secondMs / DAY_MS);
  const sec = (secondMs - day * DAY_MS) / 1000;
  const base = `${dayPrefix(day)}${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}:${PAD2[sec % 60]}`;
  const d = Math.max(0, Math.min(9, Math.floor(digits)));
  const unit = POW10[9 - d] ?? 1;
  // Nanoseconds within the second, cut to d digits.
  const kept = Math.floor(((wholeMs - secondMs) * 1_000_000 + Math.floor(subMsNanos)) / unit) * unit;
  const time = { ms: secondMs + Math.floor(kept / 1_000_000), nanos: kept % 1_000_000 };
  if (kept === 0) return { text: `${base}Z`, ...time };
  // Drop trailing zeros, as 1Password does.
  let value = kept;
  let width = 9;
  while (value % 10 === 0) {
    value /= 10;
    width--;
  }
  return { text: `${base}.${String(value).padStart(width, '0')}Z`, ...time };
}

/** "2024-12-02T" for a day number (days since 1970-01-01), by Hinnant's civil-from-days. */
function dayPrefix(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${PAD2[month]}-${PAD2[day]}T`;
}

/** Mostly nanosecond precision (then trailing zeros shorten it), sometimes micro, milli or none. */
export function randomTime(rng: Prng, ms: number): EventTime {
  const r = rng.next();
  const digits = r < 0.8 ? 9 : r < 0.88 ? 6 : r < 0.95 ? 3 : 0;
  return formatTime(ms, rng.int(1_000_000), digits);
}

/** Full nanosecond precision, as 1Password writes session login times. */
export function nanoTime(rng: Prng, ms: number): string {
  return formatTime(ms, rng.int(1_000_000), 9).text;
}

/** Seconds precision with a Z, as in token metadata. */
export function secondsTime(ms: number): string {
  return formatTime(ms, 0, 0).text;
}
