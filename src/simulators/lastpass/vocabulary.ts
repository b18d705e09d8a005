// The Action vocabulary (reference section 1.3) with how often each happens, who does it,
// and the Data text it carries (shapes taken from the Elastic and Datadog samples). The
// vendor switched from Title Case to sentence case around 2022; both forms are derived
// from one title so they never drift apart.

import type { Prng } from '../common/prng.js';
import type { Company } from './people.js';

/** Who performs an action: anyone, an admin in the console, or an API integration. */
export type Actor = 'user' | 'admin' | 'api';

export interface DataContext {
  readonly rng: Prng;
  readonly company: Company;
  /** The acting username (an email, or "API: …"). */
  readonly actor: string;
}

export interface ActionDef {
  /** Title Case form, as in older logs ("Failed Login Attempt"). */
  readonly title: string;
  /** Sentence-case form, as in newer logs ("Failed login attempt"). */
  readonly sentence: string;
  readonly weight: number;
  readonly actor: Actor;
  /** Kept by `admin: "1"`. */
  readonly admin: boolean;
  /** Plausible as an exact repeat within one second (retries, sync loops). */
  readonly repeatable: boolean;
  readonly data: (c: DataContext) => string;
}

/** Words that keep their capitals in sentence case. */
const KEEP_CASE = new Set(['LastPass', 'API', 'SAML', 'SCIM', 'VID:']);

function sentenceCase(title: string): string {
  return title
    .split(' ')
    .map((w, i) => (i === 0 || KEEP_CASE.has(w) ? w : w.toLowerCase()))
    .join(' ');
}

// --- Data builders -------------------------------------------------------------

const email = (c: DataContext): string => c.rng.pick(c.company.people).email;
const site = (c: DataContext): string => c.rng.pick(c.company.sites);
const folder = (c: DataContext): string => c.rng.pick(c.company.folders);
const group = (c: DataContext): string => c.rng.pick(c.company.groups);
const policy = (c: DataContext): string => c.rng.pick(c.company.policies);

/** A vault item ID as LastPass prints it: 19 digits. */
function vid(c: DataContext): string {
  let digits = String(c.rng.range(1, 9));
  for (let i = 0; i < 6; i++) digits += String(c.rng.int(1000)).padStart(3, '0');
  return `VID: ${digits}`;
}

function emails(c: DataContext, max: number): string {
  const n = c.rng.range(1, max);
  return Array.from({ length: n }, () => email(c)).join(',');
}

function newHires(c: DataContext, max: number): string {
  const { company, rng } = c;
  const n = rng.range(1, max);
  return Array.from({ length: n }, () => `${rng.pick(company.firstNames)}.${rng.pick(company.lastNames)}${rng.range(2, 9)}@${company.domain}`).join(',');
}

function siteOrVid(c: DataContext): string {
  return c.rng.chance(0.5) ? site(c) : vid(c);
}

function secureNote(c: DataContext): string {
  const kind = c.rng.pick(['Address', 'Wifi', 'Server', 'Bank Account', 'Software License', 'Generic']);
  const r = c.rng.next();
  if (r < 0.3) return `Secure Note (${kind}) from ${folder(c)}`;
  if (r < 0.5) return `Secure Note (${vid(c)})`;
  return `Secure Note (${kind})`;
}

const permissions = (c: DataContext): string => {
  const yn = (): string => (c.rng.chance(0.3) ? 'yes' : 'no');
  return `'${folder(c)}' '${email(c)}' 'Read only:${yn()} Admin:${yn()} Hide PW:${yn()}'`;
};

const none = (): string => '';
const byApi = (): string => 'Initiated by API';

// --- The vocabulary --------------------------------------------------------------

type Row = [title: string, weight: number, actor: Actor, repeatable: boolean, data: (c: DataContext) => string];

const ROWS: Row[] = [
  // Sign-in and account security.
  ['Log in', 120, 'user', true, (c) => (c.rng.chance(0.75) ? 'lastpass.com' : siteOrVid(c))],
  ['Failed Login Attempt', 40, 'user', true, (c) => (c.rng.chance(0.6) ? 'lastpass.com' : '')],
  ['SAML Login', 30, 'user', true, () => 'authorizationserver.oidc'],
  ['Login Verification Email Sent', 8, 'user', true, none],
  ['Multifactor Enabled', 2, 'user', false, none],
  ['Master Password Changed', 2, 'user', false, none],
  ['Account Lockout', 0.5, 'user', false, none],
  ['Iterations Changed', 0.3, 'user', false, none],
  ['Sharing key updated', 0.3, 'user', false, none],
  // Vault.
  ['Site Added', 20, 'user', false, (c) => (c.rng.chance(0.3) ? `${vid(c)} from ${folder(c)}` : site(c))],
  ['Site Changed', 25, 'user', true, siteOrVid],
  ['Deleted Sites', 6, 'user', false, (c) => (c.rng.chance(0.3) ? vid(c) : Array.from({ length: c.rng.range(1, 3) }, () => site(c)).join(','))],
  ['Form Filled', 25, 'user', true, site],
  ['Password Changed', 10, 'user', false, vid],
  ['Username Changed', 3, 'user', false, vid],
  ['Data export', 1, 'user', false, none],
  ['Data import', 1, 'user', false, none],
  ['Add Secure Note', 4, 'user', false, secureNote],
  ['Open Secure Note', 20, 'user', true, secureNote],
  ['Edit Secure Note', 5, 'user', false, secureNote],
  // Sharing.
  ['Created Shared Folder', 1, 'user', false, folder],
  ['Deleted Shared Folder', 0.5, 'user', false, folder],
  ['Renamed Shared Folder', 0.5, 'user', false, (c) => `'temp-${c.rng.range(1, 9)}' '${folder(c)}'`],
  ['Restored Shared Folder', 0.2, 'user', false, folder],
  ['Permanently Deleted Shared Folder', 0.2, 'user', false, folder],
  ['Add to Shared Folder', 3, 'user', false, (c) => `'${folder(c)}' '${email(c)}'`],
  ['Removed From Shared Folder', 2, 'user', false, (c) => `'${folder(c)}' '${email(c)}'`],
  ['Move to Shared Folder', 4, 'user', false, (c) => `${c.rng.chance(0.5) ? vid(c) : site(c)} to ${folder(c)}`],
  ['Move from Shared Folder', 2, 'user', false, (c) => `${c.rng.chance(0.8) ? site(c) : ''} from ${folder(c)}`],
  ['Update Folder Permissions', 2, 'user', false, permissions],
  ['Limit Shared Folder', 0.5, 'user', false, (c) => `${folder(c)} ${email(c)}`],
  ['Delete Shared Sites', 1, 'user', false, (c) => `${site(c)} from ${folder(c)}`],
  ['Created LastPass Account', 0.5, 'user', false, (c) => `${email(c)}-Shared-${folder(c)}`],
  // Admin console.
  ['Login to Admin Console', 10, 'admin', true, (c) => c.actor],
  ['Add Policy', 1, 'admin', false, (c) => (c.rng.chance(0.5) ? `${policy(c)} New value: ${c.rng.range(1, 16)}` : policy(c))],
  ['Edit Policy', 2, 'admin', false, (c) => `${policy(c)} New value: ${c.rng.range(0, 16)}`],
  ['Delete Policy', 0.5, 'admin', false, policy],
  ['Employee Account Created', 2, 'admin', false, (c) => newHires(c, 5)],
  ['Employee Invited', 1.5, 'admin', false, (c) => newHires(c, 5)],
  ['Employee Account Deleted', 1, 'admin', false, email],
  ['Make Admin', 0.3, 'admin', false, email],
  ['Remove Admin', 0.2, 'admin', false, email],
  ['Master Password Reset by Super Admin', 0.5, 'admin', false, email],
  ['Require Password Change', 0.5, 'admin', false, (c) => emails(c, 3)],
  ['Destroy All Sessions', 0.3, 'admin', false, email],
  ['Enterprise API Secret regenerated', 0.1, 'admin', false, none],
  ['Create Group', 0.5, 'admin', false, (c) => `'${group(c)}'`],
  ['Adding User to Group', 2, 'admin', false, (c) => `${email(c)} - ${group(c)}`],
  ['Remove from group', 1, 'admin', false, (c) => `'${group(c)}' '${email(c)}'`],
  ['SCIM Provisioning Hash Updated', 0.1, 'admin', false, none],
  ['Provisioning service added', 0.1, 'admin', false, (c) => c.rng.pick(['Okta', 'Microsoft Entra ID', 'OneLogin'])],
  ['Provisioning service removed', 0.05, 'admin', false, (c) => c.rng.pick(['Okta', 'Microsoft Entra ID', 'OneLogin'])],
  // API integrations (SIEM pulls, SCIM provisioning).
  ['Reporting', 30, 'api', true, byApi],
  ['Get User Data', 8, 'api', true, byApi],
  ['Get Shared Folder Data', 4, 'api', true, byApi],
  ['User provisioned', 3, 'api', false, (c) => newHires(c, 1)],
  ['User deprovisioned', 1, 'api', false, email],
  ['Group Addition', 1, 'api', false, (c) => `${email(c)} - ${group(c)}`],
  ['Group Removal', 0.5, 'api', false, (c) => `'${group(c)}' '${email(c)}'`],
];

export const ACTIONS: readonly ActionDef[] = ROWS.map(([title, weight, actor, repeatable, data]) => ({
  title,
  sentence: sentenceCase(title),
  weight,
  actor,
  // Everything done from the console or through the Enterprise API is an admin event.
  admin: actor !== 'user',
  repeatable,
  data,
}));

export function actionNamed(title: string): ActionDef {
  const def = ACTIONS.find((a) => a.title === title);
  if (!def) throw new Error(`no action "${title}" in the vocabulary`);
  return def;
}

/** Lower-cased Action texts (both casings) of admin actions, for the `admin: "1"` filter. */
export const ADMIN_ACTIONS: ReadonlySet<string> = new Set(ACTIONS.filter((a) => a.admin).flatMap((a) => [a.title.toLowerCase(), a.sentence.toLowerCase()]));
