// Reads a GET /api/v1/logs query. The simulator serves polling requests (ASCENDING, no
// `until`), the kind a collector makes:
//   since  RFC 3339 (Z or an offset, optional fraction), a persistence time; default 7 days
//          back; over 180 days back is 400 E0000053, as Okta answers.
//   after  the opaque cursor of a next link ("{persistence ms}_{seq}", like Okta's
//          "1627500044869_1"); it wins over `since` when both are sent.
//   limit  1..1000, default 100 (outside that range Okta's answer is not documented: 400 here).
//   sortOrder ASCENDING (default).
// `until`, `filter`, `q` and DESCENDING (bounded requests and searches) are not imitated and
// are refused with 400 E0000001 saying so, so a client never takes a silently ignored filter
// for a working one. An empty value counts as absent.

import type { Position } from './store.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;
export const DEFAULT_SINCE_MS = 7 * 86_400_000;
export const MAX_SINCE_MS = 180 * 86_400_000;

export interface LogsQuery {
  readonly after: Position | undefined;
  readonly sinceMs: number;
  readonly limit: number;
}

/** Why a query was refused: the Okta error code and summary to answer with. */
export interface QueryProblem {
  readonly errorCode: 'E0000001' | 'E0000053';
  readonly summary: string;
  /** For the stats: which parameter. */
  readonly detail: string;
}

export type ParsedLogsQuery = { ok: true; value: LogsQuery } | { ok: false; problem: QueryProblem };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The `after` value a next link carries for a position. */
export function encodeAfter(p: Position): string {
  return `${p.persistedAt}_${p.seq}`;
}

export function decodeAfter(text: string): Position | undefined {
  const m = /^(\d{1,15})_(\d{1,12})$/.exec(text);
  if (!m) return undefined;
  return { persistedAt: Number(m[1]), seq: Number(m[2]) };
}

const validation = (param: string, why: string): ParsedLogsQuery => ({
  ok: false,
  problem: { errorCode: 'E0000001', summary: `Api validation failed: '${param}': ${why}`, detail: param },
});

export function parseLogsQuery(q: URLSearchParams, nowMs: number): ParsedLogsQuery {
  const get = (key: string): string | undefined => {
    const v = q.get(key);
    return v === null || v === '' ? undefined : v;
  };
  for (const unsupported of ['until', 'filter', 'q']) {
    if (get(unsupported) !== undefined) return validation(unsupported, 'the simulator serves polling requests only (no until, filter or q)');
  }
  const order = get('sortOrder') ?? 'ASCENDING';
  if (order === 'DESCENDING') return validation('sortOrder', 'the simulator serves polling requests only (ASCENDING)');
  if (order !== 'ASCENDING') return validation('sortOrder', 'must be ASCENDING or DESCENDING');

  const limitText = get('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : /^\d{1,7}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) return validation('limit', `must be an integer between 1 and ${MAX_LIMIT}`);

  const afterText = get('after');
  if (afterText !== undefined) {
    const after = decodeAfter(afterText);
    if (!after) return validation('after', 'The cursor is not valid.');
    return { ok: true, value: { after, sinceMs: 0, limit } };
  }

  const sinceText = get('since');
  let sinceMs = nowMs - DEFAULT_SINCE_MS;
  if (sinceText !== undefined) {
    const parsed = RFC3339.test(sinceText) ? Date.parse(sinceText) : NaN;
    if (Number.isNaN(parsed)) return validation('since', 'The date format in your query is not recognized. Please enter dates using ISO8601 string format.');
    sinceMs = parsed;
  }
  if (sinceMs < nowMs - MAX_SINCE_MS) {
    return { ok: false, problem: { errorCode: 'E0000053', summary: 'Invalid parameter: The since parameter is over 180 days prior to the current day.', detail: 'since' } };
  }
  return { ok: true, value: { after: undefined, sinceMs, limit } };
}
