// The simulated account: people, vaults, items, groups, devices and where they sign in
// from. Built once from the seed so every event refers to a consistent small world.

import { Prng } from '../common/prng.js';
import { randomLowerUuid, randomUuid } from './ids.js';

export interface Location {
  readonly country: string;
  /** ISO 3166 code, used by sign-in attempts' `country`. */
  readonly iso: string;
  readonly region: string;
  readonly city: string;
  readonly latitude: number;
  readonly longitude: number;
  /** First two octets of addresses we place here. */
  readonly ipPrefix: string;
}

export interface Client {
  readonly app_name: string;
  readonly app_version: string;
  readonly platform_name: string;
  readonly platform_version: string;
  readonly os_name: string;
  readonly os_version: string;
}

export interface Person {
  readonly uuid: string;
  readonly name: string;
  readonly email: string;
  readonly home: Location;
  readonly ip: string;
  readonly clients: readonly Client[];
  readonly devices: readonly string[];
}

export interface Vault {
  readonly uuid: string;
  readonly items: readonly { uuid: string; version: number }[];
}

export interface Group {
  readonly uuid: string;
  readonly name: string;
}

export interface World {
  readonly accountUuid: string;
  readonly domain: string;
  readonly people: readonly Person[];
  readonly vaults: readonly Vault[];
  readonly groups: readonly Group[];
  /** Places people do not live in: travel, and strangers guessing passwords. */
  readonly elsewhere: readonly Location[];
  readonly serviceAccounts: readonly { uuid: string; name: string }[];
}

type Place = Omit<Location, 'ipPrefix'>;

const HOME_PLACES: readonly Place[] = [
  { country: 'Canada', iso: 'CA', region: 'Ontario', city: 'Toronto', latitude: 43.64, longitude: -79.433 },
  { country: 'United States', iso: 'US', region: 'California', city: 'Santa Clara', latitude: 37.3541, longitude: -121.9552 },
  { country: 'United States', iso: 'US', region: 'New York', city: 'New York', latitude: 40.7128, longitude: -74.006 },
  { country: 'United States', iso: 'US', region: 'Texas', city: 'Austin', latitude: 30.2672, longitude: -97.7431 },
  { country: 'Spain', iso: 'ES', region: 'Madrid', city: 'Madrid', latitude: 40.4168, longitude: -3.7038 },
  { country: 'United Kingdom', iso: 'GB', region: 'England', city: 'London', latitude: 51.5072, longitude: -0.1276 },
  { country: 'Israel', iso: 'IL', region: 'Tel Aviv', city: 'Tel Aviv', latitude: 32.0853, longitude: 34.7818 },
  { country: 'Argentina', iso: 'AR', region: 'Buenos Aires', city: 'Buenos Aires', latitude: -34.6037, longitude: -58.3816 },
  { country: 'Germany', iso: 'DE', region: 'Berlin', city: 'Berlin', latitude: 52.52, longitude: 13.405 },
  { country: 'India', iso: 'IN', region: 'Karnataka', city: 'Bengaluru', latitude: 12.9716, longitude: 77.5946 },
];

const ELSEWHERE_PLACES: readonly Place[] = [
  { country: 'Brazil', iso: 'BR', region: 'Sao Paulo', city: 'Sao Paulo', latitude: -23.5505, longitude: -46.6333 },
  { country: 'Netherlands', iso: 'NL', region: 'North Holland', city: 'Amsterdam', latitude: 52.3676, longitude: 4.9041 },
  { country: 'Singapore', iso: 'SG', region: 'Singapore', city: 'Singapore', latitude: 1.3521, longitude: 103.8198 },
  { country: 'Russia', iso: 'RU', region: 'Moscow', city: 'Moscow', latitude: 55.7558, longitude: 37.6173 },
  { country: 'Nigeria', iso: 'NG', region: 'Lagos', city: 'Lagos', latitude: 6.5244, longitude: 3.3792 },
  { country: 'Japan', iso: 'JP', region: 'Tokyo', city: 'Tokyo', latitude: 35.6762, longitude: 139.6503 },
];

const CLIENTS: readonly Client[] = [
  { app_name: '1Password Browser Extension', app_version: '81117006', platform_name: 'Chrome', platform_version: '130.0.6723.92', os_name: 'MacOSX', os_version: '14.6.1' },
  { app_name: '1Password Browser Extension', app_version: '81117006', platform_name: 'Firefox', platform_version: '132.0', os_name: 'Windows', os_version: '10.0' },
  { app_name: '1Password Browser Extension', app_version: '1109', platform_name: 'Chrome', platform_version: '93.0.4577.62', os_name: 'Android', os_version: '10' },
  { app_name: '1Password Browser Extension', app_version: '81116010', platform_name: 'Edge', platform_version: '130.0.2849.68', os_name: 'Windows', os_version: '11.0' },
  { app_name: '1Password for Mac', app_version: '81041026', platform_name: 'MacBookPro18,3', platform_version: '', os_name: 'MacOSX', os_version: '15.1' },
  { app_name: '1Password for Windows', app_version: '81040022', platform_name: 'Dell Inc. Latitude 7440', platform_version: '', os_name: 'Windows', os_version: '10.0.22631' },
  { app_name: '1Password for iOS', app_version: '81040002', platform_name: 'iPhone15,2', platform_version: '', os_name: 'iOS', os_version: '18.1' },
  { app_name: '1Password for Android', app_version: '81039004', platform_name: 'Pixel 8', platform_version: '', os_name: 'Android', os_version: '15' },
  { app_name: '1Password CLI', app_version: '2300102', platform_name: '', platform_version: '', os_name: 'Linux', os_version: '6.8.0' },
  { app_name: '1Password.com', app_version: '1898', platform_name: 'Safari', platform_version: '18.1', os_name: 'MacOSX', os_version: '15.1' },
];

const FIRST_NAMES = ['Ana', 'Ben', 'Carmen', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Marco', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wen', 'Yara'];
const LAST_NAMES = ['Alvarez', 'Brooks', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Kowalski', 'Levi', 'Moreau', 'Novak', 'Okafor', 'Patel', 'Rossi', 'Silva', 'Tanaka', 'Weber', 'Young'];
const GROUP_NAMES = ['Owners', 'Administrators', 'Team Members', 'Engineering', 'Finance', 'Security', 'Support', 'Contractors'];

export function buildWorld(seed: number): World {
  const rng = Prng.derive(seed, 'world');
  const usedOctets = new Set<string>();
  const withPrefix = (place: Place): Location => {
    let prefix: string;
    do {
      // Public-looking unicast ranges; skip private, loopback and multicast.
      const a = rng.pick([23, 31, 37, 45, 52, 62, 77, 81, 89, 91, 103, 109, 151, 176, 185, 188, 201, 212]);
      prefix = `${a}.${rng.range(1, 254)}`;
    } while (usedOctets.has(prefix));
    usedOctets.add(prefix);
    return { ...place, ipPrefix: prefix };
  };
  const homes = HOME_PLACES.map(withPrefix);
  const elsewhere = ELSEWHERE_PLACES.map(withPrefix);
  const domain = 'acme-corp.example';

  const people: Person[] = [];
  const usedNames = new Set<string>();
  while (people.length < 48) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const name = `${first} ${last}`;
    if (usedNames.has(name)) continue;
    usedNames.add(name);
    const home = rng.pick(homes);
    const clientCount = rng.range(1, 3);
    const clients: Client[] = [];
    while (clients.length < clientCount) {
      const c = rng.pick(CLIENTS);
      if (!clients.includes(c)) clients.push(c);
    }
    people.push({
      uuid: randomUuid(rng),
      name,
      email: `${first}.${last}@${domain}`.toLowerCase(),
      home,
      ip: ipIn(rng, home),
      clients,
      devices: clients.map(() => randomLowerUuid(rng)),
    });
  }

  const vaults: Vault[] = [];
  for (let v = 0; v < 16; v++) {
    const items: { uuid: string; version: number }[] = [];
    const count = rng.range(10, 60);
    for (let i = 0; i < count; i++) items.push({ uuid: randomLowerUuid(rng), version: rng.range(1, 12) });
    vaults.push({ uuid: randomLowerUuid(rng), items });
  }

  return {
    accountUuid: randomUuid(rng),
    domain,
    people,
    vaults,
    groups: GROUP_NAMES.map((name) => ({ uuid: randomUuid(rng), name })),
    elsewhere,
    serviceAccounts: [
      { uuid: randomUuid(rng), name: 'SCIM Bridge' },
      { uuid: randomUuid(rng), name: 'CI Deploy Service Account' },
    ],
  };
}

export function ipIn(rng: Prng, place: Location): string {
  return `${place.ipPrefix}.${rng.range(0, 255)}.${rng.range(1, 254)}`;
}
