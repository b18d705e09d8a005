// One kind's history, made on demand when long: nothing is then held per event, so a
// history of ten million events costs what the few blocks being served cost. The history is cut into
// blocks of BLOCK events, each with its own slice of the time span and its own seeded
// streams, so event i always has the same content and uuid whenever (and however often)
// its block is made. Times ascend across blocks: block b's slice ends before block b+1's
// begins (to the millisecond; a span shorter than a millisecond per block can leave two
// blocks on the same millisecond, their sub-millisecond digits unordered).

import { flattened } from '../common/flat-string.js';
import type { EventFactory } from './generator.js';
import type { EventTime } from './timestamps.js';
import type { OnePasswordEventKind } from './types.js';

/** Events per block: one page of the largest size a client may ask for. */
const BLOCK = 1000;
/** Blocks kept made: a page can straddle two, and a few clients may page at once. */
const CACHED_BLOCKS = 4;

interface Block {
  readonly times: readonly EventTime[];
  /** v1 JSON of each event, made when first served (a search by time needs only the times). */
  json: string[] | undefined;
}

export class GeneratedHistory {
  private readonly cache = new Map<number, Block>();
  private readonly capacity: number;

  constructor(
    private readonly factory: EventFactory,
    private readonly kind: OnePasswordEventKind,
    readonly length: number,
    private readonly startMs: number,
    private readonly endMs: number,
    /**
     * Up to this length the history is made whole now and kept: serving it then costs a join,
     * so a benchmark's contenders never wait on the simulator making events.
     */
    keepUpTo: number,
  ) {
    const blocks = Math.ceil(length / BLOCK);
    const kept = length <= keepUpTo;
    this.capacity = kept ? blocks : CACHED_BLOCKS;
    if (kept) for (let b = 0; b < blocks; b++) this.json(b * BLOCK);
  }

  /** Timestamp (ms) of event i, 0 <= i < length. */
  timeMs(i: number): number {
    return this.time(i).ms;
  }

  /** v1 JSON of event i, 0 <= i < length. */
  json(i: number): string {
    const b = Math.floor(i / BLOCK);
    const block = this.block(b);
    block.json ??= this.factory.historyEvents(this.kind, b, b * BLOCK, block.times).map(flattened);
    return block.json[i - b * BLOCK] ?? '{}';
  }

  /** The last event's time, or undefined for an empty history. */
  last(): EventTime | undefined {
    return this.length === 0 ? undefined : this.time(this.length - 1);
  }

  /** Index of the first event whose timestamp is >= startMs (times ascend), or length. */
  firstAtOrAfter(startMs: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeMs(mid) < startMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private time(i: number): EventTime {
    const b = Math.floor(i / BLOCK);
    const time = this.block(b).times[i - b * BLOCK];
    if (time === undefined) throw new RangeError(`no history event ${i} (history of ${this.length})`);
    return time;
  }

  private block(b: number): Block {
    const cached = this.cache.get(b);
    if (cached) {
      // Most recently used last, so the oldest is the first to go.
      this.cache.delete(b);
      this.cache.set(b, cached);
      return cached;
    }
    const first = b * BLOCK;
    const n = Math.min(BLOCK, this.length - first);
    const from = this.boundary(first);
    const isLast = first + n >= this.length;
    const to = isLast ? this.endMs : Math.max(from, this.boundary(first + n) - 1);
    const made: Block = { times: this.factory.historyTimes(this.kind, b, n, from, to), json: undefined };
    this.cache.set(b, made);
    if (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return made;
  }

  /** Where the slice of the span that starts with event k begins (whole ms, never decreasing in k). */
  private boundary(k: number): number {
    if (k === 0) return this.startMs;
    return Math.floor(this.startMs + Math.max(0, this.endMs - this.startMs) * (k / this.length));
  }
}
