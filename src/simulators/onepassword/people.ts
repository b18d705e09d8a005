// What every event kind says about people: who acts, from which device, session, client
// and place. Shared by the three generators; each generator owns its own instance, so
// one kind's history does not depend on how many events another kind has.
// The nested objects are kept as ready JSON text: events are built as strings (see
// generator.ts), which is what makes 200k events cheap.

import { pickSkewed } from '../common/people.js';
import type { Prng } from '../common/prng.js';
import { randomUuid } from './ids.js';
import { nanoTime } from './timestamps.js';
import { ipIn, type Client, type Location, type Person, type World } from './world.js';

/** Where and how one person is connected right now. */
export interface Presence {
  readonly person: Person;
  readonly place: Location;
  readonly ip: string;
  readonly client: Client;
  readonly device: string;
  readonly sessionUuid: string;
  readonly loginMs: number;
  /** `{"uuid":…,"login_time":…,"device_uuid":…,"ip":…}` */
  readonly sessionJson: string;
}

const SESSION_MS = 8 * 3600_000;

export class People {
  private readonly personJson = new Map<Person, string>();
  private readonly placeJson = new Map<Location, string>();
  private readonly clientHead = new Map<Client, string>();
  private readonly presence = new Map<Person, Presence>();

  constructor(
    private readonly rng: Prng,
    private readonly world: World,
  ) {}

  /** A few people do most things (admins, heavy users): a skewed pick. */
  pickActive(): Person {
    return pickSkewed(this.rng, this.world.people);
  }

  pickAnyone(): Person {
    return this.rng.pick(this.world.people);
  }

  /** `{"uuid":…,"name":…,"email":…}` */
  json(person: Person): string {
    let text = this.personJson.get(person);
    if (text === undefined) {
      text = JSON.stringify({ uuid: person.uuid, name: person.name, email: person.email });
      this.personJson.set(person, text);
    }
    return text;
  }

  /** `{"country":…,"region":…,"city":…,"latitude":…,"longitude":…}` */
  locationJson(place: Location): string {
    let text = this.placeJson.get(place);
    if (text === undefined) {
      const { country, region, city, latitude, longitude } = place;
      text = JSON.stringify({ country, region, city, latitude, longitude });
      this.placeJson.set(place, text);
    }
    return text;
  }

  /** The client object with the address it connected from. */
  clientJson(client: Client, ip: string): string {
    let head = this.clientHead.get(client);
    if (head === undefined) {
      head = `${JSON.stringify(client).slice(0, -1)},"ip_address":`;
      this.clientHead.set(client, head);
    }
    return `${head}"${ip}"}`;
  }

  /** The person's current session at `ms`, starting a new one when the last is old (or later than ms: a late event). */
  at(person: Person, ms: number): Presence {
    const current = this.presence.get(person);
    if (current && current.loginMs <= ms && ms - current.loginMs < SESSION_MS) return current;
    const travelling = this.rng.chance(0.03);
    const place = travelling ? this.rng.pick(this.world.elsewhere) : person.home;
    const which = this.rng.int(person.clients.length);
    const loginMs = ms - this.rng.int(2 * 3600_000);
    const ip = travelling ? ipIn(this.rng, place) : person.ip;
    const device = person.devices[which] ?? person.devices[0] ?? '';
    const sessionUuid = randomUuid(this.rng);
    const next: Presence = {
      person,
      place,
      ip,
      client: person.clients[which] ?? this.rng.pick(person.clients),
      device,
      sessionUuid,
      loginMs,
      sessionJson: `{"uuid":"${sessionUuid}","login_time":"${nanoTime(this.rng, loginMs)}","device_uuid":"${device}","ip":"${ip}"}`,
    };
    this.presence.set(person, next);
    return next;
  }
}
