// The dedup memory: keys of delivered events with their event time, saved in the same
// state record as the cursor so that pages replayed after a crash are dropped.
// It only has to cover the overlap a replay can bring, so it is bounded twice: by
// time (a window behind the newest event seen) and by count (oldest-added first).

export interface DedupOptions {
  /** Keys whose event time is older than (newest time seen - windowMs) are dropped. */
  windowMs: number;
  /** At most this many keys are kept, whatever their time. */
  maxKeys: number;
}

export class DedupMemory {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  /** Key -> event time (ms) or null. A Map keeps insertion order, which eviction follows. */
  private readonly keys = new Map<string, number | null>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(opts: DedupOptions, saved?: ReadonlyArray<readonly [string, number | null]>) {
    if (!(opts.windowMs >= 0)) throw new RangeError(`dedup windowMs must be >= 0, got ${opts.windowMs}`);
    if (!Number.isInteger(opts.maxKeys) || opts.maxKeys < 0) throw new RangeError(`dedup maxKeys must be a whole number >= 0, got ${opts.maxKeys}`);
    this.windowMs = opts.windowMs;
    this.maxKeys = opts.maxKeys;
    // add() applies the count bound (the setting may have shrunk). The window is not applied
    // here: the memory was pruned before it was saved, by the window or by the connector's
    // own ranges, which only the connector knows.
    if (saved) for (const [key, time] of saved) this.add(key, time);
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers a delivered key. Never grows beyond maxKeys: the oldest-added key goes first. */
  add(key: string, timeMs: number | null): void {
    const time = timeMs !== null && Number.isFinite(timeMs) ? timeMs : null;
    // Re-adding refreshes the key's place, as if it was delivered now.
    this.keys.delete(key);
    this.keys.set(key, time);
    if (time !== null && time > this.newest) this.newest = time;
    if (this.keys.size > this.maxKeys) this.evictOldest(this.keys.size - this.maxKeys);
  }

  /** Whether a key of this time would survive prune(retain): callers skip adding the others. */
  static retains(retain: ReadonlyArray<readonly [number, number]> | undefined, time: number | null): boolean {
    return retain === undefined || time === null || retain.some(([from, to]) => time >= from && time <= to);
  }

  /**
   * Called before saving. Drops keys older than (newest time seen - windowMs), or, when
   * `retain` ranges are given (by a connector that knows what it will read again), every
   * key whose time is outside them; then, beyond maxKeys, the oldest-added.
   */
  prune(retain?: ReadonlyArray<readonly [number, number]>): void {
    if (retain) {
      for (const [key, time] of this.keys) if (!DedupMemory.retains(retain, time)) this.keys.delete(key);
    } else if (this.newest !== Number.NEGATIVE_INFINITY) {
      const cutoff = this.newest - this.windowMs;
      // Deleting the entry being visited is safe while iterating a Map.
      for (const [key, time] of this.keys) if (time !== null && time < cutoff) this.keys.delete(key);
    }
    if (this.keys.size > this.maxKeys) this.evictOldest(this.keys.size - this.maxKeys);
  }

  /** What goes into Checkpoint.dedup, oldest-added first. */
  toJSON(): Array<[string, number | null]> {
    return Array.from(this.keys);
  }

  private evictOldest(count: number): void {
    let left = count;
    for (const key of this.keys.keys()) {
      if (left-- <= 0) break;
      this.keys.delete(key);
    }
  }
}

export interface FreshEvent<E> {
  event: E;
  /** The dedup key to remember once the event is delivered (undefined: the event has none). */
  key: string | undefined;
  time: number | undefined;
}

/**
 * Splits a page into events to deliver and duplicates: an event is a duplicate when its
 * key is in memory or appeared earlier in the same page. Events without a key always
 * pass. The memory is not changed: the caller adds the keys once delivery is confirmed.
 */
export function filterDuplicates<E>(
  events: readonly E[],
  keyOf: (e: E, index: number) => string | undefined,
  timeOf: (e: E) => number | undefined,
  memory: DedupMemory,
): { fresh: Array<FreshEvent<E>>; duplicates: number } {
  const fresh: Array<FreshEvent<E>> = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const key = keyOf(event, i);
    if (key !== undefined) {
      if (memory.has(key) || seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
    }
    fresh.push({ event, key, time: timeOf(event) });
  }
  return { fresh, duplicates };
}
