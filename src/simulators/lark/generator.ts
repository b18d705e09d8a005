// Turns the tenant into AuditInfo items. Activity comes in sessions (a member signs in on
// one of their devices, then reads and edits docs, chats, joins meetings from the same
// address; a bot posts messages; a partner's external user opens shared docs), over
// timestamps that bunch up like real use. Each item is rendered to JSON once, split around
// operator_value so a page can serve any user_id_type by splicing in the right ID.

import { flattened } from '../common/flat-string.js';
import { SeededEventFactory } from '../common/event-factory.js';
import { pickBusyOrAnyone } from '../common/people.js';
import { Prng, WeightedPicker } from '../common/prng.js';
import { RunningSession } from '../common/sessions.js';
import { randomIp, type Device, type Operator, type Org } from './people.js';
import { EVENTS, eventNamed, type Drawer, type EventDef } from './vocabulary.js';

/** user_id_type as an index into Operator.ids/json. */
export type IdType = 0 | 1 | 2;
export const ID_TYPES: Readonly<Record<string, IdType>> = { open_id: 0, union_id: 1, user_id: 2 };

/**
 * The JSON parts of an item that a whole session shares: with them an item keeps only its
 * own few hundred bytes (200,000 items stay small), and a page is a cheap concatenation.
 */
export interface SharedParts {
  /** `,"operator_tenant":…,"event_time":` */
  readonly tenant: string;
  /** `,"audit_context":{…},"audit_detail":{…},"common_drawers":` */
  readonly context: string;
  /** `,"department_ids":[…]` */
  readonly departments: string;
}

/** An item as stored: its sort position, its JSON in parts, and what the filters need. */
export interface StoredItem {
  /** event_time, Unix seconds. */
  readonly time: number;
  /** Insertion order, unique: breaks ties in event_time and positions the paging cursor. */
  readonly seq: number;
  /** JSON text up to and including `"operator_value":`. */
  readonly head: string;
  readonly shared: SharedParts;
  /** The common_drawers object (often shared with other items). */
  readonly drawers: string;
  /** `,"extend":…` to the closing brace. */
  readonly rest: string;
  readonly operator: Operator;
  readonly eventName: string;
  readonly module: number;
  /** objects[] as [object_type, object_value] pairs. */
  readonly objects: ReadonlyArray<readonly [string, string]>;
}

/** The JSON text of an item with operator_value of the given ID type (key order as in the vendor's sample). */
export function renderItem(item: StoredItem, idType: IdType): string {
  const s = item.shared;
  return item.head + item.operator.json[idType] + s.tenant + item.time + s.context + item.drawers + s.departments + item.rest;
}

/** Late events are stamped this far before they become visible. */
export const LATE_MIN_MS = 5_000;
export const LATE_MAX_MS = 600_000;

/** How many event_id values each event name reuses. */
const EVENT_ID_POOL = 3;

const CITY_ZONES: Readonly<Record<string, string>> = {
  Singapore: 'Asia/Singapore', Tokyo: 'Asia/Tokyo', Jakarta: 'Asia/Jakarta', Bangkok: 'Asia/Bangkok', Seoul: 'Asia/Seoul',
  'Ho Chi Minh City': 'Asia/Ho_Chi_Minh', 'Kuala Lumpur': 'Asia/Kuala_Lumpur', Sydney: 'Australia/Sydney', London: 'Europe/London', 'San Jose': 'America/Los_Angeles',
};
const CITY_REGIONS: Readonly<Record<string, string>> = {
  Singapore: 'SG', Tokyo: 'JP', Jakarta: 'ID', Bangkok: 'TH', Seoul: 'KR', 'Ho Chi Minh City': 'VN', 'Kuala Lumpur': 'MY', Sydney: 'AU', London: 'GB', 'San Jose': 'US',
};

interface Session {
  readonly actor: Operator;
  readonly ip: string;
  readonly parts: SharedParts;
  lastAt: number;
  /** The event the session owes next (a login after a failed one, a 2FA after a login). */
  followUp: EventDef | undefined;
}

export class EventFactory extends SeededEventFactory {
  private readonly pickers: Record<'member' | 'admin' | 'external' | 'bot', WeightedPicker<EventDef>>;
  private readonly eventIds = new Map<string, string[]>();
  private readonly login = eventNamed('account_login');
  private readonly loginFailed = eventNamed('account_login_failed');
  private readonly twoStep = eventNamed('account_two_step_verification');
  private readonly sessions: RunningSession<Session>;
  private readonly drawerText = new WeakMap<Drawer, string>();
  private readonly drawerLists = new WeakMap<readonly Drawer[], string>();

  constructor(
    seed: number,
    private readonly org: Org,
  ) {
    super(Prng.derive(seed, 'lark-events'), { minMs: LATE_MIN_MS, maxMs: LATE_MAX_MS });
    this.sessions = new RunningSession(this.rng, (instant) => this.newSession(instant));
    const picker = (pick: (e: EventDef) => boolean): WeightedPicker<EventDef> => new WeightedPicker(EVENTS.filter(pick).map((e) => [e, e.weight] as const));
    this.pickers = {
      member: picker((e) => e.actors.includes('member') && e.adminOnly !== true),
      admin: picker((e) => e.actors.includes('member')),
      external: picker((e) => e.actors.includes('external')),
      bot: picker((e) => e.actors.includes('bot')),
    };
    const idRng = Prng.derive(seed, 'lark-event-ids');
    for (const e of EVENTS) {
      this.eventIds.set(
        e.name,
        Array.from({ length: EVENT_ID_POOL }, () => `72${String(idRng.range(10_000_000, 99_999_999))}${String(idRng.range(100_000_000, 999_999_999))}`),
      );
    }
  }

  /** One item happening at `instant` (UTC ms) with insertion number `seq`. `detached` (late) items leave the running session alone. */
  make(instant: number, seq: number, detached = false): StoredItem {
    const rng = this.rng;
    const { session, fresh } = this.sessions.at(instant, detached);
    const def = this.nextEvent(session, fresh);
    const actor = session.actor;
    const body = def.build({ rng, org: this.org, actor, name: def.name });
    const time = Math.floor(instant / 1000);
    const app = body.app ?? (actor.kind === 'bot' ? { appId: actor.appId, name: actor.name } : undefined);
    const pool = this.eventIds.get(def.name) ?? ['0'];

    // unique_id: 19 digits, unique by construction (a leading 7, the second, the insertion number).
    // Every value in the head is digits or a plain identifier: no escaping needed.
    const uniqueId = `7${String(time).padStart(10, '0').slice(-10)}${String(seq % 100_000_000).padStart(8, '0')}`;
    const head = `{"event_id":"${rng.pick(pool)}","unique_id":"${uniqueId}","event_module":${def.module},"event_name":"${def.name}","operator_type":${actor.operatorType},"operator_value":`;
    const rest = {
      extend: body.extend,
      ip: session.ip,
      objects: body.objects,
      operator_app: app?.appId ?? '',
      operator_app_name: app?.name ?? '',
      recipients: body.recipients,
    };
    return {
      time,
      seq,
      head: flattened(head),
      shared: session.parts,
      drawers: this.drawersJson(body.drawers),
      rest: flattened(`,${JSON.stringify(rest).slice(1)}`),
      operator: actor,
      eventName: def.name,
      module: def.module,
      objects: body.objects.map((o) => [o.object_type, o.object_value] as const),
    };
  }

  /** common_drawers as JSON; lists the vocabulary shares are rendered once. */
  private drawersJson(drawers: readonly Drawer[]): string {
    // An empty list is served as either {} or {"common_draw_info_list":[]}.
    if (drawers.length === 0) return this.rng.chance(0.5) ? '{}' : '{"common_draw_info_list":[]}';
    const known = this.drawerLists.get(drawers);
    if (known !== undefined) return known;
    let text = '{"common_draw_info_list":[';
    for (let i = 0; i < drawers.length; i++) {
      const d = drawers[i] as Drawer;
      let json = this.drawerText.get(d);
      if (json === undefined) {
        json = JSON.stringify(d);
        this.drawerText.set(d, json);
      }
      text += i === 0 ? json : `,${json}`;
    }
    text = flattened(`${text}]}`);
    if (Object.isFrozen(drawers)) this.drawerLists.set(drawers, text);
    return text;
  }

  /** The parts a session's items share. */
  private sharedParts(actor: Operator, device: Device, ip: string, wifip: string): SharedParts {
    const context = this.context(actor, device, ip, wifip);
    const detail = this.detail(actor, device);
    return {
      tenant: `,"operator_tenant":${JSON.stringify(actor.tenant)},"event_time":`,
      context: flattened(`,"audit_context":${JSON.stringify(context)},"audit_detail":${JSON.stringify(detail)},"common_drawers":`),
      departments: `,"department_ids":${JSON.stringify(actor.departmentIds)}`,
    };
  }

  private context(actor: Operator, d: Device, ip: string, wifip: string): Record<string, unknown> {
    const zone = CITY_ZONES[actor.city] ?? 'Asia/Singapore';
    switch (d.terminal) {
      case 0:
        return {
          terminal_type: 0,
          ios_context: {
            udid: d.udid, did: d.did, app_ver: d.appVer, ver: d.os.replace('iOS ', ''), os: d.os, STZone: zone, ML: 'en-US', sjd: 'false', proxyip: '',
            wifip, location: '', active_ip: ip, active_ip_detail: '', cell_base_station: '', IP: ip,
          },
        };
      case 1:
        return {
          terminal_type: 1,
          android_context: {
            udid: d.udid, did: d.did, app_ver: d.appVer, ver: d.os.replace('Android ', ''), os: d.os, wifip, id_i: '', id_r: '', hw_brand: d.brand,
            hw_manuf: d.brand, route_iip: wifip.replace(/\.\d+$/, '.1'), route_gip: ip, env_su: 'false', env_tz: zone, env_ml: 'en_US', location: '',
            active_ip: ip, active_ip_detail: '', cell_base_station: '', IP: ip,
          },
        };
      case 2:
        return {
          terminal_type: 2,
          pc_context: { udid: d.udid, did: d.did, app_ver: d.appVer, ver: d.appVer, os: d.os, wifip, region: CITY_REGIONS[actor.city] ?? '', IP: ip },
        };
      default:
        return { terminal_type: 3, web_context: { IP: ip, user_agent: d.userAgent } };
    }
  }

  private detail(actor: Operator, d: Device): Record<string, string> {
    // Web sessions mostly carry an empty detail, as in the fixture.
    if (d.terminal === 3) return { city: this.rng.chance(0.3) ? actor.city : '', device_model: '', mc: '', os: '' };
    return { city: actor.city, device_model: d.model, mc: d.mac, os: d.os };
  }

  private newSession(instant: number): Session {
    const rng = this.rng;
    const { org } = this;
    const r = rng.next();
    let actor: Operator;
    if (r < 0.85) {
      actor = pickBusyOrAnyone(rng, org.members);
    } else if (r < 0.92) actor = rng.pick(org.bots);
    else actor = rng.pick(org.externals);
    const device = rng.pick(actor.devices);
    const mobile = device.terminal === 0 || device.terminal === 1;
    const ip = actor.kind === 'member' && (mobile ? rng.chance(0.5) : rng.chance(0.85)) ? actor.ip : actor.kind === 'bot' ? actor.ip : randomIp(rng);
    const wifip = actor.kind === 'bot' ? '' : `192.168.${rng.range(0, 31)}.${rng.range(2, 250)}`;
    return { actor, ip, parts: this.sharedParts(actor, device, ip, wifip), lastAt: instant, followUp: undefined };
  }

  /** Member sessions often open with a sign-in (sometimes failed first, sometimes with 2FA). */
  private nextEvent(s: Session, fresh: boolean): EventDef {
    const rng = this.rng;
    if (s.followUp) {
      const next = s.followUp;
      s.followUp = next === this.login && rng.chance(0.35) ? this.twoStep : undefined;
      return next;
    }
    const kind = s.actor.kind;
    if (kind === 'member' && fresh) {
      const r = rng.next();
      if (r < 0.06) {
        s.followUp = rng.chance(0.7) ? this.login : undefined;
        return this.loginFailed;
      }
      if (r < 0.5) {
        s.followUp = rng.chance(0.3) ? this.twoStep : undefined;
        return this.login;
      }
    }
    if (kind === 'member') return (s.actor.admin ? this.pickers.admin : this.pickers.member).draw(rng);
    return this.pickers[kind].draw(rng);
  }
}
