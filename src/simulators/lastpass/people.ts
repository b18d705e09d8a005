// The simulated company: its email domain, ~50 people (a few of them admins), the API
// integrations that act as "API: <name>", and the vault things events talk about (sites,
// shared folders, groups, policies). Built once from the seed, so every run is the same.

import { drawDistinct } from '../common/people.js';
import { Prng } from '../common/prng.js';

export interface Person {
  readonly email: string;
  /** Where this person usually connects from (home or office egress). */
  readonly ip: string;
  readonly admin: boolean;
}

export interface ApiClient {
  /** "API: <name>", the form the audit log shows for API-initiated actions. */
  readonly username: string;
  readonly ip: string;
}

export interface Company {
  readonly domain: string;
  readonly people: readonly Person[];
  readonly admins: readonly Person[];
  readonly apiClients: readonly ApiClient[];
  readonly officeIps: readonly string[];
  readonly sites: readonly string[];
  readonly folders: readonly string[];
  readonly groups: readonly string[];
  readonly policies: readonly string[];
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
}

const DOMAINS = ['northwind-labs.com', 'globex-systems.com', 'initech.io', 'contoso-health.com', 'fabrikam-retail.com', 'tailspin-air.com'];
const FIRST = [
  'alice', 'bruno', 'carla', 'deepak', 'elena', 'farid', 'grace', 'hiro', 'ines', 'jamal', 'kate', 'luis', 'maya', 'nikolai',
  'olga', 'priya', 'quentin', 'rosa', 'sven', 'tanya', 'umar', 'vera', 'wei', 'ximena', 'yusuf', 'zoe', 'amir', 'beatriz',
  'chen', 'dana', 'emeka', 'fiona', 'goran', 'hana', 'ivan', 'julia', 'kofi', 'lena', 'marco', 'nora',
];
const LAST = [
  'smith', 'garcia', 'nguyen', 'kowalski', 'okafor', 'tanaka', 'muller', 'rossi', 'silva', 'haddad', 'johansson', 'patel',
  'kim', 'dubois', 'novak', 'ivanova', 'mensah', 'larsen', 'costa', 'fischer', 'moreau', 'singh', 'ali', 'schmidt', 'lopez',
  'yamamoto', 'kaur', 'brown', 'wilson', 'popescu',
];
const SITES = [
  'github.com', 'aws.amazon.com', 'console.cloud.google.com', 'portal.azure.com', 'salesforce.com', 'slack.com', 'zoom.us',
  'atlassian.net', 'workday.com', 'docusign.net', 'dropbox.com', 'figma.com', 'hubspot.com', 'netsuite.com', 'okta.com',
  'accounts.google.com/ServiceLogin', 'login.microsoftonline.com', 'stripe.com', 'datadoghq.com', 'pagerduty.com',
];
const FOLDERS = [
  'Shared-Engineering', 'Shared-Finance', 'Common_Creds', 'Shared-IT Ops', 'Shared-Marketing', 'Vendor Logins', 'SFolder33',
  'Shared-Security', 'Break Glass', 'Shared-HR',
];
const GROUPS = ['Engineering', 'Finance', 'IT', 'Marketing', 'Sales', 'Security', 'HR', 'Contractors', 'Group3'];
const POLICIES = [
  'Length of site passwords',
  'Require passwordless verification via LastPass Authenticator',
  'Restrict access to approved countries',
  'Prohibit sharing outside the enterprise',
  'Master password minimum length',
  'Require multifactor authentication',
  'Log off after inactivity',
  'Disable offline access',
];
const API_NAMES = ['SIEM Connector', 'Okta Provisioning', 'HR Sync', 'Microsoft Sentinel CCP'];
/** First octets of common consumer and business ISP ranges, for believable public addresses. */
const V4_FIRST = [24, 47, 50, 68, 71, 73, 76, 81, 86, 90, 98, 107, 108, 174, 185, 212];
/** Cloud-provider ranges: integrations run in a data centre. */
const CLOUD_FIRST = [20, 34, 35, 40, 52, 54];
const V6_PREFIX = ['2600:1700', '2601:647', '2a02:c7c', '2a01:e0a', '2003:e6'];
const IPV6_SHARE = 0.15;

export function buildCompany(seed: number, size = 50): Company {
  const rng = Prng.derive(seed, 'company');
  const domain = rng.pick(DOMAINS);
  const officeIps = Array.from({ length: 3 }, () => `${rng.pick([198, 203])}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(2, 250)}`);
  const emails = drawDistinct(size, () => `${rng.pick(FIRST)}.${rng.pick(LAST)}@${domain}`);
  const people: Person[] = [];
  let i = 0;
  for (const email of emails) {
    // The first few people are the admins; the skewed picks in the generator make them busy too.
    const ip = rng.chance(0.35) ? rng.pick(officeIps) : randomIp(rng);
    people.push({ email, ip, admin: i < 4 });
    i++;
  }
  return {
    domain,
    people,
    admins: people.filter((p) => p.admin),
    apiClients: API_NAMES.map((name) => ({ username: `API: ${name}`, ip: cloudIp(rng) })),
    officeIps,
    sites: SITES,
    folders: FOLDERS,
    groups: GROUPS,
    policies: POLICIES,
    firstNames: FIRST,
    lastNames: LAST,
  };
}

/** A public-looking address: mostly IPv4, some IPv6. */
export function randomIp(rng: Prng): string {
  if (rng.chance(IPV6_SHARE)) {
    const h = (): string => rng.int(0x10000).toString(16);
    return `${rng.pick(V6_PREFIX)}:${h()}:${h()}:${h()}:${h()}:${h()}`;
  }
  return `${rng.pick(V4_FIRST)}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)}`;
}

function cloudIp(rng: Prng): string {
  return `${rng.pick(CLOUD_FIRST)}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)}`;
}
