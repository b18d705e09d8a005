// Reads the audit_infos query string the way the endpoint does: user_id_type, the
// oldest/latest window in Unix seconds (defaults: 30 days ago and now; at most 30 days
// wide; no older than the retention), page_size 1..200, page_token, and the filters.
// An empty parameter counts as absent. Errors come back as Lark's codes.

import { ID_TYPES, type IdType, type StoredItem } from './generator.js';
import { decodePageToken, type PagePosition } from './pagetoken.js';
import { EVENT_NAMES } from './vocabulary.js';

const MAX_SPAN_SECONDS = 30 * 86_400;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;

export interface AuditQuery {
  readonly idType: IdType;
  readonly oldest: number;
  readonly latest: number;
  readonly pageSize: number;
  /** Where the previous page ended, when paging. */
  readonly before: PagePosition | undefined;
  /** Binds page tokens to every parameter but page_size and page_token. */
  readonly queryKey: string;
  readonly matches: ((item: StoredItem) => boolean) | undefined;
}

export interface QueryError {
  readonly code: number;
  readonly msg: string;
}

export type Parsed = { ok: true; value: AuditQuery } | { ok: false; error: QueryError };

const ERRORS = {
  time: { code: 1050001, msg: 'TIME_CHECK_NOT_VALID' },
  param: { code: 1050004, msg: 'param error' },
  pageSize: { code: 1050005, msg: 'page_size error' },
  pageToken: { code: 1050006, msg: 'page_token error' },
  eventName: { code: 1050007, msg: 'event_name not found' },
  larkId: { code: 1050009, msg: 'Lark ID not found' },
} as const satisfies Record<string, QueryError>;

const INT = /^-?\d{1,16}$/;

export interface ParseContext {
  readonly nowSeconds: number;
  readonly retentionSeconds: number;
  /** Whether an operator_value names someone in the tenant, for the given ID type. */
  readonly knownOperator: (value: string, idType: IdType) => boolean;
}

export function parseAuditQuery(q: URLSearchParams, ctx: ParseContext): Parsed {
  const get = (key: string): string | undefined => {
    const v = q.get(key);
    return v === null || v === '' ? undefined : v;
  };
  const fail = (error: QueryError): Parsed => ({ ok: false, error });

  const idName = get('user_id_type') ?? 'open_id';
  const idType = Object.hasOwn(ID_TYPES, idName) ? ID_TYPES[idName] : undefined;
  if (idType === undefined) return fail(ERRORS.param);

  const sizeText = get('page_size');
  const pageSize = sizeText === undefined ? DEFAULT_PAGE_SIZE : /^\d{1,6}$/.test(sizeText) ? Number(sizeText) : NaN;
  if (!(pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) return fail(ERRORS.pageSize);

  const oldestText = get('oldest');
  const latestText = get('latest');
  if ((oldestText !== undefined && !INT.test(oldestText)) || (latestText !== undefined && !INT.test(latestText))) return fail(ERRORS.time);

  const eventName = get('event_name');
  if (eventName !== undefined && !EVENT_NAMES.has(eventName)) return fail(ERRORS.eventName);
  const moduleText = get('event_module');
  if (moduleText !== undefined && !INT.test(moduleText)) return fail(ERRORS.param);
  const operatorType = get('operator_type');
  if (operatorType !== undefined && operatorType !== 'user' && operatorType !== 'bot') return fail(ERRORS.param);
  const userType = get('user_type');
  if (userType !== undefined && userType !== '0' && userType !== '1' && userType !== '2') return fail(ERRORS.param);
  const objectTypeText = get('object_type');
  if (objectTypeText !== undefined && !INT.test(objectTypeText)) return fail(ERRORS.param);
  const objectValue = get('object_value');
  const ccmToken = get('ext_filter_object_by_ccm_token');
  const operatorValue = get('operator_value');
  if (operatorValue !== undefined && !ctx.knownOperator(operatorValue, idType)) return fail(ERRORS.larkId);

  const queryKey = JSON.stringify([
    idType,
    oldestText === undefined ? null : Number(oldestText),
    latestText === undefined ? null : Number(latestText),
    eventName ?? null,
    moduleText === undefined ? null : Number(moduleText),
    operatorType ?? null,
    operatorValue ?? null,
    userType ?? null,
    objectTypeText === undefined ? null : Number(objectTypeText),
    objectValue ?? null,
    ccmToken ?? null,
  ]);

  const tokenText = get('page_token');
  let before: PagePosition | undefined;
  let oldest: number;
  let latest: number;
  if (tokenText !== undefined) {
    before = decodePageToken(tokenText, queryKey);
    if (!before) return fail(ERRORS.pageToken);
    // The window was checked on the first page; defaults stay as they were then.
    oldest = before.oldest;
    latest = before.latest;
  } else {
    latest = latestText === undefined ? ctx.nowSeconds : Number(latestText);
    oldest = oldestText === undefined ? ctx.nowSeconds - MAX_SPAN_SECONDS : Number(oldestText);
    if (oldest > latest || latest - oldest > MAX_SPAN_SECONDS || oldest < ctx.nowSeconds - ctx.retentionSeconds) return fail(ERRORS.time);
  }

  const matches = matcher({
    eventName,
    module: moduleText === undefined ? undefined : Number(moduleText),
    operatorType,
    userType,
    operatorValue,
    idType,
    objectType: objectTypeText === undefined ? undefined : String(Number(objectTypeText)),
    objectValue,
    ccmToken,
  });
  return { ok: true, value: { idType, oldest, latest, pageSize, before, queryKey, matches } };
}

interface Filters {
  readonly eventName: string | undefined;
  readonly module: number | undefined;
  readonly operatorType: string | undefined;
  readonly userType: string | undefined;
  readonly operatorValue: string | undefined;
  readonly idType: IdType;
  readonly objectType: string | undefined;
  readonly objectValue: string | undefined;
  readonly ccmToken: string | undefined;
}

/** The filters as one predicate; undefined when none applies (the fast path). */
function matcher(f: Filters): ((item: StoredItem) => boolean) | undefined {
  // The enhanced object filter overrides object_type/object_value.
  const objectType = f.ccmToken === undefined ? f.objectType : undefined;
  const objectValue = f.ccmToken ?? f.objectValue;
  const wantOperatorType = f.operatorType === 'bot' ? 12 : undefined;
  const wantUserType = f.userType === '1' ? 1 : f.userType === '2' ? 1001 : undefined;
  if (
    f.eventName === undefined &&
    f.module === undefined &&
    f.operatorType === undefined &&
    wantUserType === undefined &&
    f.operatorValue === undefined &&
    objectType === undefined &&
    objectValue === undefined
  ) {
    return undefined;
  }
  return (item) => {
    if (f.eventName !== undefined && item.eventName !== f.eventName) return false;
    if (f.module !== undefined && item.module !== f.module) return false;
    const type = item.operator.operatorType;
    if (f.operatorType === 'user' && type === 12) return false;
    if (wantOperatorType !== undefined && type !== wantOperatorType) return false;
    if (wantUserType !== undefined && type !== wantUserType) return false;
    if (f.operatorValue !== undefined && item.operator.ids[f.idType] !== f.operatorValue) return false;
    if (objectType !== undefined || objectValue !== undefined) {
      const hit = item.objects.some(([t, v]) => (objectType === undefined || t === objectType) && (objectValue === undefined || v === objectValue));
      if (!hit) return false;
    }
    return true;
  };
}
