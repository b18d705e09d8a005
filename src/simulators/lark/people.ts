// The simulated tenant: ~60 members in departments (each with the three Lark IDs and the
// devices they use), a few external users from partner tenants, a couple of bots/apps, and
// the docs, chats and meetings events talk about. Built once from the seed.

import { drawDistinct } from '../common/people.js';
import { Prng, randomAlphanumeric, randomHex } from '../common/prng.js';

/** audit_context.terminal_type: 0 iOS, 1 Android, 2 PC, 3 Web. */
export type Terminal = 0 | 1 | 2 | 3;

export interface Device {
  readonly terminal: Terminal;
  readonly udid: string;
  readonly did: string;
  readonly appVer: string;
  readonly os: string;
  readonly model: string;
  readonly mac: string;
  readonly userAgent: string;
  readonly brand: string;
}

/**
 * Who performed an event. `ids` are operator_value by user_id_type (open_id, union_id,
 * user_id) and `json` the same values JSON-encoded, ready to splice into a rendered item.
 */
export interface Operator {
  readonly kind: 'member' | 'external' | 'bot';
  /** 1 internal user, 12 bot, 1001 external user. */
  readonly operatorType: 1 | 12 | 1001;
  readonly name: string;
  readonly ids: readonly [string, string, string];
  readonly json: readonly [string, string, string];
  readonly departmentIds: readonly string[];
  readonly tenant: string;
  readonly devices: readonly Device[];
  readonly ip: string;
  readonly city: string;
  readonly admin: boolean;
  /** The app a bot acts as. */
  readonly appId: string;
}

export interface DocRef {
  readonly token: string;
  /** objects[].object_type as served (a string). */
  readonly type: string;
  readonly title: string;
  readonly owner: string;
  readonly folder: string;
}

export interface ChatRef {
  readonly id: string;
  readonly name: string;
}

export interface Department {
  readonly id: string;
  readonly name: string;
}

export interface ThirdPartyApp {
  readonly appId: string;
  readonly name: string;
}

export interface Org {
  readonly tenantKey: string;
  readonly departments: readonly Department[];
  readonly members: readonly Operator[];
  readonly admins: readonly Operator[];
  readonly externals: readonly Operator[];
  readonly bots: readonly Operator[];
  readonly docs: readonly DocRef[];
  readonly chats: readonly ChatRef[];
  readonly apps: readonly ThirdPartyApp[];
  readonly officeIps: readonly string[];
}

/** Object types of cloud docs as served (strings). 106 is the fixture's; the rest are illustrative. */
export const DOC_TYPES = { doc: '1', sheet: '2', bitable: '3', mindnote: '11', file: '12', slides: '30', wiki: '16', docx: '106' } as const;

const FIRST = [
  'Wei', 'Mei', 'Hiro', 'Yuki', 'Priya', 'Arjun', 'Siti', 'Budi', 'Linh', 'Minh', 'Ji-woo', 'Min-jun', 'Somchai', 'Anong', 'Carlos',
  'Ana', 'Lukas', 'Emma', 'Omar', 'Layla', 'Tom', 'Grace', 'Ivan', 'Olga', 'Kenji', 'Aiko', 'Rahul', 'Neha', 'Hao', 'Xin',
];
const LAST = ['Zhang', 'Wang', 'Li', 'Chen', 'Tanaka', 'Sato', 'Sharma', 'Patel', 'Santoso', 'Nguyen', 'Kim', 'Park', 'Srisuk', 'Silva', 'Weber', 'Haddad', 'Lee', 'Ong', 'Tan', 'Lim'];
const DEPARTMENTS = ['Engineering', 'Product', 'Sales', 'Marketing', 'Finance', 'People', 'IT', 'Legal', 'Customer Success', 'Design'];
const CITIES = ['Singapore', 'Tokyo', 'Jakarta', 'Bangkok', 'Seoul', 'Ho Chi Minh City', 'Kuala Lumpur', 'Sydney', 'London', 'San Jose'];
const DOC_TITLES = [
  'Q3 OKR review', 'Quarterly business review', 'Onboarding checklist', 'Incident postmortem 2024-05', 'Pricing proposal v3',
  'Hiring plan', 'Board deck draft', 'Security review: SSO rollout', 'Release notes', 'Customer escalation tracker', 'Vendor contracts',
  'Payroll adjustments', 'Roadmap H2', 'Sales pipeline', 'Budget FY25', 'API design doc', 'Team offsite agenda', 'Weekly sync notes',
  '季度经营分析', '产品需求文档', '招聘计划', '会议纪要', '客户名单', 'Untitled document', '',
];
const CHAT_NAMES = ['eng-all', 'sales-apac', 'incident-war-room', 'product-design', 'finance-close', 'random', 'it-helpdesk', 'partner-acme-shared', 'exec-staff', 'release-train'];
const BOT_NAMES = ['Jira Cloud Bot', 'Approval Assistant', 'HR Sync'];
const THIRD_PARTY_APPS = ['Jira Cloud', 'Google Drive', 'Zoom', 'Salesforce', 'Okta Verify', 'Lark Approval'];
const ISP_FIRST = [27, 36, 42, 49, 58, 60, 101, 103, 110, 118, 121, 124, 175, 182, 203, 210, 219, 222];
const V6_PREFIX = ['2400:8901', '2404:6800', '2406:da18', '2001:e68', '240e:3b3'];
const MAC_VERSIONS = ['macOS 13.6.7', 'macOS 14.5', 'macOS 14.6.1', 'macOS 15.0'];
const WIN_VERSIONS = ['Windows 10 22H2', 'Windows 11 23H2'];
const IOS_VERSIONS = ['iOS 17.5.1', 'iOS 17.6', 'iOS 18.0'];
const ANDROID = [
  { brand: 'samsung', model: 'SM-S918B', os: 'Android 14' },
  { brand: 'Xiaomi', model: '23127PN0CG', os: 'Android 14' },
  { brand: 'OPPO', model: 'CPH2581', os: 'Android 13' },
  { brand: 'Google', model: 'Pixel 8', os: 'Android 14' },
];
const IPHONES = ['iPhone15,2', 'iPhone15,3', 'iPhone16,1', 'iPhone14,5'];
const MACS = ['MacBookPro18,3', 'MacBookAir10,1', 'Mac14,2', 'MacBookPro18,1'];
const PCS = ['ThinkPad X1 Carbon Gen 11', 'Latitude 7440', 'HP EliteBook 840 G10'];
const APP_VERSIONS = ['7.14.5', '7.16.7', '7.18.6', '7.20.4'];
const EXTERNAL_TENANTS = ['F317760431', 'F524418093', 'F880126645'];

export function buildOrg(seed: number, size = 60): Org {
  const rng = Prng.derive(seed, 'lark-org');
  const tenantKey = `F${rng.range(100_000_000, 999_999_999)}`;
  const departments = DEPARTMENTS.map((name) => ({ id: `od-${randomHex(rng, 32)}`, name }));
  const officeIps = [publicIpv4(rng), publicIpv4(rng), `${rng.pick(V6_PREFIX)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}::${randomHex(rng, 3)}`];
  const names = drawDistinct(size, () => `${rng.pick(FIRST)} ${rng.pick(LAST)}`);

  const members: Operator[] = [];
  for (const name of names) {
    const dept = rng.pick(departments);
    const departmentIds = rng.chance(0.1) ? ['0', dept.id, rng.pick(departments).id] : ['0', dept.id];
    const userId = randomHex(rng, 8);
    const ids = [`ou_${randomHex(rng, 32)}`, `on_${randomHex(rng, 32)}`, userId] as const;
    members.push({
      kind: 'member',
      operatorType: 1,
      name,
      ids,
      json: jsonIds(ids),
      departmentIds,
      tenant: tenantKey,
      devices: devicesFor(rng),
      ip: rng.chance(0.4) ? rng.pick(officeIps) : randomIp(rng),
      city: rng.pick(CITIES),
      // The first few people run the admin console; skewed picks make them busy too.
      admin: members.length < 4,
      appId: '',
    });
  }

  const externals: Operator[] = Array.from({ length: 6 }, (_, i) => {
    // External users' IDs are masked in the log, whatever ID type was asked for.
    const masked = `ou_${randomHex(rng, 6)}${'*'.repeat(26)}`;
    const ids = [masked, masked, masked] as const;
    return {
      kind: 'external',
      operatorType: 1001,
      name: `${rng.pick(FIRST)} ${rng.pick(LAST)} (external)`,
      ids,
      json: jsonIds(ids),
      departmentIds: [],
      tenant: EXTERNAL_TENANTS[i % EXTERNAL_TENANTS.length] ?? 'F000000000',
      devices: [webDevice(rng), ...(rng.chance(0.5) ? [pcDevice(rng)] : [])],
      ip: randomIp(rng),
      city: rng.pick(CITIES),
      admin: false,
      appId: '',
    };
  });

  const bots: Operator[] = BOT_NAMES.map((name) => {
    const appId = `cli_${randomHex(rng, 16)}`;
    const ids = [appId, appId, appId] as const;
    return {
      kind: 'bot',
      operatorType: 12,
      name,
      ids,
      json: jsonIds(ids),
      departmentIds: [],
      tenant: tenantKey,
      devices: [{ terminal: 3, udid: '', did: '', appVer: '', os: '', model: '', mac: '', userAgent: `oapi-sdk-go/v3.${rng.range(0, 4)}.${rng.range(0, 9)}`, brand: '' }],
      ip: `${rng.pick([34, 35, 43, 47, 52])}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)}`,
      city: '',
      admin: false,
      appId,
    };
  });

  const docs: DocRef[] = Array.from({ length: 120 }, () => {
    const type = rng.chance(0.55) ? DOC_TYPES.docx : rng.pick(Object.values(DOC_TYPES));
    const owner = rng.pick(members);
    const title = rng.pick(DOC_TITLES);
    return {
      token: randomAlphanumeric(rng, 27),
      type,
      title: type === DOC_TYPES.file ? `${title === '' ? 'scan' : title}.${rng.pick(['pdf', 'xlsx', 'zip', 'png', 'docx'])}` : title,
      owner: owner.ids[0],
      folder: `nodbc${randomAlphanumeric(rng, 22)}`,
    };
  });
  const chats = CHAT_NAMES.map((name) => ({ id: `oc_${randomHex(rng, 32)}`, name }));
  const apps = THIRD_PARTY_APPS.map((name) => ({ appId: `cli_${randomHex(rng, 16)}`, name }));
  return { tenantKey, departments, members, admins: members.filter((m) => m.admin), externals, bots, docs, chats, apps, officeIps };
}

function jsonIds(ids: readonly [string, string, string]): readonly [string, string, string] {
  return [JSON.stringify(ids[0]), JSON.stringify(ids[1]), JSON.stringify(ids[2])];
}

/** A laptop, most people a phone, everyone a browser. */
function devicesFor(rng: Prng): Device[] {
  const out: Device[] = [pcDevice(rng)];
  if (rng.chance(0.85)) out.push(rng.chance(0.55) ? iosDevice(rng) : androidDevice(rng));
  out.push(webDevice(rng));
  return out;
}

function pcDevice(rng: Prng): Device {
  const mac = rng.chance(0.6);
  return {
    terminal: 2,
    udid: randomHex(rng, 16),
    did: String(rng.range(1_000_000_000, 2_147_483_647)) + String(rng.range(100_000_000, 999_999_999)),
    appVer: rng.pick(APP_VERSIONS),
    os: mac ? rng.pick(MAC_VERSIONS) : rng.pick(WIN_VERSIONS),
    model: mac ? rng.pick(MACS) : rng.pick(PCS),
    mac: macAddress(rng),
    userAgent: '',
    brand: mac ? 'Apple' : 'PC',
  };
}

function iosDevice(rng: Prng): Device {
  return {
    terminal: 0,
    udid: randomHex(rng, 32).toUpperCase(),
    did: String(rng.range(1_000_000_000, 2_147_483_647)) + String(rng.range(100_000_000, 999_999_999)),
    appVer: rng.pick(APP_VERSIONS),
    os: rng.pick(IOS_VERSIONS),
    model: rng.pick(IPHONES),
    mac: '',
    userAgent: '',
    brand: 'Apple',
  };
}

function androidDevice(rng: Prng): Device {
  const hw = rng.pick(ANDROID);
  return {
    terminal: 1,
    udid: randomHex(rng, 16),
    did: String(rng.range(1_000_000_000, 2_147_483_647)) + String(rng.range(100_000_000, 999_999_999)),
    appVer: rng.pick(APP_VERSIONS),
    os: hw.os,
    model: hw.model,
    mac: '',
    userAgent: '',
    brand: hw.brand,
  };
}

function webDevice(rng: Prng): Device {
  const chrome = rng.range(120, 127);
  const ua = rng.chance(0.6)
    ? `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36`
    : rng.chance(0.7)
      ? `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36 Edg/${chrome}.0.0.0`
      : `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15`;
  return { terminal: 3, udid: '', did: '', appVer: '', os: '', model: '', mac: '', userAgent: ua, brand: '' };
}

/** A public-looking address: mostly IPv4, some IPv6. */
export function randomIp(rng: Prng): string {
  if (rng.chance(0.15)) return `${rng.pick(V6_PREFIX)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}:${randomHex(rng, 4)}`.replace(/:0{1,3}/g, ':');
  return publicIpv4(rng);
}

function publicIpv4(rng: Prng): string {
  return `${rng.pick(ISP_FIRST)}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)}`;
}

function macAddress(rng: Prng): string {
  return Array.from({ length: 6 }, () => randomHex(rng, 2)).join(':');
}

