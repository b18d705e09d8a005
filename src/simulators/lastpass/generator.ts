// Turns the company into events. Activity comes in sessions (a person logs in, then opens
// notes and fills forms from the same address; an admin opens the console, then edits
// policies; an integration pulls reports), over timestamps that bunch up like real use.
// Time is the wall clock of the account's zone at the event's instant, so the repeated
// autumn hour prints twice and the skipped spring hour never appears.

import { flattened } from '../common/flat-string.js';
import { SeededEventFactory } from '../common/event-factory.js';
import { pickBusyOrAnyone } from '../common/people.js';
import { Prng, WeightedPicker } from '../common/prng.js';
import { RunningSession } from '../common/sessions.js';
import type { WallClockZone } from '../../sources/lastpass/zoned-time.js';
import { randomIp, type Company } from './people.js';
import { MICROS, lastKeyOf, secondOfKey } from './sortkey.js';
import type { LastPassEvent } from './types.js';
import { FastWallClock } from './wallclock.js';
import { ACTIONS, actionNamed, type ActionDef, type Actor } from './vocabulary.js';

/** An event as stored: its served JSON text, hidden sort key, and what the filters need. */
export interface StoredEvent {
  readonly key: number;
  /** `{"Time":…,"Username":…,"IP_Address":…,"Action":…,"Data":…}`, rendered once. */
  readonly json: string;
  readonly event: Readonly<LastPassEvent>;
  readonly admin: boolean;
}

/** Turns a wanted sort key into a free one (and reserves it). */
export type KeyClaim = (wanted: number) => number;

/** Late events are stamped this far before they become visible. */
export const LATE_MIN_MS = 5_000;
export const LATE_MAX_MS = 120_000;

/** Around mid-2022 the log switched from "Failed Login Attempt" to "Failed login attempt". */
const CASE_SWITCH_WALL_MS = Date.UTC(2022, 6, 1);
/** Share of events in the "other" casing on each side of the switch. */
const OTHER_CASING = 0.15;

interface Session {
  readonly actor: Actor;
  readonly username: string;
  readonly ip: string;
  lastAt: number;
}

export class EventFactory extends SeededEventFactory {
  private readonly pickers: Record<Actor, WeightedPicker<ActionDef>>;
  private readonly repeatable: Record<Actor, WeightedPicker<ActionDef>>;
  private readonly login = actionNamed('Log in');
  private readonly failedLogin = actionNamed('Failed Login Attempt');
  private readonly samlLogin = actionNamed('SAML Login');
  private readonly consoleLogin = actionNamed('Login to Admin Console');
  private readonly clock: FastWallClock;
  private readonly sessions: RunningSession<Session>;
  /** The instant and key of the last event made, so events made at one instant keep their order. */
  private lastInstant = Number.NaN;
  private lastKey = Number.NaN;

  constructor(
    seed: number,
    private readonly company: Company,
    zone: WallClockZone,
    private readonly identicalFraction: number,
  ) {
    super(Prng.derive(seed, 'lastpass-events'), { minMs: LATE_MIN_MS, maxMs: LATE_MAX_MS });
    this.clock = new FastWallClock(zone);
    this.sessions = new RunningSession(this.rng, (instant) => this.newSession(instant));
    const picker = (actor: Actor, onlyRepeatable: boolean): WeightedPicker<ActionDef> =>
      new WeightedPicker(ACTIONS.filter((a) => a.actor === actor && (!onlyRepeatable || a.repeatable)).map((a) => [a, a.weight] as const));
    this.pickers = { user: picker('user', false), admin: picker('admin', false), api: picker('api', false) };
    this.repeatable = { user: picker('user', true), admin: picker('admin', true), api: picker('api', true) };
  }

  /**
   * What happens at `instant`: one event, or (identicalFraction of the time) one with an
   * identical twin or triplet in the same second, never more than `max` in all. Each
   * event goes to `emit` with a key from `claim`. Returns how many were emitted.
   * `detached` events (late ones) neither continue nor start the running session.
   */
  happen(instant: number, max: number, claim: KeyClaim, emit: (ev: StoredEvent) => void, detached = false): number {
    if (max <= 0) return 0;
    const rng = this.rng;
    const copies = rng.chance(this.identicalFraction) ? (rng.chance(0.25) ? 3 : 2) : 1;
    const { session, fresh } = this.sessions.at(instant, detached);
    const action = copies > 1 ? this.repeatable[session.actor].draw(rng) : this.nextAction(session, fresh);
    return this.emitCopies(instant, session, action, Math.min(copies, max), claim, emit);
  }

  /** n identical events at `instant` (same five fields, same second). */
  identical(instant: number, n: number, claim: KeyClaim, emit: (ev: StoredEvent) => void): number {
    if (n <= 0) return 0;
    const { session, fresh } = this.sessions.at(instant, true);
    const action = n > 1 ? this.repeatable[session.actor].draw(this.rng) : this.nextAction(session, fresh);
    return this.emitCopies(instant, session, action, n, claim, emit);
  }

  private emitCopies(instant: number, s: Session, action: ActionDef, n: number, claim: KeyClaim, emit: (ev: StoredEvent) => void): number {
    const rng = this.rng;
    const wall = this.clock.toWall(instant);
    const second = Math.floor(wall / 1000);
    const title = wall < CASE_SWITCH_WALL_MS ? !rng.chance(OTHER_CASING) : rng.chance(OTHER_CASING);
    const event: LastPassEvent = {
      Time: this.clock.format(second),
      Username: s.username,
      IP_Address: s.ip,
      Action: title ? action.title : action.sentence,
      Data: action.data({ rng, company: this.company, actor: s.username }),
    };
    const json = flattened(JSON.stringify(event));
    const frozen = Object.freeze(event);
    const last = lastKeyOf(second);
    let wanted = second * MICROS + Math.floor((wall - second * 1000) * 1000) + rng.int(1000);
    // Several events at one instant (addEvents(n) "now") follow each other in the order made,
    // which also spares the key search a long run of collisions.
    if (instant === this.lastInstant && secondOfKey(this.lastKey) === second) wanted = Math.max(wanted, Math.min(last, this.lastKey + 1 + rng.int(10)));
    for (let i = 0; i < n; i++) {
      const key = claim(wanted);
      emit({ key, json, event: frozen, admin: action.admin });
      this.lastKey = key;
      // Repeats follow the first within the same second.
      wanted = Math.min(last, key + 1 + rng.int(Math.max(1, Math.min(1000, last - key))));
    }
    this.lastInstant = instant;
    return n;
  }

  private newSession(instant: number): Session {
    const rng = this.rng;
    const r = rng.next();
    const { company } = this;
    if (r < 0.8) {
      const person = pickBusyOrAnyone(rng, company.people);
      return { actor: 'user', username: person.email, ip: rng.chance(0.85) ? person.ip : randomIp(rng), lastAt: instant };
    }
    if (r < 0.92) {
      const admin = rng.pick(company.admins);
      return { actor: 'admin', username: admin.email, ip: admin.ip, lastAt: instant };
    }
    const client = rng.pick(company.apiClients);
    return { actor: 'api', username: client.username, ip: client.ip, lastAt: instant };
  }

  /** Sessions open with a sign-in; later events follow the actor's usual mix. */
  private nextAction(s: Session, fresh: boolean): ActionDef {
    const rng = this.rng;
    const r = rng.next();
    if (s.actor === 'user') {
      if (fresh && r < 0.55) return this.login;
      if (fresh && r < 0.65) return this.failedLogin;
      if (fresh && r < 0.75) return this.samlLogin;
      return this.pickers.user.draw(rng);
    }
    if (s.actor === 'admin') {
      if (fresh) return r < 0.8 ? this.consoleLogin : this.pickers.admin.draw(rng);
      return r < 0.65 ? this.pickers.admin.draw(rng) : this.pickers.user.draw(rng);
    }
    return this.pickers.api.draw(rng);
  }
}
