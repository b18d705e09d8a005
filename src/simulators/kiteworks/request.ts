// Reads what clients send: the activities query string and the token endpoint's form body.
//
// Activities: startDateTime and endDateTime are required, UTC ISO 8601 date-times with or
// without fractional seconds, ending Z, +0000 or +00:00 (a "+" sent unencoded in a query string
// decodes to a space, and such a value is refused, as form decoding on the appliance would do).
// They compare at second precision: the fraction is dropped, then start <= created <= end.
// orderBy created:asc|created:desc (default desc), offset >= 0, limit 1..10000 (default 100),
// userId, eventFilters:in and objectIds:in (comma-separated; parameter names arrive decoded,
// so `eventFilters%3Ain` is `eventFilters:in`), compact and maxPages ignored. An empty value
// counts as absent. Anything wrong is 422 ERR_INVALID_PARAMETER.

import type { StoredActivity } from './generator.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

export interface ActivitiesQuery {
  readonly fromSec: number;
  readonly toSec: number;
  readonly ascending: boolean;
  readonly offset: number;
  readonly limit: number;
  readonly matches: ((a: StoredActivity) => boolean) | undefined;
}

/** A query, or why it was refused (kept in the stats only: the answer is always ERR_INVALID_PARAMETER). */
export type ParsedQuery = { ok: true; value: ActivitiesQuery } | { ok: false; reason: string };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|\+0000|\+00:00)$/;

/** UTC ms (whole seconds: any fraction dropped) of a date-time parameter; undefined when it is not one. */
function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over to March: refuse what does not round-trip.
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}

export function parseActivitiesQuery(q: URLSearchParams, maxRangeDays: number | undefined): ParsedQuery {
  const get = (key: string): string | undefined => {
    const v = q.get(key);
    return v === null || v === '' ? undefined : v;
  };
  const startText = get('startDateTime');
  const endText = get('endDateTime');
  if (startText === undefined || endText === undefined) return { ok: false, reason: 'startDateTime and endDateTime are required' };
  const start = parseDateTime(startText);
  const end = parseDateTime(endText);
  if (start === undefined || end === undefined) return { ok: false, reason: 'startDateTime/endDateTime is not a UTC ISO 8601 date-time' };
  if (start > end) return { ok: false, reason: 'startDateTime is after endDateTime' };
  if (maxRangeDays !== undefined && end - start > maxRangeDays * 86_400_000) return { ok: false, reason: `the range is wider than ${maxRangeDays} days` };

  const order = get('orderBy') ?? 'created:desc';
  if (order !== 'created:asc' && order !== 'created:desc') return { ok: false, reason: 'orderBy must be created:asc or created:desc' };
  const limitText = get('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : /^\d{1,6}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) return { ok: false, reason: `limit must be 1..${MAX_LIMIT}` };
  const offsetText = get('offset');
  const offset = offsetText === undefined ? 0 : /^\d{1,9}$/.test(offsetText) ? Number(offsetText) : NaN;
  if (!(offset >= 0)) return { ok: false, reason: 'offset must be a whole number >= 0' };

  const list = (key: string): Set<string> | undefined => {
    const v = get(key);
    if (v === undefined) return undefined;
    const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return items.length === 0 ? undefined : new Set(items);
  };
  const categories = list('eventFilters:in');
  const objectIds = list('objectIds:in');
  const userId = get('userId');
  const matches =
    categories === undefined && objectIds === undefined && userId === undefined
      ? undefined
      : (a: StoredActivity): boolean =>
          (categories === undefined || categories.has(a.category)) &&
          (userId === undefined || a.userId === userId) &&
          (objectIds === undefined || a.objectIds.some((id) => objectIds.has(id)));
  return { ok: true, value: { fromSec: start / 1000, toSec: end / 1000, ascending: order === 'created:asc', offset, limit, matches } };
}

/** The token endpoint's body as form fields; undefined when it is not a form or repeats a field. */
export function parseForm(contentType: string | undefined, body: string | undefined): URLSearchParams | undefined | 'repeated' {
  if (body === undefined) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  // URLSearchParams decodes "+" and percent-escapes in names and values alike.
  const form = new URLSearchParams(body);
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key)) return 'repeated';
    seen.add(key);
  }
  return form;
}

/** `Authorization: Basic base64(urlencoded id ":" urlencoded secret)` (RFC 6749 §2.3.1); undefined when absent or unreadable. */
export function parseBasicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const id = decodeURIComponent(text.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(text.slice(colon + 1).replace(/\+/g, ' '));
    return id === '' ? undefined : { id, secret };
  } catch {
    return undefined;
  }
}
