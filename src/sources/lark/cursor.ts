// The Lark service's saved position (stored by the framework with the dedup memory).

import type { JsonValue } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';

/** A time window being read, page after page. Times in Unix seconds, as the API takes them. */
export type LarkPass = {
  oldest: number;
  latest: number;
  /** Where the previous window ended (this one re-reads its overlap); null on the first. */
  previous_latest: number | null;
  /** The API's token for the next page, as received; null: the first page. */
  page_token: string | null;
};

export type LarkCursor = {
  cursor_version: 1;
  /** Where the stream began (UTC, RFC 3339). */
  start_time_in_utc: string;
  /** The newest event_time delivered (UTC, RFC 3339); null before the first event. */
  last_event_time_in_utc: string | null;
  /** Every event_time up to this (Unix seconds) has been read by a finished window. */
  read_until: number | null;
  pass: LarkPass | null;
};

/** Checks a saved cursor; a hand-edited or foreign record is an error, never a silent restart. */
export function readLarkCursor(saved: JsonValue | null, where: string): LarkCursor | null {
  if (saved === null) return null;
  const problem = cursorProblem(saved);
  if (problem) {
    throw new SiphonError('PERSISTENCE_UNREADABLE', `The saved Lark position of ${where} is not valid (${problem}). Restore it or run \`siphon state reset\``, { service: where });
  }
  return saved as LarkCursor;
}

const isSeconds = (v: JsonValue | undefined): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isTime = (v: JsonValue | undefined): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));

function cursorProblem(value: JsonValue): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const c = value as Record<string, JsonValue>;
  if (c['cursor_version'] !== 1) return `unknown cursor_version ${JSON.stringify(c['cursor_version'] ?? null)}`;
  if (!isTime(c['start_time_in_utc'])) return 'start_time_in_utc';
  if (c['last_event_time_in_utc'] !== null && !isTime(c['last_event_time_in_utc'])) return 'last_event_time_in_utc';
  if (c['read_until'] !== null && !isSeconds(c['read_until'])) return 'read_until';
  const pass = c['pass'];
  if (pass === null) return undefined;
  if (!pass || typeof pass !== 'object' || Array.isArray(pass)) return 'pass';
  const p = pass as Record<string, JsonValue>;
  if (!isSeconds(p['oldest']) || !isSeconds(p['latest'])) return 'pass window';
  if (p['previous_latest'] !== null && !isSeconds(p['previous_latest'])) return 'pass.previous_latest';
  if (p['page_token'] !== null && typeof p['page_token'] !== 'string') return 'pass.page_token';
  return undefined;
}
