// A bounded FIFO of non-decreasing timestamps, oldest first. It grows by doubling up to
// `capacity` and then overwrites its oldest entry, so memory never exceeds `capacity`
// numbers and nothing is ever shifted.

const INITIAL_SIZE = 64;

export class TimestampRing {
  private buf: Float64Array;
  private head = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.buf = new Float64Array(Math.min(capacity, INITIAL_SIZE));
  }

  get size(): number {
    return this.count;
  }

  /** The i-th oldest entry (0 = oldest). Callers keep 0 <= i < size. */
  at(i: number): number {
    return this.buf[(this.head + i) % this.buf.length] ?? 0;
  }

  push(value: number): void {
    if (this.capacity === 0) return;
    if (this.count === this.buf.length && this.buf.length < this.capacity) this.grow();
    if (this.count === this.buf.length) {
      // Full at capacity: the oldest entry can no longer matter to any window.
      this.buf[this.head] = value;
      this.head = (this.head + 1) % this.buf.length;
      return;
    }
    this.buf[(this.head + this.count) % this.buf.length] = value;
    this.count++;
  }

  /** Lowers every entry above `limit` to `limit` (the newest entries; order is kept). */
  clampAbove(limit: number): void {
    for (let i = this.count - 1; i >= 0; i--) {
      const index = (this.head + i) % this.buf.length;
      if ((this.buf[index] ?? 0) <= limit) return;
      this.buf[index] = limit;
    }
  }

  /** Forgets every entry <= `limit`. */
  dropThrough(limit: number): void {
    while (this.count > 0 && this.at(0) <= limit) {
      this.head = (this.head + 1) % this.buf.length;
      this.count--;
    }
  }

  /** Number of entries > `limit` (binary search: entries are non-decreasing). */
  countAfter(limit: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid) <= limit) lo = mid + 1;
      else hi = mid;
    }
    return this.count - lo;
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, this.buf.length * 2));
    for (let i = 0; i < this.count; i++) next[i] = this.at(i);
    this.buf = next;
    this.head = 0;
  }
}
