// Turns the world into events: seeded streams per kind (so each kind's history is
// reproducible on its own), with timestamps that bunch up like real activity, including
// events that share the exact same timestamp.

import { Prng } from '../common/prng.js';
import { auditEventGenerator } from './gen-auditevents.js';
import { itemUsageGenerator } from './gen-itemusages.js';
import { signInAttemptGenerator } from './gen-signinattempts.js';
import { UniqueUuids, uuidSequence } from './ids.js';
import { People } from './people.js';
import { formatTime, isBefore, randomTime, type EventTime } from './timestamps.js';
import { EVENT_KINDS, type OnePasswordEventKind } from './types.js';
import type { World } from './world.js';

/** Late events carry a timestamp up to this far before the moment they become visible. */
export const MAX_LATE_MS = 120_000;

/** Share of events that repeat the previous event's exact timestamp (same-second bursts). */
const SAME_TIMESTAMP = 0.06;
/** Share of events within the same second as the previous one. */
const SAME_SECOND = 0.15;

export interface GeneratedEvent {
  /** The v1 item as JSON text, keys in the vendor's order. */
  readonly json: string;
  readonly time: EventTime;
}

interface KindStream {
  readonly rng: Prng;
  readonly make: (time: EventTime) => string;
  last: EventTime | undefined;
}

type Build = typeof itemUsageGenerator;
const BUILDERS: Record<OnePasswordEventKind, Build> = {
  auditevents: auditEventGenerator,
  itemusages: itemUsageGenerator,
  signinattempts: signInAttemptGenerator,
};

/** The world with its own copy of every item (item usages bump item versions as they go). */
function withOwnItems(world: World): World {
  return { ...world, vaults: world.vaults.map((v) => ({ uuid: v.uuid, items: v.items.map((item) => ({ ...item })) })) };
}

/**
 * Makes events from the world: history in blocks (each from its own seeded streams, so any
 * block can be made again, alone, with the same content: see history.ts), and live events
 * from one running stream per kind that continues the history's uuids and order.
 */
export class EventFactory {
  private readonly streams: Record<OnePasswordEventKind, KindStream>;
  /** The world as it was before any event, which every history block starts from. */
  private readonly pristine: World;
  private readonly salt: number;

  constructor(
    private readonly seed: number,
    world: World,
    /** How many history events each kind has: live events number their uuids after them. */
    historyLengths: Readonly<Record<OnePasswordEventKind, number>>,
  ) {
    this.pristine = withOwnItems(world);
    this.salt = Prng.derive(seed, 'uuid-salt').u32();
    const stream = (kind: OnePasswordEventKind): KindStream => {
      const rng = Prng.derive(seed, kind);
      const uuids = new UniqueUuids(rng, EVENT_KINDS.indexOf(kind), this.salt, historyLengths[kind]);
      return { rng, make: BUILDERS[kind](rng, world, new People(rng, world), uuids), last: undefined };
    };
    this.streams = { auditevents: stream('auditevents'), itemusages: stream('itemusages'), signinattempts: stream('signinattempts') };
  }

  /** Which event of the kind carries `uuid` (see uuidSequence). */
  eventNumber(kind: OnePasswordEventKind, uuid: string): number | undefined {
    return uuidSequence(uuid, EVENT_KINDS.indexOf(kind), this.salt);
  }

  /** Times of history block `block`: `n` events spread over [startMs, endMs], ascending. */
  historyTimes(kind: OnePasswordEventKind, block: number, n: number, startMs: number, endMs: number): EventTime[] {
    return spreadTimes(Prng.derive(this.seed, `${kind} history times ${block}`), n, startMs, endMs);
  }

  /** The events (v1 JSON) of history block `block`, whose first event is event `first` of its kind, at `times`. */
  historyEvents(kind: OnePasswordEventKind, block: number, first: number, times: readonly EventTime[]): string[] {
    const rng = Prng.derive(this.seed, `${kind} history ${block}`);
    const world = withOwnItems(this.pristine);
    const make = BUILDERS[kind](rng, world, new People(rng, world), new UniqueUuids(rng, EVENT_KINDS.indexOf(kind), this.salt, first));
    return times.map(make);
  }

  /** Live events of the kind stay after `last`, the history's last time. */
  followHistory(kind: OnePasswordEventKind, last: EventTime | undefined): void {
    this.streams[kind].last = last;
  }

  /** One event happening at `nowMs`, or (late) up to 2 minutes before it. */
  live(kind: OnePasswordEventKind, nowMs: number, late: boolean): GeneratedEvent {
    const s = this.streams[kind];
    let time: EventTime;
    if (late) time = randomTime(s.rng, nowMs - s.rng.range(1_000, MAX_LATE_MS));
    else if (s.last && s.last.ms === nowMs && s.rng.chance(SAME_TIMESTAMP * 3)) time = s.last;
    else {
      time = randomTime(s.rng, nowMs);
      // Keep on-time events ascending even when the clock has not moved (or moved back).
      if (s.last && isBefore(time, s.last)) time = s.last;
    }
    if (!late) s.last = time;
    return { json: s.make(time), time };
  }

  /** One event stamped exactly at `ms` (an absurd vendor time, for tests); the kind's running order is left alone. */
  stampedAt(kind: OnePasswordEventKind, ms: number): GeneratedEvent {
    const time = formatTime(ms, 0, 3);
    return { json: this.streams[kind].make(time), time };
  }

  /** For live event rates: decides whether a live event is late. */
  chance(kind: OnePasswordEventKind, p: number): boolean {
    return this.streams[kind].rng.chance(p);
  }
}

/**
 * n times spread over [startMs, endMs], ascending, bunched like real activity: the gap
 * before each is none (same timestamp), under 400 ms (a burst), or exponential (quiet
 * periods; scaled afterwards so the whole run fits the span exactly).
 */
function spreadTimes(rng: Prng, n: number, startMs: number, endMs: number): EventTime[] {
  const burstMs = new Float64Array(n); // -1: same timestamp; >= 0: fixed gap in ms
  const quiet = new Float64Array(n); // > 0: exponential weight
  let fixed = 0;
  let weights = 0;
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (i > 0 && r < SAME_TIMESTAMP) burstMs[i] = -1;
    else if (i > 0 && r < SAME_TIMESTAMP + SAME_SECOND) fixed += burstMs[i] = rng.int(400);
    else weights += quiet[i] = -Math.log(1 - rng.next()) || Number.MIN_VALUE;
  }
  const span = Math.max(0, endMs - startMs);
  const scale = weights > 0 ? Math.max(0, span - fixed) / weights : 0;
  const times: EventTime[] = [];
  let t = startMs;
  let prev: EventTime | undefined;
  for (let i = 0; i < n; i++) {
    const w = quiet[i] ?? 0;
    const b = burstMs[i] ?? 0;
    let time: EventTime;
    if (b < 0 && prev) time = prev;
    else {
      t = Math.min(endMs, t + (w > 0 ? w * scale : b));
      time = randomTime(rng, t);
      // Truncating digits (or a random sub-ms part) must not step back behind the previous event.
      if (prev && isBefore(time, prev)) time = prev;
    }
    prev = time;
    times.push(time);
  }
  return times;
}
