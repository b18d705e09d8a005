// Turns the deployment into activities. Activity comes in sessions: someone signs in (after a
// failed attempt now and then) with one client from one address, then works with files and
// mail; an administrator's admin-console session mixes in user and policy changes; an API
// integration starts a session and moves files. Timestamps bunch up like real use.
//
// Each activity is rendered to JSON once, in both shapes, split around `created` so the
// offset style can change at serve time: the two shapes are one ground truth.

import { flattened } from '../common/flat-string.js';
import { SeededEventFactory } from '../common/event-factory.js';
import { pickBusyOrAnyone } from '../common/people.js';
import { Prng, WeightedPicker } from '../common/prng.js';
import { RunningSession } from '../common/sessions.js';
import { randomIp, uuid, type ClientApp, type ClientKind, type Deployment, type Place, type User } from './people.js';
import type { CreatedOffsetStyle, ResponseShape } from './types.js';
import { EVENTS, LOGIN_EVENTS, type Category, type EventDef } from './vocabulary.js';

/** JSON parts a whole session shares, so an activity keeps only its own bytes. */
export interface SessionParts {
  /** `,"userName":…,"ipAddress":…,"clientName":…,"geolocationId":…,"userAgent":…` (events shape). */
  readonly eventsPart: string;
  /** The `user` object (data shape). */
  readonly userJson: string;
}

/**
 * An activity as stored: its sort position, what the filters need, and its JSON in parts
 * from which either shape is assembled at serve time (the `data` object and the session's
 * parts are kept once, so 200,000 activities stay small).
 */
export interface StoredActivity {
  /** `created`, Unix seconds (the vendor's precision). */
  readonly sec: number;
  /** Insertion order, unique: breaks ties in `created`. */
  readonly seq: number;
  /** The events shape's `id`. */
  readonly uuid: string;
  /** The data shape's `id`: an auto-increment in insertion order, as a database would give. */
  readonly intId: number;
  readonly eventName: string;
  readonly category: Category;
  /** The data shape's `type`. */
  readonly type: string;
  readonly successful: boolean;
  /** The description / message as JSON text. */
  readonly description: string;
  readonly userId: string;
  readonly objectIds: readonly string[];
  readonly session: SessionParts;
  /** `permissions` as JSON text (shared between activities with the same list). */
  readonly permissions: string;
  readonly alertUuid: string | undefined;
  /** The `data` object as JSON text, the same in both shapes. */
  readonly data: string;
}

/** `created` without its offset: 2026-05-01T10:00:00. */
function createdText(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19);
}

export function renderActivity(a: StoredActivity, shape: ResponseShape, offset: CreatedOffsetStyle): string {
  const created = `${createdText(a.sec)}${offset}`;
  if (shape === 'events') {
    const alert = a.alertUuid === undefined ? 'null' : `"${a.alertUuid}"`;
    return `{"id":"${a.uuid}","created":"${created}","eventName":"${a.eventName}","description":${a.description},"successful":${a.successful}${a.session.eventsPart},"alertUuid":${alert},"data":${a.data}}`;
  }
  return `{"id":${a.intId},"created":"${created}","event":"${a.eventName}","message":${a.description},"type":"${a.type}","successful":${a.successful},"user":${a.session.userJson},"permissions":${a.permissions},"data":${a.data}}`;
}

/** Late events are stamped this far before they become visible. */
export const LATE_MIN_MS = 5_000;
export const LATE_MAX_MS = 300_000;

interface Session {
  readonly user: User;
  readonly client: ClientApp;
  readonly ip: string;
  readonly place: Place;
  /** An administrator in the admin console. */
  readonly inConsole: boolean;
  readonly parts: SessionParts;
  lastAt: number;
  /** The event the session owes next (a sign-in after a failed one). */
  followUp: EventDef | undefined;
}

const CLIENT_WEIGHTS: Readonly<Record<ClientKind, number>> = { web: 45, outlook: 15, mobile: 15, desktop: 12, api: 8 };

export class ActivityFactory extends SeededEventFactory {
  private readonly sessions: RunningSession<Session>;
  private readonly pickers = new Map<string, WeightedPicker<EventDef>>();
  private readonly permissionText = new WeakMap<readonly string[], string>();
  private readonly clientPicker: WeightedPicker<ClientApp>;
  /** The integer ids of the spec shape: an auto-increment, as in a database. */
  private readonly idBase: number;

  constructor(
    seed: number,
    private readonly dep: Deployment,
  ) {
    super(Prng.derive(seed, 'kiteworks-events'), { minMs: LATE_MIN_MS, maxMs: LATE_MAX_MS });
    this.sessions = new RunningSession(this.rng, (instant) => this.newSession(instant));
    this.clientPicker = new WeightedPicker(dep.clients.map((c) => [c, CLIENT_WEIGHTS[c.kind] / dep.clients.filter((o) => o.kind === c.kind).length] as const));
    this.idBase = 16_900_000 + Prng.derive(seed, 'kiteworks-ids').int(400_000);
  }

  /** One activity at `instant` (UTC ms) with insertion number `seq`; `detached` (late) ones leave the running session alone. */
  make(instant: number, seq: number, detached = false): StoredActivity {
    const rng = this.rng;
    const { session, fresh } = this.sessions.at(instant, detached);
    const def = this.nextEvent(session, fresh);
    const body = def.build({ rng, dep: this.dep, user: session.user, client: session.client, place: session.place });
    return {
      sec: Math.floor(instant / 1000),
      seq,
      uuid: uuid(rng),
      intId: this.idBase + seq,
      eventName: def.name,
      category: def.category,
      type: def.type,
      successful: def.successful,
      description: flattened(JSON.stringify(body.description)),
      userId: session.user.userId,
      objectIds: body.objectIds,
      session: session.parts,
      permissions: this.permissionsJson(body.permissions),
      alertUuid: body.alertUuid,
      data: flattened(JSON.stringify(body.data)),
    };
  }

  /** The JSON of a permissions list; the vocabulary's shared lists are rendered once. */
  private permissionsJson(list: readonly string[]): string {
    if (list.length === 0) return '[]';
    let json = this.permissionText.get(list);
    if (json === undefined) {
      json = JSON.stringify(list);
      this.permissionText.set(list, json);
    }
    return json;
  }

  private newSession(instant: number): Session {
    const rng = this.rng;
    const user = pickBusyOrAnyone(rng, this.dep.users);
    const client = this.clientPicker.draw(rng);
    const away = rng.chance(0.25);
    const place = away ? rng.pick(this.dep.places) : user.home;
    const ip = away || client.kind === 'mobile' ? randomIp(rng) : user.homeIp;
    const userAgent = rng.pick(client.userAgents);
    const parts: SessionParts = {
      eventsPart: flattened(
        `,"userName":${JSON.stringify(user.email)},"ipAddress":"${ip}","clientName":${JSON.stringify(client.clientName)}` +
          `,"geolocationId":${place.geolocationId},"userAgent":${JSON.stringify(userAgent)}`,
      ),
      userJson: flattened(JSON.stringify({ userId: user.userId, name: user.name, email: user.email, profileIcon: user.userId })),
    };
    return {
      user,
      client,
      ip,
      place,
      inConsole: user.admin && client.kind === 'web' && rng.chance(0.5),
      parts,
      lastAt: instant,
      followUp: undefined,
    };
  }

  /** Fresh sessions open with a sign-in (sometimes failed first); then events the client can do. */
  private nextEvent(s: Session, fresh: boolean): EventDef {
    const rng = this.rng;
    if (s.followUp) {
      const next = s.followUp;
      s.followUp = undefined;
      return next;
    }
    if (fresh) {
      if (s.client.kind === 'api') return LOGIN_EVENTS.sessionStarted;
      const success = s.inConsole ? LOGIN_EVENTS.adminLoggedIn : LOGIN_EVENTS.userLoggedIn;
      const r = rng.next();
      if (r < 0.06) {
        s.followUp = rng.chance(0.7) ? success : undefined;
        return s.inConsole ? LOGIN_EVENTS.adminLoginFailed : LOGIN_EVENTS.userLoginFailed;
      }
      if (r < 0.08) {
        s.followUp = rng.chance(0.5) ? success : undefined;
        return LOGIN_EVENTS.tfaLoginFailed;
      }
      if (r < 0.45) return success;
    }
    return this.picker(s.client.kind, s.inConsole).draw(rng);
  }

  private picker(kind: ClientKind, inConsole: boolean): WeightedPicker<EventDef> {
    const key = `${kind}:${inConsole}`;
    let p = this.pickers.get(key);
    if (!p) {
      // In the admin console, admin actions weigh more; everywhere else they do not occur.
      const entries = EVENTS.filter((e) => e.clients.includes(kind) && (inConsole || e.adminConsole !== true)).map((e) => [e, e.adminConsole === true ? e.weight * 4 : e.weight] as const);
      p = new WeightedPicker(entries);
      this.pickers.set(key, p);
    }
    return p;
  }
}
