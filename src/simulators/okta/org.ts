// The simulated Okta org: ~60 people of example-corp.com (the first few are administrators,
// and busy), the apps they sign in to, their groups, the org's policies, where they work
// from and with what. Built once from the seed. Names are illustrative; the id shapes follow
// Okta's (20 characters: `00u…` users, `0oa…` apps, `00g…` groups, `00p…` policies, `0pr…`
// rules, `00T…` API tokens).

import { drawDistinct } from '../common/people.js';
import { Prng, randomAlphanumeric } from '../common/prng.js';

export const ORG_DOMAIN = 'example-corp.com';

export interface Place {
  readonly city: string;
  readonly state: string;
  readonly country: string;
  readonly postalCode: string;
  readonly lat: number;
  readonly lon: number;
  /** First three octets of the addresses people use there. */
  readonly ipPrefix: string;
  readonly isp: string;
  readonly asNumber: number;
}

export interface Person {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  readonly admin: boolean;
  readonly home: Place;
}

export interface App {
  readonly id: string;
  readonly name: string;
  readonly label: string;
}

export interface Named {
  readonly id: string;
  readonly name: string;
}

export interface Agent {
  readonly raw: string;
  readonly os: string;
  readonly browser: string;
  readonly device: string;
}

export interface Org {
  readonly people: readonly Person[];
  readonly admins: readonly Person[];
  readonly apps: readonly App[];
  readonly groups: readonly Named[];
  readonly policies: readonly Named[];
  readonly rules: readonly Named[];
  readonly places: readonly Place[];
  readonly agents: readonly Agent[];
  readonly adminRoles: readonly string[];
  /** The org's own id (the issuer of its sessions). */
  readonly orgId: string;
}

const FIRST = ['Olivia', 'Liam', 'Amelia', 'Noah', 'Charlotte', 'Jack', 'Isla', 'William', 'Mia', 'Thomas', 'Grace', 'James', 'Priya', 'Raj', 'Mei', 'Hiro', 'Fatima', 'Omar', 'Sofia', 'Mateo', 'Anna', 'Lukas', 'Zoe', 'Ethan'];
const LAST = ['Smith', 'Jones', 'Williams', 'Brown', 'Taylor', 'Nguyen', 'Patel', 'Chen', 'Kelly', 'Murphy', 'Martin', 'Lee', 'Walker', 'Singh', 'Rossi', 'Müller', 'García', 'Tanaka'];

const PLACES: readonly Place[] = [
  { city: 'San Francisco', state: 'California', country: 'United States', postalCode: '94107', lat: 37.7697, lon: -122.3933, ipPrefix: '198.51.100', isp: 'comcast cable communications llc', asNumber: 7922 },
  { city: 'New York', state: 'New York', country: 'United States', postalCode: '10001', lat: 40.7484, lon: -73.9967, ipPrefix: '203.0.113', isp: 'verizon business', asNumber: 701 },
  { city: 'Austin', state: 'Texas', country: 'United States', postalCode: '78701', lat: 30.2711, lon: -97.7437, ipPrefix: '192.0.2', isp: 'at&t services inc.', asNumber: 7018 },
  { city: 'London', state: 'England', country: 'United Kingdom', postalCode: 'EC1A', lat: 51.5164, lon: -0.093, ipPrefix: '100.64.12', isp: 'british telecommunications plc', asNumber: 2856 },
  { city: 'Dublin', state: 'Leinster', country: 'Ireland', postalCode: 'D02', lat: 53.3382, lon: -6.2591, ipPrefix: '100.72.3', isp: 'eir broadband', asNumber: 5466 },
  { city: 'Sydney', state: 'New South Wales', country: 'Australia', postalCode: '2000', lat: -33.8688, lon: 151.2093, ipPrefix: '100.80.9', isp: 'telstra corporation ltd', asNumber: 1221 },
];

const AGENTS: readonly Agent[] = [
  { raw: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', os: 'Windows 10', browser: 'CHROME', device: 'Computer' },
  { raw: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', os: 'Mac OS X', browser: 'SAFARI', device: 'Computer' },
  { raw: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0', os: 'Mac OS X', browser: 'FIREFOX', device: 'Computer' },
  { raw: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', os: 'iOS', browser: 'SAFARI', device: 'Mobile' },
  { raw: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36', os: 'Android', browser: 'CHROME', device: 'Mobile' },
];

const APPS: ReadonlyArray<[string, string]> = [
  ['salesforce', 'Salesforce.com'],
  ['slack', 'Slack'],
  ['google', 'Google Workspace'],
  ['office365', 'Microsoft Office 365'],
  ['zoomus', 'Zoom'],
  ['atlassian', 'Atlassian Cloud'],
  ['github_enterprise', 'GitHub Enterprise'],
  ['aws_account_federation', 'AWS Account Federation'],
  ['workday', 'Workday'],
];

const GROUPS = ['Everyone', 'Engineering', 'Sales', 'Finance', 'Support', 'Contractors', 'AWS Admins', 'VPN Users'];
const POLICIES = ['Default Policy', 'Okta Admin Console', 'Contractor Sign-On', 'High Assurance Apps', 'Password Policy - Employees'];
const RULES = ['Require MFA off network', 'Allow on corporate network', 'Deny legacy authentication', 'Re-authenticate every 12 hours'];
const ADMIN_ROLES = ['READ_ONLY_ADMIN', 'HELP_DESK_ADMIN', 'APP_ADMIN', 'USER_ADMIN', 'ORG_ADMIN'];

const PEOPLE = 60;
const ADMINS = 4;

/** An Okta object id: a three-character type prefix and 17 letters and digits. */
export function oktaId(rng: Prng, prefix: string): string {
  return `${prefix}${randomAlphanumeric(rng, 20 - prefix.length)}`;
}

export function buildOrg(seed: number): Org {
  const rng = Prng.derive(seed, 'okta-org');
  const names = [...drawDistinct(PEOPLE, () => `${rng.pick(FIRST)} ${rng.pick(LAST)}`)];
  const people: Person[] = names.map((displayName, i) => {
    const [first = 'user', last = String(i)] = displayName.split(' ');
    const login = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    return { id: oktaId(rng, '00u'), login: `${login}@${ORG_DOMAIN}`, displayName, admin: i < ADMINS, home: rng.pick(PLACES) };
  });
  return {
    people,
    admins: people.filter((p) => p.admin),
    apps: APPS.map(([name, label]) => ({ id: oktaId(rng, '0oa'), name, label })),
    groups: GROUPS.map((name) => ({ id: oktaId(rng, '00g'), name })),
    policies: POLICIES.map((name) => ({ id: oktaId(rng, '00p'), name })),
    rules: RULES.map((name) => ({ id: oktaId(rng, '0pr'), name })),
    places: PLACES,
    agents: AGENTS,
    adminRoles: ADMIN_ROLES,
    orgId: oktaId(rng, '00o'),
  };
}

/** An address at `place` (documentation and shared ranges only: never a real host). */
export function ipAt(rng: Prng, place: Place): string {
  return `${place.ipPrefix}.${1 + rng.int(254)}`;
}
