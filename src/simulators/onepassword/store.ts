// The event log of one kind, in ingestion order: first the history (made on demand, see
// history.ts), then the events appended while running (live, added by tests), kept as text.
// Each event is serialized once (v1 form); pages are built by joining those strings, and
// the v2 form only appends the v2 fields, so a 1000-item page costs a join, not a
// JSON.stringify of the page.

import { flattened } from '../common/flat-string.js';
import type { GeneratedHistory } from './history.js';
import type { EventTime } from './timestamps.js';
import type { ApiVersion, OnePasswordEventKind } from './types.js';
import { MAX_LATE_MS } from './generator.js';

export interface PageSlice {
  /** Positions (ingestion order) of the items to serve. */
  readonly positions: number[];
  /** Where the next page starts. */
  readonly next: number;
  /** Whether more matching items exist right now. */
  readonly hasMore: boolean;
}

export class EventLog {
  /** Events appended after the history; appended event k sits at position history.length + k. */
  private readonly json: string[] = [];
  private readonly timeMs: number[] = [];
  /** When each appended event became visible; never decreases, so it can be binary-searched. */
  private readonly visibleMs: number[] = [];
  private readonly parsed: Record<ApiVersion, Record<string, unknown>[]> = { v1: [], v2: [] };
  /** `,"account_uuid":…}`: what the v2 endpoints add at the end of each item. */
  private readonly v2Tail: string;
  /** The history became visible when it happened: appended events are visible no earlier than its last. */
  private readonly historyEndMs: number | undefined;

  constructor(
    readonly kind: OnePasswordEventKind,
    v2Fields: Record<string, string>,
    private readonly history: GeneratedHistory,
  ) {
    this.v2Tail = `,${JSON.stringify(v2Fields).slice(1)}`;
    this.historyEndMs = history.last()?.ms;
  }

  get length(): number {
    return this.history.length + this.json.length;
  }

  /** Adds one event (its v1 JSON text), visible from `visibleMs` on. */
  append(json: string, time: EventTime, visibleMs: number): void {
    const last = this.visibleMs[this.visibleMs.length - 1] ?? this.historyEndMs;
    this.json.push(flattened(json));
    this.timeMs.push(time.ms);
    this.visibleMs.push(last !== undefined && last > visibleMs ? last : visibleMs);
  }

  /** Position of the first event (ingestion order) whose timestamp is >= startMs. */
  resetPosition(startMs: number): number {
    // History times ascend: a binary search finds its first match, which precedes any appended one.
    const inHistory = this.history.firstAtOrAfter(startMs);
    if (inHistory < this.history.length) return inHistory;
    // An event is never visible before its timestamp, so skip (binary search) what became
    // visible before startMs, then scan: late events can still sit out of timestamp order.
    let lo = 0;
    let hi = this.visibleMs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.visibleMs[mid] ?? 0) < startMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.timeMs.length; i++) if ((this.timeMs[i] ?? 0) >= startMs) return this.history.length + i;
    return this.length;
  }

  /** The next page from `pos`: up to `limit` events, only those up to `endMs` when given. */
  page(pos: number, limit: number, endMs: number | null): PageSlice {
    const n = this.length;
    if (endMs === null) {
      const end = Math.min(n, pos + limit);
      const positions: number[] = [];
      for (let i = pos; i < end; i++) positions.push(i);
      return { positions, next: end, hasMore: end < n };
    }
    // A bounded stream skips events after end_time. Once events became visible later than
    // end_time + the longest lateness, none after them can fall inside: stop scanning there.
    const horizon = endMs + MAX_LATE_MS;
    const positions: number[] = [];
    let i = pos;
    for (; i < n && this.visibleAt(i) <= horizon; i++) {
      if (this.timeAt(i) > endMs) continue;
      if (positions.length === limit) return { positions, next: i, hasMore: true };
      positions.push(i);
    }
    return { positions, next: i, hasMore: false };
  }

  /** The items' JSON joined with commas, as the given API version serves them. */
  render(positions: readonly number[], version: ApiVersion): string {
    const parts = new Array<string>(positions.length);
    for (let k = 0; k < positions.length; k++) parts[k] = this.text(positions[k] ?? 0, version);
    return parts.join(',');
  }

  text(pos: number, version: ApiVersion): string {
    const h = this.history.length;
    const json = pos < h ? this.history.json(pos) : (this.json[pos - h] ?? '{}');
    return version === 'v1' ? json : json.slice(0, -1) + this.v2Tail;
  }

  /** Every event as objects (parsed on demand and cached, since tests and benchmarks ask rarely). */
  objects(version: ApiVersion): readonly Record<string, unknown>[] {
    const cache = this.parsed[version];
    for (let i = cache.length; i < this.length; i++) cache.push(JSON.parse(this.text(i, version)) as Record<string, unknown>);
    return cache;
  }

  private timeAt(pos: number): number {
    const h = this.history.length;
    return pos < h ? this.history.timeMs(pos) : (this.timeMs[pos - h] ?? 0);
  }

  private visibleAt(pos: number): number {
    const h = this.history.length;
    return pos < h ? this.history.timeMs(pos) : (this.visibleMs[pos - h] ?? 0);
  }
}
