// Turns the org into System Log events. Activity comes in sessions: someone signs in (after a
// failed attempt now and then, sometimes until the account locks), is pushed an Okta Verify
// challenge, passes the sign-on policy, then signs in to apps; an administrator's session
// mixes in Admin Console changes (users, groups, app assignments, policies, privileges, API
// tokens); now and then ThreatInsight blocks a suspicious address.
//
// Each event is stored as JSON parts: what its whole session shares (actor, client,
// authenticationContext, securityContext, request) once per session, the event's own parts
// once per event, so 200,000 events stay small. The key order is that of a real export.
//
// Persistence time: Okta filters polling requests by when an event was written, not by its
// `published` time. History events are written shortly after they happen (a few minutes
// later for 2% of them), never after the simulator starts; events added later are written
// when they are added (or at `at` when that is later), so a late event (published earlier)
// is served after events already served.

import { flattened } from '../common/flat-string.js';
import { SeededEventFactory } from '../common/event-factory.js';
import { pickBusyOrAnyone } from '../common/people.js';
import { Prng, WeightedPicker, randomAlphanumeric, randomHex } from '../common/prng.js';
import { RunningSession } from '../common/sessions.js';
import { ipAt, type Agent, type Org, type Person, type Place } from './org.js';
import {
  ADMIN_ACTIONS,
  accountLocked,
  mfaVerified,
  pushSent,
  requestBlocked,
  sessionEnd,
  sessionStart,
  signOnPolicy,
  sso,
  type Builder,
  type EventBody,
  type Target,
} from './vocabulary.js';

/** JSON parts a whole session shares. */
export interface SessionParts {
  /** `"actor":…,"client":…,"device":null,"authenticationContext":…` */
  readonly head: string;
  /** `"securityContext":…` */
  readonly security: string;
  /** `"request":…` */
  readonly request: string;
}

export interface StoredLogEvent {
  /** When Okta wrote it (UTC ms): the polling order and what `since` filters on. */
  readonly persistedAt: number;
  /** `published` (UTC ms). */
  readonly published: number;
  /** Insertion order, unique: breaks ties in persistence time. */
  readonly seq: number;
  readonly uuid: string;
  readonly session: SessionParts;
  /** `"displayMessage":…,"eventType":…,"outcome":…` */
  readonly middle: string;
  /** `"severity":…,"debugContext":…,"legacyEventType":…,"transaction":…` */
  readonly tail: string;
  /** The `target` value: an array, or null. */
  readonly target: string;
}

export function renderEvent(e: StoredLogEvent): string {
  const s = e.session;
  return `{${s.head},${e.middle},"published":"${new Date(e.published).toISOString()}",${s.security},${e.tail},"uuid":"${e.uuid}","version":"0",${s.request},"target":${e.target}}`;
}

/** Late events are published this far before they become visible. */
export const LATE_MIN_MS = 5_000;
export const LATE_MAX_MS = 120_000;

interface Session {
  readonly person: Person;
  readonly kind: 'user' | 'admin' | 'threat';
  readonly parts: SessionParts;
  lastAt: number;
  /** Events the session owes next (the sign-in steps), first first. */
  readonly pending: Builder[];
}

const SESSION_KINDS = new WeightedPicker<Session['kind']>([
  ['user', 80],
  ['admin', 17],
  ['threat', 3],
]);

/** What a signed-in user does next: mostly sign in to apps; sometimes sign out. */
const USER_NEXT = new WeightedPicker<'sso' | 'end'>([
  ['sso', 85],
  ['end', 15],
]);

export class LogEventFactory extends SeededEventFactory {
  private readonly sessions: RunningSession<Session>;
  private readonly admin: WeightedPicker<Builder>;
  /** Until the history is in, persistence times follow `published`; afterwards they are the clock's. */
  private historyUntil: number | undefined;

  constructor(
    seed: number,
    private readonly org: Org,
    private readonly now: () => number,
  ) {
    super(Prng.derive(seed, 'okta-events'), { minMs: LATE_MIN_MS, maxMs: LATE_MAX_MS });
    this.sessions = new RunningSession(this.rng, (instant) => this.newSession(instant));
    this.admin = new WeightedPicker(ADMIN_ACTIONS);
    this.historyUntil = now();
  }

  /** The history is in: every event made from now on is written when it is made. */
  historyLoaded(): void {
    this.historyUntil = undefined;
  }

  /** One event published at `instant` (UTC ms) with insertion number `seq`; `detached` (late) ones leave the running session alone. */
  make(instant: number, seq: number, detached = false): StoredLogEvent {
    const rng = this.rng;
    const { session } = this.sessions.at(instant, detached);
    const build = this.nextBuilder(session);
    const body = build({ rng, org: this.org, actor: session.person });
    return {
      persistedAt: this.persistedAt(instant),
      published: instant,
      seq,
      uuid: timeUuid(rng, instant),
      session: session.parts,
      middle: flattened(middleJson(body)),
      tail: flattened(tailJson(rng, body)),
      target: flattened(targetJson(body.targets)),
    };
  }

  private persistedAt(instant: number): number {
    if (this.historyUntil === undefined) return Math.max(instant, this.now());
    // Written shortly after it happened; a few events minutes later, so history too is
    // out of `published` order now and then. Never after the simulator started.
    const delay = this.rng.chance(0.02) ? this.rng.range(LATE_MIN_MS, LATE_MAX_MS) : this.rng.int(1_500);
    return Math.max(instant, Math.min(instant + delay, this.historyUntil));
  }

  private nextBuilder(s: Session): Builder {
    const owed = s.pending.shift();
    if (owed) return owed;
    if (s.kind === 'threat') return requestBlocked;
    if (s.kind === 'admin' && this.rng.chance(0.6)) return this.admin.draw(this.rng);
    return USER_NEXT.draw(this.rng) === 'sso' ? sso : sessionEnd;
  }

  private newSession(instant: number): Session {
    const rng = this.rng;
    const kind = SESSION_KINDS.draw(rng);
    const person = kind === 'admin' ? rng.pick(this.org.admins) : pickBusyOrAnyone(rng, this.org.people);
    const place = kind === 'threat' ? rng.pick(this.org.places) : rng.chance(0.9) ? person.home : rng.pick(this.org.places);
    const agent = rng.pick(this.org.agents);
    const pending: Builder[] = [];
    if (kind !== 'threat') {
      const failures = rng.chance(0.1) ? (rng.chance(0.2) ? 3 : 1) : 0;
      for (let i = 0; i < failures; i++) pending.push(sessionStart(true));
      // Three failures lock the account: the session ends there.
      if (failures >= 3) pending.push(accountLocked);
      else {
        pending.push(sessionStart(false), signOnPolicy, pushSent);
        const denied = rng.chance(0.05);
        pending.push(mfaVerified(denied));
        if (denied) pending.push(pushSent, mfaVerified(false));
      }
    }
    const actor = kind === 'threat' ? { ...person, id: 'unknown', displayName: 'Unknown' } : person;
    return { person, kind, parts: sessionParts(rng, actor, place, agent, kind === 'threat'), lastAt: instant, pending };
  }
}

const json = JSON.stringify;

function sessionParts(rng: Prng, actor: Person, place: Place, agent: Agent, anonymous: boolean): SessionParts {
  const ip = ipAt(rng, place);
  const geo = `{"city":${json(place.city)},"state":${json(place.state)},"country":${json(place.country)},"postalCode":${json(place.postalCode)},"geolocation":{"lat":${place.lat},"lon":${place.lon}}}`;
  const actorJson = `{"id":${json(actor.id)},"type":"User","alternateId":${json(anonymous ? 'unknown' : actor.login)},"displayName":${json(actor.displayName)},"detailEntry":null}`;
  const client = `{"userAgent":{"rawUserAgent":${json(agent.raw)},"os":${json(agent.os)},"browser":${json(agent.browser)}},"zone":"null","device":${json(agent.device)},"id":null,"ipAddress":"${ip}","geographicalContext":${geo}}`;
  const sessionId = `idx${randomAlphanumeric(rng, 22)}`;
  const auth = `{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"rootSessionId":"${sessionId}","externalSessionId":"${anonymous ? 'unknown' : sessionId}"}`;
  const isp = place.isp;
  const domain = `${isp.split(' ')[0] ?? 'example'}.net`.replace(/[^a-z0-9.-]/g, '');
  return {
    head: flattened(`"actor":${actorJson},"client":${client},"device":null,"authenticationContext":${auth}`),
    security: flattened(`"securityContext":{"asNumber":${place.asNumber},"asOrg":${json(isp.split(' ')[0] ?? isp)},"isp":${json(isp)},"domain":${json(domain)},"isProxy":${anonymous}}`),
    request: flattened(`"request":{"ipChain":[{"ip":"${ip}","geographicalContext":${geo},"version":"V4","source":null}]}`),
  };
}

function middleJson(b: EventBody): string {
  return `"displayMessage":${json(b.displayMessage)},"eventType":${json(b.eventType)},"outcome":{"result":"${b.result}","reason":${json(b.reason)}}`;
}

function tailJson(rng: Prng, b: EventBody): string {
  const requestId = randomAlphanumeric(rng, 27);
  const debug = `{"debugData":{"requestId":"${requestId}","requestUri":${json(b.requestUri)},"url":${json(`${b.requestUri}?`)}}}`;
  return `"severity":"${b.severity}","debugContext":${debug},"legacyEventType":${json(b.legacyEventType)},"transaction":{"type":"WEB","id":"${requestId}","detail":{}}`;
}

function targetJson(targets: readonly Target[] | null): string {
  return targets === null ? 'null' : json(targets);
}

/** A version-1 style uuid, as Okta's event uuids are ("dc9fd3c0-598c-11ef-8478-2b7584bf8d5a"). */
function timeUuid(rng: Prng, instant: number): string {
  const low = (Math.floor(instant) >>> 0).toString(16).padStart(8, '0');
  return `${low}-${randomHex(rng, 4)}-11ef-${(8 + rng.int(4)).toString(16)}${randomHex(rng, 3)}-${randomHex(rng, 12)}`;
}
