// The events the simulated tenant produces: name, module, how often, who can do it, and
// the objects, recipients, `extend` and drawer entries each carries. Docs event names are
// the vendor's (audit_log appendix); the other modules' names follow the same style but
// are illustrative, as are object_type values other than the fixture's "106".

import { randomAlphanumeric, randomHex, type Prng } from '../common/prng.js';
import { DOC_TYPES, type DocRef, type Operator, type Org, type ThirdPartyApp } from './people.js';

const MODULES = { docs: 1, im: 2, contacts: 3, workplace: 4, vc: 5, account: 6, devices: 8, calendar: 21 } as const;

/** object_type values (strings, as served) for things that are not cloud docs. */
const OBJ = { chat: '201', message: '202', imFile: '203', user: '301', department: '302', meeting: '401', calendarEvent: '501', device: '601', app: '701' } as const;

export interface LarkObject {
  object_type: string;
  object_value: string;
  object_name: string;
  object_owner: string;
  object_detail: Record<string, unknown>;
}

export interface LarkRecipient {
  recipient_type: string;
  recipient_value: string;
  recipient_detail: { permission_action_type: string };
}

/** A common_drawers entry; real entries can miss keys or carry junk (see the fixture). */
export type Drawer = Readonly<Record<string, string>>;

export interface EventBody {
  objects: LarkObject[];
  recipients: LarkRecipient[];
  extend: Record<string, unknown>;
  drawers: readonly Drawer[];
  /** The app through which the action was done, if any. */
  app?: ThirdPartyApp;
}

export interface BuildContext {
  readonly rng: Prng;
  readonly org: Org;
  readonly actor: Operator;
  readonly name: string;
}

export type ActorKind = Operator['kind'];

export interface EventDef {
  readonly name: string;
  readonly module: number;
  readonly weight: number;
  readonly actors: readonly ActorKind[];
  /** Only admins do it (directory changes, device wipes). */
  readonly adminOnly?: boolean;
  readonly build: (c: BuildContext) => EventBody;
}

// --- pieces -------------------------------------------------------------------

/** The placeholder recipient many events carry (as in the fixture). */
const NO_RECIPIENT: LarkRecipient = { recipient_type: '', recipient_value: '', recipient_detail: { permission_action_type: '' } };

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Drawer entries are few and repeat a lot: the same object comes back, so its JSON can be cached by identity. */
const drawerMemo = new Map<string, Drawer>();
const DRAWER_MEMO_LIMIT = 20_000;

/** A drawer entry with the console's i18n keys, e.g. SuiteAdmin_DrawerKeyspaceeditdoc_Kccmopstatus. */
function drawer(event: string, key: string, val: string): Drawer {
  const memoKey = `${event}\u0000${key}\u0000${val}`;
  const known = drawerMemo.get(memoKey);
  if (known) return known;
  const e = squash(event);
  const k = squash(key);
  const d: Drawer = Object.freeze({
    info_key: key,
    info_val: val,
    key_i18n_key: `SuiteAdmin_DrawerKey${e}_K${k}`,
    val_i18n_key: `SuiteAdmin_DrawerVal${e}_K${k}v${squash(val)}`,
    val_type: '1',
  });
  if (drawerMemo.size < DRAWER_MEMO_LIMIT) drawerMemo.set(memoKey, d);
  return d;
}

/** Entries like the fixture's: JSON text in info_val, Chinese key_i18n_key, a doc token in val_type, missing keys. */
function junkDrawers(doc: DocRef): Drawer[] {
  const fields = [
    { key: 'title', keyName: '文件名称', value: '', valueType: '1', valueExtInfo: null, eventFieldInfoList: null },
    { key: 'owner', keyName: '文件所有者', value: '', valueType: '3', valueExtInfo: JSON.stringify({ type: 3, id: '0', name: '', avatar: '', employee_id: '' }), eventFieldInfoList: null },
    { key: 'doc_belong_tenant', keyName: '是否属于本组织', value: '否', valueType: '1', valueExtInfo: null, eventFieldInfoList: null },
  ];
  return [
    { info_key: 'ccm', info_val: JSON.stringify(fields), key_i18n_key: '文件 ID', val_type: doc.token },
    { info_key: 'ccm_type', info_val: '-', key_i18n_key: '文件类型' },
  ];
}

function member(c: BuildContext): Operator {
  return c.rng.pick(c.org.members);
}

function docObject(c: BuildContext, doc: DocRef, detail: Record<string, unknown> = {}): LarkObject {
  // Names and owners are often blank in real logs (the fixture has both empty).
  const blank = c.rng.chance(0.3);
  return { object_type: doc.type, object_value: doc.token, object_name: blank ? '' : doc.title, object_owner: blank ? '' : doc.owner, object_detail: detail };
}

/** Drawer lists that repeat (same event, doc and status) are built once and shared. */
const docDrawerMemo = new Map<string, readonly Drawer[]>();

function docDrawers(c: BuildContext, doc: DocRef): readonly Drawer[] {
  const ok = !c.rng.chance(0.03);
  const junk = c.rng.chance(0.04);
  const key = `${c.name}|${doc.token}|${ok ? 1 : 0}${junk ? 1 : 0}`;
  const known = docDrawerMemo.get(key);
  if (known) return known;
  const out = [drawer(c.name, 'CCM_op_status', ok ? 'success' : 'fail'), drawer(c.name, 'ccm_folder_id', doc.folder), drawer(c.name, 'ccm_folder_name', '')];
  if (junk) out.push(...junkDrawers(doc));
  const list = Object.freeze(out);
  if (docDrawerMemo.size < DRAWER_MEMO_LIMIT) docDrawerMemo.set(key, list);
  return list;
}

function docEvent(detail?: (c: BuildContext, doc: DocRef) => Record<string, unknown>, extra?: (c: BuildContext, doc: DocRef) => Partial<EventBody>): (c: BuildContext) => EventBody {
  return (c) => {
    const doc = c.rng.pick(c.org.docs);
    return {
      objects: [docObject(c, doc, detail ? detail(c, doc) : {})],
      recipients: [NO_RECIPIENT],
      extend: {},
      drawers: docDrawers(c, doc),
      ...(extra ? extra(c, doc) : {}),
    };
  };
}

function userRecipient(c: BuildContext, action = ''): LarkRecipient {
  return { recipient_type: '1', recipient_value: member(c).ids[0], recipient_detail: { permission_action_type: action } };
}

function chatEvent(build: (c: BuildContext, chat: { id: string; name: string }) => Partial<EventBody>): (c: BuildContext) => EventBody {
  return (c) => {
    const chat = c.rng.pick(c.org.chats);
    const base: EventBody = {
      objects: [{ object_type: OBJ.chat, object_value: chat.id, object_name: chat.name, object_owner: '', object_detail: { container_type: 'chat', container_id: chat.id } }],
      recipients: [{ recipient_type: '4', recipient_value: chat.id, recipient_detail: { permission_action_type: '' } }],
      extend: {},
      drawers: [drawer(c.name, 'chat_id', chat.id)],
    };
    return { ...base, ...build(c, chat) };
  };
}

function meetingEvent(kind: string): (c: BuildContext) => EventBody {
  return (c) => {
    const id = String(c.rng.range(100_000_000, 999_999_999));
    const externals = c.rng.chance(0.2) ? c.rng.range(1, 3) : 0;
    return {
      objects: [{ object_type: OBJ.meeting, object_value: id, object_name: c.rng.pick(['Weekly sync', 'Customer call', '1:1', 'Sprint planning', 'All hands', 'Interview']), object_owner: '', object_detail: {} }],
      recipients: [],
      extend: { new_people_num_in_video: c.rng.range(1, 12), external_people_num_in_video: externals },
      drawers: [drawer(c.name, 'meeting_no', id), drawer(c.name, 'vc_action', kind)],
    };
  };
}

function calendarEvent(action: string): (c: BuildContext) => EventBody {
  return (c) => {
    const id = `${randomHex(c.rng, 8)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 12)}_0`;
    const attendees = Array.from({ length: c.rng.range(1, 4) }, () => userRecipient(c, action));
    return {
      objects: [{ object_type: OBJ.calendarEvent, object_value: id, object_name: c.rng.pick(['Design review', 'Quarterly planning', 'Lunch & learn', 'Customer onsite', 'Interview loop']), object_owner: c.actor.ids[0], object_detail: {} }],
      recipients: attendees,
      extend: {},
      drawers: [drawer(c.name, 'calendar_action', action)],
    };
  };
}

function accountEvent(extend: (c: BuildContext) => Record<string, unknown>, drawers: (c: BuildContext) => readonly Drawer[] = () => []): (c: BuildContext) => EventBody {
  return (c) => ({ objects: [], recipients: [], extend: extend(c), drawers: drawers(c) });
}

function directoryEvent(kind: 'user' | 'department', action: string): (c: BuildContext) => EventBody {
  return (c) => {
    const target = member(c);
    const dept = c.rng.pick(c.org.departments);
    const object: LarkObject =
      kind === 'user'
        ? { object_type: OBJ.user, object_value: target.ids[0], object_name: target.name, object_owner: '', object_detail: {} }
        : { object_type: OBJ.department, object_value: dept.id, object_name: dept.name, object_owner: '', object_detail: {} };
    return { objects: [object], recipients: [], extend: {}, drawers: [drawer(c.name, 'contact_action', action)] };
  };
}

const LOGIN_METHODS = ['password', 'sso', 'qr_code', 'sms_code', 'email_code'];
const FAIL_REASONS = ['wrong_password', 'wrong_verification_code', 'account_locked', 'sso_failed'];

// --- the vocabulary -------------------------------------------------------------

const ANYONE: readonly ActorKind[] = ['member'];
const WITH_EXTERNALS: readonly ActorKind[] = ['member', 'external'];

export const EVENTS: readonly EventDef[] = [
  // Docs (1)
  { name: 'space_read_doc', module: MODULES.docs, weight: 18, actors: WITH_EXTERNALS, build: docEvent((c) => (c.rng.chance(0.3) ? { current_page: String(c.rng.range(1, 12)) } : {})) },
  { name: 'space_edit_doc', module: MODULES.docs, weight: 12, actors: ['member', 'external', 'bot'], build: docEvent() },
  { name: 'space_create_doc', module: MODULES.docs, weight: 4, actors: ['member', 'bot'], build: docEvent((c) => ({ container_type: c.rng.pick(['folder', 'wiki_space']), container_id: randomAlphanumeric(c.rng, 19) })) },
  { name: 'space_delete_doc', module: MODULES.docs, weight: 1.5, actors: ANYONE, build: docEvent() },
  {
    name: 'space_comment_doc',
    module: MODULES.docs,
    weight: 3,
    actors: WITH_EXTERNALS,
    build: docEvent(
      (c) => ({ text_detail: c.rng.pick(['LGTM', 'Can we double-check these numbers?', '请确认一下', 'Typo in section 2', '+1']) }),
      (c) => ({ extend: { comment_type: c.rng.pick(['full', 'partial']) } }),
    ),
  },
  { name: 'space_export_doc', module: MODULES.docs, weight: 1.2, actors: ANYONE, build: docEvent((c, d) => ({ file_name: `${d.title === '' ? 'Untitled' : d.title}.${c.rng.pick(['pdf', 'docx', 'xlsx'])}`, file_service_source: 'export' })) },
  { name: 'space_download_file', module: MODULES.docs, weight: 2.5, actors: WITH_EXTERNALS, build: docEvent((c, d) => ({ file_name: d.title === '' ? 'attachment.bin' : d.title, file_service_source: c.rng.pick(['drive', 'doc_attachment']) })) },
  {
    name: 'space_update_collaborator_doc',
    module: MODULES.docs,
    weight: 1.5,
    actors: ANYONE,
    build: docEvent(undefined, (c) => {
      const action = c.rng.pick(['add', 'update', 'remove']);
      return { recipients: [userRecipient(c, action)], extend: { external_people_num_in_doc_share: c.rng.chance(0.15) ? 1 : 0 } };
    }),
  },
  {
    name: 'space_update_share_setting_doc',
    module: MODULES.docs,
    weight: 1,
    actors: ANYONE,
    build: docEvent((c) => ({
      permission_setting_type: c.rng.pick(['link_share', 'external_access', 'comment']),
      permission_external_access_Type: c.rng.pick(['open', 'close']),
      permission_share_type: c.rng.pick(['tenant_readable', 'tenant_editable', 'anyone_readable', 'closed']),
    })),
  },
  { name: 'space_import_doc', module: MODULES.docs, weight: 0.5, actors: ANYONE, build: docEvent((c) => ({ file_name: `${c.rng.pick(['budget', 'notes', 'contract', 'report'])}.${c.rng.pick(['xlsx', 'docx', 'csv'])}` })) },
  { name: 'space_print_doc', module: MODULES.docs, weight: 0.3, actors: ANYONE, build: docEvent() },
  { name: 'space_copy_content', module: MODULES.docs, weight: 1, actors: ANYONE, build: docEvent() },
  { name: 'space_create_copy', module: MODULES.docs, weight: 0.6, actors: ANYONE, build: docEvent((c) => ({ clone_source: randomAlphanumeric(c.rng, 27) })) },
  {
    name: 'space_share_to_3rdApp',
    module: MODULES.docs,
    weight: 0.3,
    actors: ANYONE,
    build: (c) => {
      const app = c.rng.pick(c.org.apps);
      return { ...docEvent((_, d) => ({ third_party_appID: app.appId, file_name: d.title }))(c), app };
    },
  },
  // Messenger (2)
  {
    name: 'im_send_message',
    module: MODULES.im,
    weight: 14,
    actors: ['member', 'external', 'bot'],
    build: chatEvent((c) => ({ extend: c.rng.chance(0.2) ? { external_people_num_in_chat: c.rng.range(1, 4) } : {} })),
  },
  { name: 'im_create_chat', module: MODULES.im, weight: 0.8, actors: ['member', 'bot'], build: chatEvent((c) => ({ recipients: Array.from({ length: c.rng.range(2, 5) }, () => userRecipient(c)) })) },
  { name: 'im_add_member', module: MODULES.im, weight: 1.2, actors: ['member', 'bot'], build: chatEvent((c) => ({ recipients: [userRecipient(c)], extend: { join_group: 'true' } })) },
  { name: 'im_remove_member', module: MODULES.im, weight: 0.4, actors: ANYONE, build: chatEvent((c) => ({ recipients: [userRecipient(c)], extend: { quit_group: 'true' } })) },
  {
    name: 'im_download_file',
    module: MODULES.im,
    weight: 2,
    actors: WITH_EXTERNALS,
    build: chatEvent((c, chat) => ({
      objects: [
        {
          object_type: OBJ.imFile,
          object_value: `file_v3_00${randomHex(c.rng, 3)}_${randomHex(c.rng, 8)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 4)}-${randomHex(c.rng, 12)}g`,
          object_name: `${c.rng.pick(['invoice', 'screenshot', 'contract', 'logs', '发票'])}.${c.rng.pick(['pdf', 'png', 'zip', 'txt'])}`,
          object_owner: '',
          object_detail: { container_type: 'chat', container_id: chat.id, file_service_source: 'im' },
        },
      ],
    })),
  },
  { name: 'im_recall_message', module: MODULES.im, weight: 0.5, actors: ANYONE, build: chatEvent((c) => ({ objects: [{ object_type: OBJ.message, object_value: `om_${randomHex(c.rng, 32)}`, object_name: '', object_owner: c.actor.ids[0], object_detail: {} }] })) },
  // Contacts (3), admins only
  { name: 'contact_create_user', module: MODULES.contacts, weight: 0.15, actors: ANYONE, adminOnly: true, build: directoryEvent('user', 'create') },
  { name: 'contact_update_user', module: MODULES.contacts, weight: 0.3, actors: ANYONE, adminOnly: true, build: directoryEvent('user', 'update') },
  { name: 'contact_delete_user', module: MODULES.contacts, weight: 0.08, actors: ANYONE, adminOnly: true, build: directoryEvent('user', 'delete') },
  { name: 'contact_update_department', module: MODULES.contacts, weight: 0.1, actors: ANYONE, adminOnly: true, build: directoryEvent('department', 'update') },
  // Workplace (4)
  {
    name: 'workplace_open_app',
    module: MODULES.workplace,
    weight: 2,
    actors: ANYONE,
    build: (c) => {
      const app = c.rng.pick(c.org.apps);
      return { objects: [{ object_type: OBJ.app, object_value: app.appId, object_name: app.name, object_owner: '', object_detail: {} }], recipients: [], extend: { app_detail: app.name }, drawers: [], app };
    },
  },
  // VC (5)
  { name: 'vc_start_meeting', module: MODULES.vc, weight: 1.5, actors: ANYONE, build: meetingEvent('start') },
  { name: 'vc_join_meeting', module: MODULES.vc, weight: 3, actors: WITH_EXTERNALS, build: meetingEvent('join') },
  { name: 'vc_share_screen', module: MODULES.vc, weight: 0.8, actors: ANYONE, build: meetingEvent('share_screen') },
  { name: 'vc_start_recording', module: MODULES.vc, weight: 0.3, actors: ANYONE, build: meetingEvent('record') },
  // Account (6): sessions open with these (see the generator)
  {
    name: 'account_login',
    module: MODULES.account,
    weight: 1,
    actors: ANYONE,
    build: accountEvent(
      (c) => ({ login_method: c.rng.pick(LOGIN_METHODS), two_step_validation: c.rng.chance(0.4) ? 'true' : 'false' }),
      (c) => [drawer(c.name, 'login_result', 'success')],
    ),
  },
  {
    name: 'account_login_failed',
    module: MODULES.account,
    weight: 0.3,
    actors: ANYONE,
    build: accountEvent(
      (c) => ({ login_method: c.rng.pick(LOGIN_METHODS) }),
      (c) => [drawer(c.name, 'login_result', 'fail'), drawer(c.name, 'fail_reason', c.rng.pick(FAIL_REASONS))],
    ),
  },
  { name: 'account_two_step_verification', module: MODULES.account, weight: 0.3, actors: ANYONE, build: accountEvent((c) => ({ two_step_validation: 'true', login_method: c.rng.pick(['sms_code', 'totp', 'email_code']) })) },
  { name: 'account_logout', module: MODULES.account, weight: 1, actors: ANYONE, build: accountEvent(() => ({})) },
  { name: 'account_change_password', module: MODULES.account, weight: 0.1, actors: ANYONE, build: accountEvent(() => ({}), (c) => [drawer(c.name, 'op_status', 'success')]) },
  // Devices (8)
  {
    name: 'device_login_new_device',
    module: MODULES.devices,
    weight: 0.3,
    actors: ANYONE,
    build: (c) => ({ objects: [{ object_type: OBJ.device, object_value: String(c.rng.range(1_000_000_000, 2_147_483_647)), object_name: '', object_owner: c.actor.ids[0], object_detail: {} }], recipients: [], extend: {}, drawers: [] }),
  },
  {
    name: 'device_unbind',
    module: MODULES.devices,
    weight: 0.05,
    actors: ANYONE,
    adminOnly: true,
    build: (c) => {
      const target = member(c);
      return { objects: [{ object_type: OBJ.device, object_value: String(c.rng.range(1_000_000_000, 2_147_483_647)), object_name: '', object_owner: target.ids[0], object_detail: {} }], recipients: [], extend: {}, drawers: [] };
    },
  },
  // Calendar (21)
  { name: 'calendar_create_event', module: MODULES.calendar, weight: 1.5, actors: ['member', 'bot'], build: calendarEvent('create') },
  { name: 'calendar_update_event', module: MODULES.calendar, weight: 1, actors: ANYONE, build: calendarEvent('update') },
  { name: 'calendar_delete_event', module: MODULES.calendar, weight: 0.3, actors: ANYONE, build: calendarEvent('delete') },
];

/** Every event name the API knows (a filter on any other name gets 1050007). */
export const EVENT_NAMES: ReadonlySet<string> = new Set(EVENTS.map((e) => e.name));

export function eventNamed(name: string): EventDef {
  const def = EVENTS.find((e) => e.name === name);
  if (!def) throw new Error(`no event ${name}`);
  return def;
}

export { DOC_TYPES };
