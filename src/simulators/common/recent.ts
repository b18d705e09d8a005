// What a simulator's stats keep of a long run: the newest request times and records, in
// fixed-size rings, so recording costs O(1) per request and memory stays bounded.

/** The newest `capacity` request times (UTC ms); a typed array keeps 100,000 of them small. */
export class RecentTimes {
  private readonly ring: Float64Array;
  private written = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  push(ms: number): void {
    this.ring[this.written % this.capacity] = ms;
    this.written++;
  }

  /** Oldest first. */
  list(): number[] {
    const kept = Math.min(this.written, this.capacity);
    const out = new Array<number>(kept);
    for (let k = 0; k < kept; k++) out[k] = this.ring[(this.written - kept + k) % this.capacity] ?? 0;
    return out;
  }
}

/** The newest `capacity` values pushed. */
export class RecentValues<T> {
  private readonly ring: Array<T | undefined>;
  private written = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<T | undefined>(capacity);
  }

  push(value: T): void {
    this.ring[this.written % this.capacity] = value;
    this.written++;
  }

  /** Oldest first, each through `copy` (so a snapshot does not share what is kept). */
  list(copy: (value: T) => T): T[] {
    const kept = Math.min(this.written, this.capacity);
    const out: T[] = [];
    for (let k = 0; k < kept; k++) {
      const value = this.ring[(this.written - kept + k) % this.capacity];
      if (value !== undefined) out.push(copy(value));
    }
    return out;
  }
}
