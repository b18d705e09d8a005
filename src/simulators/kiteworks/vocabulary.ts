// The activities the simulated deployment produces: event name, the `eventFilters:in`
// category it falls under, the spec's `type`, how often, from which clients, and the
// description, `data` and folder permissions each carries.
//
// Vendor facts: the event names in §4.5 of the reference (kitebroker and the mirror task),
// the categories valid_login, invalid_login, file_upload, file_download, sent, received and
// file_view (kitebroker's activity report), `type` file_changes and folder_activities and the
// shape of `data.file`/`data.parent_folder` (captured folder activities). Invented, because the
// real names are unknown: the admin-console events (add_user, change_user_role, delete_user,
// suspend_user, update_policy), the categories file_change, permission_change, admin_action and
// alert, and the types user_activities, mail_activities, admin_activities and alerts.

import { randomHex, type Prng } from '../common/prng.js';
import { uuid, type ClientApp, type ClientKind, type Deployment, type FileRef, type Folder, type Place, type User } from './people.js';

/** Category names `eventFilters:in` selects; the first seven are the vendor's. */
export type Category =
  | 'valid_login' | 'invalid_login' | 'file_upload' | 'file_download' | 'sent' | 'received' | 'file_view'
  | 'file_change' | 'permission_change' | 'admin_action' | 'alert';

export interface BuildContext {
  readonly rng: Prng;
  readonly dep: Deployment;
  readonly user: User;
  readonly client: ClientApp;
  readonly place: Place;
}

export interface EventBody {
  readonly description: string;
  readonly data: Record<string, unknown>;
  /** The acting user's permissions on the folder involved (spec shape); [] when none is involved. */
  readonly permissions: readonly string[];
  /** IDs `objectIds:in` matches: files, folders, users the event is about. */
  readonly objectIds: readonly string[];
  readonly alertUuid?: string;
}

export interface EventDef {
  readonly name: string;
  readonly category: Category;
  /** The spec shape's `type`. */
  readonly type: string;
  readonly weight: number;
  readonly successful: boolean;
  /** Clients it can come from. */
  readonly clients: readonly ClientKind[];
  /** Only in an administrator's admin-console session. */
  readonly adminConsole?: boolean;
  readonly build: (c: BuildContext) => EventBody;
}

// --- pieces -------------------------------------------------------------------

const MANAGER_PERMISSIONS = [
  'download', 'message_send', 'notification_subscribe', 'notification_unsubscribe', 'properties_view', 'properties_edit', 'user_view',
  'user_add', 'user_edit', 'user_remove', 'rename', 'children_view_deleted', 'folder_add', 'file_add', 'sync_enable', 'sync_disable',
  'folder_delete', 'favorite_add', 'folder_copy', 'folder_move', 'top_shared_folder_delete',
];
const COLLABORATOR_PERMISSIONS = [
  'download', 'message_send', 'notification_subscribe', 'notification_unsubscribe', 'properties_view', 'user_view', 'children_view_deleted',
  'folder_add', 'file_add', 'folder_delete', 'favorite_add', 'folder_copy',
];
const VIEWER_PERMISSIONS = ['notification_subscribe', 'notification_unsubscribe', 'properties_view', 'user_view', 'favorite_add'];
const PERMISSION_SETS = [MANAGER_PERMISSIONS, COLLABORATOR_PERMISSIONS, COLLABORATOR_PERMISSIONS, VIEWER_PERMISSIONS];

const SUBJECTS = [
  'Signed contract', 'Q1 board pack', 'Payroll export for review', 'Due diligence documents', 'Updated proposal', 'Invoice 2026-0412',
  'Audit evidence', 'Re: NDA', 'Tender submission', 'Scanned documents', 'Files you requested', 'FW: Statement of work',
];
const EC_SOURCES = ['SharePoint Online: /sites/Legal/Shared Documents', 'OneDrive for Business: /Documents', 'Windows File Share: \\\\fs01\\finance', 'Box: /Partners'];
const ALERTS: ReadonlyArray<readonly [string, string]> = [
  ['Unusual download volume', 'high'],
  ['Login from new country', 'medium'],
  ['File shared with external domain', 'low'],
  ['Repeated failed logins', 'high'],
];

function folderData(f: Folder): Record<string, unknown> {
  return { id: f.id, name: f.name, path: f.path, ec_source: null, ec_object_id: null };
}

function fileData(rng: Prng, f: FileRef): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    path: f.path,
    size: f.size,
    ec_source: null,
    file_id: uuid(rng),
    hash_algo: 'md5',
    hash: f.hash,
    fingerprints: [{ algo: 'md5', hash: f.hash }],
    mime: f.mime,
    tags: [],
    version: null,
    ec_object_id: null,
    file_uploader: { id: f.owner.numericId, name: f.owner.email, guid: f.owner.userId, profile: f.owner.profile },
  };
}

function common(rng: Prng): Record<string, unknown> {
  return { error: null, asset_classes: [], policies: [], reference_id: uuid(rng) };
}

function fileEvent(verb: (f: FileRef) => string, extra: (c: BuildContext, f: FileRef) => Record<string, unknown> = () => ({})): (c: BuildContext) => EventBody {
  return (c) => {
    const f = c.rng.pick(c.dep.files);
    return {
      description: `${f.folder.path}: ${verb(f)}`,
      data: { parent_folder: folderData(f.folder), file: fileData(c.rng, f), ...extra(c, f), ...common(c.rng) },
      permissions: c.rng.pick(PERMISSION_SETS),
      objectIds: [f.id, f.folder.id],
    };
  };
}

function recipients(c: BuildContext): string[] {
  const n = c.rng.chance(0.7) ? 1 : c.rng.range(2, 4);
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(c.rng.chance(0.65) ? c.rng.pick(c.dep.externals) : c.rng.pick(c.dep.users).email);
  return [...out];
}

function mail(c: BuildContext): { id: string; subject: string } {
  return { id: uuid(c.rng), subject: c.rng.pick(SUBJECTS) };
}

function attachment(c: BuildContext, f: FileRef): Record<string, unknown> {
  return { id: uuid(c.rng), name: f.name, size: f.size, mime: f.mime, hash: f.hash };
}

function login(description: string, extra: (c: BuildContext) => Record<string, unknown> = () => ({})): (c: BuildContext) => EventBody {
  return (c) => ({
    description,
    data: { location: c.place.location, client: c.client.clientName, ...extra(c) },
    permissions: [],
    objectIds: [c.user.userId],
  });
}

function adminOn(describe: (target: User, c: BuildContext) => { text: string; data: Record<string, unknown> }): (c: BuildContext) => EventBody {
  return (c) => {
    const target = c.rng.pick(c.dep.users);
    const { text, data } = describe(target, c);
    return {
      description: text,
      data: { target_user: { id: target.userId, email: target.email, name: target.name }, ...data },
      permissions: [],
      objectIds: [target.userId],
    };
  };
}

const ALL: readonly ClientKind[] = ['web', 'outlook', 'mobile', 'desktop', 'api'];
const FILES_UI: readonly ClientKind[] = ['web', 'mobile', 'desktop', 'api'];
const MAIL_UI: readonly ClientKind[] = ['web', 'outlook', 'mobile'];
const WEB: readonly ClientKind[] = ['web'];

// --- the events -------------------------------------------------------------

/** Sign-ins, opened by the session logic rather than drawn by weight. */
export const LOGIN_EVENTS = {
  userLoggedIn: def('user_logged_in', 'valid_login', 'user_activities', 0, true, ALL, login('User logged in', (c) => ({ auth_method: c.rng.pick(['password', 'password', 'saml', 'saml', 'tfa']) }))),
  adminLoggedIn: def('admin_logged_in', 'valid_login', 'user_activities', 0, true, WEB, login('Admin logged in to the Admin Console')),
  sessionStarted: def('session_started', 'valid_login', 'user_activities', 0, true, ALL, login('Session started', (c) => ({ session_id: randomHex(c.rng, 32) }))),
  userLoginFailed: def('user_login_failed', 'invalid_login', 'user_activities', 0, false, ALL,
    login('Login failed: invalid username or password', (c) => ({ attempted_username: c.user.email, reason: 'invalid_credentials' }))),
  adminLoginFailed: def('admin_login_failed', 'invalid_login', 'user_activities', 0, false, WEB,
    login('Admin Console login failed: invalid username or password', (c) => ({ attempted_username: c.user.email, reason: 'invalid_credentials' }))),
  tfaLoginFailed: def('tfa_login_failed', 'invalid_login', 'user_activities', 0, false, ALL,
    login('Two-factor authentication failed', (c) => ({ tfa_method: c.rng.pick(['totp', 'sms', 'email']) }))),
} as const;

/** Everything else, drawn by weight among those the session's client can do. */
export const EVENTS: readonly EventDef[] = [
  def('view_file', 'file_view', 'file_changes', 14, true, FILES_UI, fileEvent((f) => `Viewed file ${f.name}`, () => ({ range: null }))),
  def('download_file', 'file_download', 'file_changes', 12, true, FILES_UI, fileEvent((f) => `Downloaded file ${f.name}`, () => ({ range: null, partial: null }))),
  def('add_file', 'file_upload', 'file_changes', 10, true, FILES_UI, fileEvent((f) => `Uploaded file ${f.name}`, (_c, f) => ({ size: f.size, is_folder_upload: 0, on_behalf_of: null }))),
  def('add_file_version', 'file_upload', 'file_changes', 4, true, ['web', 'desktop', 'api'], fileEvent((f) => `Uploaded new version of file ${f.name}`, (_c, f) => ({ size: f.size }))),
  def('upload', 'file_upload', 'mail_activities', 3, true, MAIL_UI, (c) => {
    const f = c.rng.pick(c.dep.files);
    return { description: `Uploaded attachment ${f.name}`, data: { attachment: attachment(c, f), ...common(c.rng) }, permissions: [], objectIds: [f.id] };
  }),
  def('ec_upload_file', 'file_upload', 'file_changes', 1.5, true, ['web'], (c) => {
    const f = c.rng.pick(c.dep.files);
    const source = c.rng.pick(EC_SOURCES);
    return {
      description: `${source}: Uploaded file ${f.name}`,
      data: { file: { ...fileData(c.rng, f), ec_source: source.slice(0, source.indexOf(':')) }, fileSourceLocation: source, ...common(c.rng) },
      permissions: [],
      objectIds: [f.id],
    };
  }),
  def('download', 'file_download', 'mail_activities', 4, true, MAIL_UI, (c) => {
    const f = c.rng.pick(c.dep.files);
    const m = mail(c);
    return {
      description: `Downloaded attachment ${f.name} from email "${m.subject}"`,
      data: { attachment: attachment(c, f), mail: m, sender: c.rng.pick(c.dep.externals), ...common(c.rng) },
      permissions: [],
      objectIds: [f.id],
    };
  }),
  def('download_zip', 'file_download', 'file_changes', 2, true, ['web', 'desktop'], (c) => {
    const folder = c.rng.pick(c.dep.folders);
    const inFolder = c.dep.files.filter((f) => f.folder === folder);
    const chosen = (inFolder.length > 0 ? inFolder : [c.rng.pick(c.dep.files)]).slice(0, c.rng.range(2, 8));
    return {
      description: `${folder.path}: Downloaded ${chosen.length} file${chosen.length === 1 ? '' : 's'} as ZIP`,
      data: { parent_folder: folderData(folder), files: chosen.map((f) => ({ id: f.id, name: f.name, path: f.path, size: f.size })), size: chosen.reduce((s, f) => s + f.size, 0), ...common(c.rng) },
      permissions: c.rng.pick(PERMISSION_SETS),
      objectIds: [folder.id, ...chosen.map((f) => f.id)],
    };
  }),
  def('download_watermarked_file', 'file_download', 'file_changes', 1, true, ['web', 'mobile'], fileEvent((f) => `Downloaded watermarked file ${f.name}`, (c) => ({ watermark: `${c.user.email} ${c.place.location}` }))),
  def('send_mail', 'sent', 'mail_activities', 8, true, MAIL_UI, (c) => {
    const m = mail(c);
    const to = recipients(c);
    const files = c.rng.chance(0.8) ? Array.from({ length: c.rng.range(1, 3) }, () => c.rng.pick(c.dep.files)) : [];
    return {
      description: `Sent email "${m.subject}" to ${to.join(', ')}`,
      data: { mail: m, recipients: to, attachments: files.map((f) => attachment(c, f)), ...common(c.rng) },
      permissions: [],
      objectIds: [m.id, ...files.map((f) => f.id)],
    };
  }),
  def('send_message', 'sent', 'mail_activities', 3, true, ['web', 'mobile'], (c) => {
    const m = mail(c);
    const to = recipients(c);
    return { description: `Sent secure message "${m.subject}" to ${to.join(', ')}`, data: { mail: m, recipients: to, attachments: [], ...common(c.rng) }, permissions: [], objectIds: [m.id] };
  }),
  def('view_mail', 'received', 'mail_activities', 7, true, MAIL_UI, (c) => {
    const m = mail(c);
    const sender = c.rng.chance(0.7) ? c.rng.pick(c.dep.externals) : c.rng.pick(c.dep.users).email;
    return { description: `Viewed email "${m.subject}" from ${sender}`, data: { mail: m, sender, lastAccessed: null, ...common(c.rng) }, permissions: [], objectIds: [m.id] };
  }),
  def('add_permission', 'permission_change', 'folder_activities', 2, true, WEB, (c) => {
    const folder = c.rng.pick(c.dep.folders);
    const member = c.rng.chance(0.4) ? c.rng.pick(c.dep.externals) : c.rng.pick(c.dep.users).email;
    const role = c.rng.pick(c.dep.roles);
    return { description: `${folder.path}: Added ${member} as ${role}`, data: { folder: folderData(folder), member: { email: member, role }, notify: c.rng.chance(0.6) }, permissions: MANAGER_PERMISSIONS, objectIds: [folder.id] };
  }),
  def('modify_permission', 'permission_change', 'folder_activities', 1.5, true, WEB, (c) => {
    const folder = c.rng.pick(c.dep.folders);
    const member = c.rng.pick(c.dep.users);
    const from = c.rng.pick(c.dep.roles);
    let to = c.rng.pick(c.dep.roles);
    if (to === from) to = from === 'Viewer' ? 'Collaborator' : 'Viewer';
    return {
      description: `${folder.path}: Changed role of ${member.email} from ${from} to ${to}`,
      data: { folder: folderData(folder), member: { id: member.userId, email: member.email, old_role: from, role: to } },
      permissions: MANAGER_PERMISSIONS,
      objectIds: [folder.id, member.userId],
    };
  }),
  def('delete_permission', 'permission_change', 'folder_activities', 1, true, WEB, (c) => {
    const folder = c.rng.pick(c.dep.folders);
    const member = c.rng.chance(0.5) ? c.rng.pick(c.dep.externals) : c.rng.pick(c.dep.users).email;
    return { description: `${folder.path}: Removed ${member}`, data: { folder: folderData(folder), member: { email: member } }, permissions: MANAGER_PERMISSIONS, objectIds: [folder.id] };
  }),
  def('move_file', 'file_change', 'file_changes', 2, true, ['web', 'desktop', 'api'], (c) => {
    const f = c.rng.pick(c.dep.files);
    const dest = c.rng.pick(c.dep.folders);
    return {
      description: `Moved file ${f.name} from ${f.folder.path} to ${dest.path}`,
      data: { file: fileData(c.rng, f), source_folder: folderData(f.folder), parent_folder: folderData(dest), ...common(c.rng) },
      permissions: c.rng.pick(PERMISSION_SETS),
      objectIds: [f.id, f.folder.id, dest.id],
    };
  }),
  def('delete_file', 'file_change', 'file_changes', 2.5, true, FILES_UI, fileEvent((f) => `Deleted file ${f.name}`, () => ({ permanent: false }))),
  def('delete_folder', 'file_change', 'folder_activities', 0.5, true, ['web', 'desktop'], (c) => {
    const folder = c.rng.pick(c.dep.folders);
    const parent = folder.path.includes('/') ? folder.path.slice(0, folder.path.lastIndexOf('/')) : 'My Folder';
    return { description: `${parent}: Deleted folder ${folder.name}`, data: { folder: folderData(folder), ...common(c.rng) }, permissions: MANAGER_PERMISSIONS, objectIds: [folder.id] };
  }),
  def('alerts', 'alert', 'alerts', 0.4, true, ['web', 'mobile', 'desktop'], (c) => {
    const [name, severity] = c.rng.pick(ALERTS);
    const id = uuid(c.rng);
    return { description: `Alert: ${name} (${c.user.email})`, data: { alert: { id, name, severity }, location: c.place.location }, permissions: [], objectIds: [c.user.userId], alertUuid: id };
  }),
  // Admin console (names invented, see the header).
  adminDef('add_user', 3, adminOn((t, c) => ({ text: `Added user ${t.email}`, data: { profile: t.profile.name, send_notification: c.rng.chance(0.8) } }))),
  adminDef('change_user_role', 2.5, adminOn((t, c) => {
    const to = c.rng.pick(['standard', 'restricted', 'admin'].filter((p) => p !== t.profile.name));
    return { text: `Changed profile of ${t.email} from ${t.profile.name} to ${to}`, data: { old_profile: t.profile.name, new_profile: to } };
  })),
  adminDef('suspend_user', 0.8, adminOn((t) => ({ text: `Suspended user ${t.email}`, data: { reason: 'manual' } }))),
  adminDef('delete_user', 0.6, adminOn((t, c) => ({ text: `Deleted user ${t.email}`, data: { files_transferred_to: c.user.email } }))),
  {
    name: 'update_policy',
    category: 'admin_action',
    type: 'admin_activities',
    weight: 1.5,
    successful: true,
    clients: WEB,
    adminConsole: true,
    build: (c) => {
      const policy = c.rng.pick(c.dep.policies);
      return { description: `Updated policy "${policy}"`, data: { policy: { id: c.rng.range(1, 60), name: policy }, changed: c.rng.pick(['enabled', 'threshold', 'scope', 'exceptions']) }, permissions: [], objectIds: [] };
    },
  },
];

function def(name: string, category: Category, type: string, weight: number, successful: boolean, clients: readonly ClientKind[], build: (c: BuildContext) => EventBody): EventDef {
  return { name, category, type, weight, successful, clients, build };
}

function adminDef(name: string, weight: number, build: (c: BuildContext) => EventBody): EventDef {
  return { name, category: 'admin_action', type: 'admin_activities', weight, successful: true, clients: WEB, adminConsole: true, build };
}
