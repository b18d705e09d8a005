// The simulated Kiteworks deployment: ~45 users of example-corp.com (the first few are
// administrators, and busy), the partners they exchange files with, the folder tree with its
// files, where people work from, and the clients they use (web, Outlook plugin, mobile apps,
// desktop sync, API integrations). Built once from the seed. Names, paths and client names are
// illustrative; the shapes (UUIDs, `profileIcon` = user id, `name` often the e-mail) follow the
// captured folder-activity fixtures.

import { drawDistinct } from '../common/people.js';
import { Prng, randomHex } from '../common/prng.js';

const DOMAIN = 'example-corp.com';
const DEFAULT_ADMIN = `admin@${DOMAIN}`;

export interface User {
  readonly userId: string;
  /** As `user.name` shows it: the display name, or (as in the fixtures) the e-mail. */
  readonly name: string;
  readonly email: string;
  readonly admin: boolean;
  /** User profile as `file_uploader.profile` shows it. */
  readonly profile: { readonly id: number; readonly name: string };
  /** `file_uploader.id` (the numeric user id). */
  readonly numericId: number;
  readonly home: Place;
  readonly homeIp: string;
}

export interface Place {
  readonly geolocationId: number;
  readonly location: string;
}

export interface Folder {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

export interface FileRef {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mime: string;
  readonly folder: Folder;
  readonly hash: string;
  readonly owner: User;
}

export type ClientKind = 'web' | 'outlook' | 'mobile' | 'desktop' | 'api';

export interface ClientApp {
  readonly kind: ClientKind;
  readonly clientName: string;
  readonly userAgents: readonly string[];
}

export interface Deployment {
  readonly users: readonly User[];
  readonly admins: readonly User[];
  /** Partners' addresses (mail recipients and senders). */
  readonly externals: readonly string[];
  readonly folders: readonly Folder[];
  readonly files: readonly FileRef[];
  readonly places: readonly Place[];
  readonly clients: readonly ClientApp[];
  readonly policies: readonly string[];
  readonly roles: readonly string[];
}

const FIRST = [
  'Olivia', 'Liam', 'Amelia', 'Noah', 'Charlotte', 'Jack', 'Isla', 'William', 'Mia', 'Thomas', 'Grace', 'James', 'Chloe', 'Lucas',
  'Priya', 'Raj', 'Mei', 'Hiro', 'Fatima', 'Omar', 'Sofia', 'Mateo', 'Anna', 'Lukas', 'Zoe', 'Ethan', 'Hannah', 'Daniel', 'Ngaio', 'Tane',
];
const LAST = [
  'Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Nguyen', 'Patel', 'Chen', 'Kelly', 'Murphy', "O'Brien", 'Martin', 'Lee',
  'Walker', 'Harris', 'Singh', 'Kowalski', 'Rossi', 'Müller', 'García', 'Tanaka',
];
const PLACES = [
  'Brisbane, Queensland, Australia', 'Sydney, New South Wales, Australia', 'Melbourne, Victoria, Australia', 'Auckland, New Zealand',
  'Singapore, Singapore', 'London, England, United Kingdom', 'Frankfurt, Hesse, Germany', 'New York, New York, United States',
  'San Jose, California, United States', 'Toronto, Ontario, Canada',
];
const PARTNER_DOMAINS = ['acme-legal.com', 'northwind-audit.com', 'contoso-bank.com', 'globex.co.uk', 'initech.com.au', 'gov-agency.example.gov'];
const PARTNER_LOCALS = ['accounts', 'contracts', 'j.ramirez', 'k.oconnor', 'audit-team', 'procurement', 'li.wei', 's.fischer', 'tenders', 'm.dubois'];

const FOLDER_PATHS = [
  'My Folder', 'Finance', 'Finance/Quarterly Reports', 'Finance/Payroll', 'Legal', 'Legal/Contracts 2026', 'Legal/NDAs', 'HR/Onboarding',
  'HR/Policies', 'Engineering/Releases', 'Engineering/Security Reviews', 'Sales/Proposals', 'Customers/Acme Corp/Shared',
  'Customers/Contoso Bank/Due Diligence', 'Board/Meeting Packs', 'Marketing/Brand Assets', 'IT/Audit Exports',
];
const FILE_STEMS = [
  'Q1 Financial Statements', 'Payroll_Export', 'Master Services Agreement', 'Mutual NDA', 'Employee Handbook', 'Release Notes',
  'Penetration Test Report', 'Proposal', 'Due Diligence Checklist', 'Board Pack', 'Brand Guidelines', 'Invoice', 'Statement of Work',
  'RRRR_ALL', 'XXXX_Other', 'Scan', 'Customer List', 'Budget FY27', 'Architecture Diagram', 'Audit Log Export',
];
const EXTENSIONS: ReadonlyArray<readonly [string, string, number, number]> = [
  ['pdf', 'application/pdf', 40_000, 8_000_000],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 15_000, 2_000_000],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 9_000, 5_000_000],
  ['csv', 'text/csv', 800, 900_000],
  ['zip', 'application/zip', 200_000, 250_000_000],
  ['png', 'image/png', 30_000, 4_000_000],
  ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 300_000, 40_000_000],
];
const PROFILES = [
  { id: 1, name: 'standard' },
  { id: 1, name: 'standard' },
  { id: 4, name: 'restricted' },
];
const ADMIN_PROFILE = { id: 2, name: 'admin' };

const CLIENTS: readonly ClientApp[] = [
  {
    kind: 'web',
    clientName: 'Kiteworks Web',
    userAgents: [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Safari/605.1.15',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:137.0) Gecko/20100101 Firefox/137.0',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36 Edg/135.0.0.0',
    ],
  },
  { kind: 'outlook', clientName: 'Kiteworks for Outlook', userAgents: ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro) kiteworks-outlook/9.1.0'] },
  { kind: 'mobile', clientName: 'Kiteworks Mobile (iOS)', userAgents: ['Kiteworks/9.1.2 (iPhone; iOS 18.4; Scale/3.00)', 'Kiteworks/9.0.7 (iPad; iOS 17.7; Scale/2.00)'] },
  { kind: 'mobile', clientName: 'Kiteworks Mobile (Android)', userAgents: ['Kiteworks/9.1.1 (Linux; Android 15; Pixel 8)', 'Kiteworks/9.0.5 (Linux; Android 14; SM-S921B)'] },
  { kind: 'desktop', clientName: 'Kiteworks Desktop', userAgents: ['KiteworksDesktop/9.1.0 (Windows 11 Enterprise 23H2)', 'KiteworksDesktop/9.0.4 (macOS 15.4)'] },
  { kind: 'api', clientName: 'SOC Automation (API)', userAgents: ['python-requests/2.32.3'] },
  { kind: 'api', clientName: 'Nightly Backup Sync (API)', userAgents: ['Go-http-client/1.1', 'kitebroker/2026.07'] },
];

const POLICIES = ['Default Download Policy', 'External Sharing Policy', 'Password Policy', 'Data Leak Prevention', 'Mobile Device Policy', 'Retention: Legal Hold'];
const ROLES = ['Viewer', 'Downloader', 'Collaborator', 'Manager', 'Owner'];

export function buildDeployment(seed: number, size = 45): Deployment {
  const rng = Prng.derive(seed, 'kiteworks-deployment');
  const places = PLACES.map((location) => ({ geolocationId: rng.range(100, 99_999), location }));
  const names = drawDistinct(size - 1, () => `${rng.pick(FIRST)} ${rng.pick(LAST)}`);
  const users: User[] = [];
  const addUser = (name: string, email: string, admin: boolean): void => {
    const userId = uuid(rng);
    users.push({
      userId,
      name: rng.chance(0.3) ? email : name,
      email,
      admin,
      profile: admin ? ADMIN_PROFILE : rng.pick(PROFILES),
      numericId: rng.range(2, 4_000),
      home: rng.pick(places),
      homeIp: rng.chance(0.15) ? randomIpv6(rng) : publicIpv4(rng),
    });
  };
  // The built-in administrator first, then the people; the first few of those run the admin console too.
  addUser('Kiteworks Admin', DEFAULT_ADMIN, true);
  for (const name of names) {
    const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}@${DOMAIN}`;
    addUser(name, email, users.length < 3);
  }
  const admins = users.filter((u) => u.admin);

  const externals = drawDistinct(16, () => `${rng.pick(PARTNER_LOCALS)}@${rng.pick(PARTNER_DOMAINS)}`);

  const folders: Folder[] = FOLDER_PATHS.map((path) => ({ id: uuid(rng), name: path.slice(path.lastIndexOf('/') + 1), path }));
  const files: FileRef[] = Array.from({ length: 160 }, () => {
    const folder = rng.pick(folders);
    const [ext, mime, min, max] = rng.pick(EXTENSIONS);
    const stem = rng.pick(FILE_STEMS);
    const stamp = `2026${String(rng.range(1, 12)).padStart(2, '0')}${String(rng.range(1, 28)).padStart(2, '0')}${String(rng.range(0, 235959)).padStart(6, '0')}`;
    const name = rng.chance(0.4) ? `${stem}_${stamp}.${ext}` : `${stem}.${ext}`;
    return { id: uuid(rng), name, path: `${folder.path}/${name}`, size: rng.range(min, max), mime, folder, hash: randomHex(rng, 32), owner: rng.pick(users) };
  });

  return { users, admins, externals: [...externals], folders, files, places, clients: CLIENTS, policies: POLICIES, roles: ROLES };
}

/** A random (version 4 shaped) UUID from the seeded stream. */
export function uuid(rng: Prng): string {
  const a = rng.u32();
  const b = rng.u32();
  const c = rng.u32();
  const d = rng.u32();
  return `${hex8(a)}-${hex4(b >>> 16)}-${hex4((b & 0x0fff) | 0x4000)}-${hex4(((c >>> 16) & 0x3fff) | 0x8000)}-${hex4(c & 0xffff)}${hex8(d)}`;
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/** An address someone works from away from home (hotel, phone network); about one in six is IPv6. */
export function randomIp(rng: Prng): string {
  return rng.chance(0.17) ? randomIpv6(rng) : publicIpv4(rng);
}

function publicIpv4(rng: Prng): string {
  const first = rng.pick([1, 14, 27, 49, 58, 101, 103, 110, 120, 139, 144, 150, 175, 180, 203, 210]);
  return `${first}.${rng.range(0, 255)}.${rng.range(0, 255)}.${rng.range(1, 254)}`;
}

function randomIpv6(rng: Prng): string {
  const prefix = rng.pick(['2001:8003', '2403:5800', '2404:6800', '2a02:c7c', '2600:1700', '2406:da1c']);
  return `${prefix}:${randomHex(rng, 4).replace(/^0+(?=.)/, '')}:${randomHex(rng, 4).replace(/^0+(?=.)/, '')}::${randomHex(rng, 3).replace(/^0+(?=.)/, '')}`;
}
