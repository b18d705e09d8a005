// The hidden order of events. LastPass only shows whole seconds of local time, yet pages
// with a microsecond `next`; we give every event a unique key = wall time in microseconds
// (wall second * 1e6 + a sub-second part), which is also the `next` value served.

export const MICROS = 1_000_000;

/** The wall second (seconds of "wall ms" / 1000) a key belongs to. */
export function secondOfKey(key: number): number {
  return Math.floor(key / MICROS);
}

/** The smallest key in a wall second. */
export function firstKeyOf(wallSecond: number): number {
  return wallSecond * MICROS;
}

/** The largest key in a wall second. */
export function lastKeyOf(wallSecond: number): number {
  return wallSecond * MICROS + (MICROS - 1);
}

/**
 * `wanted` if free, else the next free key in the same second (wrapping to the second's
 * start), so a collision never moves an event to another second, i.e. another `Time`.
 */
export function freeKeyInSecond(wanted: number, taken: (key: number) => boolean): number {
  const second = secondOfKey(wanted);
  let key = wanted;
  while (taken(key)) {
    key = key === lastKeyOf(second) ? firstKeyOf(second) : key + 1;
    if (key === wanted) throw new Error(`a million events in wall second ${second}: no sort key left`);
  }
  return key;
}
