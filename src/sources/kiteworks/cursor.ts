// The Kiteworks service's saved position (stored by the framework with the dedup memory).

import type { JsonValue } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';

/** A window being read, page after page (offset paging, oldest first). Times are ISO 8601 UTC. */
export type KiteworksPass = {
  start: string;
  end: string;
  /** Where the previous window ended (this one re-reads its overlap); null on the first. */
  previous_end: string | null;
  /** Activities of this window already read. */
  offset: number;
};

export type KiteworksCursor = {
  cursor_version: 1;
  start_time_in_utc: string;
  last_event_time_in_utc: string | null;
  /** Every activity created up to this time has been read by a finished window. */
  read_until: string | null;
  pass: KiteworksPass | null;
};

const isTime = (v: JsonValue | undefined): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));

export function readKiteworksCursor(saved: JsonValue | null, where: string): KiteworksCursor | null {
  if (saved === null) return null;
  const fail = (why: string): never => {
    throw new SiphonError('PERSISTENCE_UNREADABLE', `The saved Kiteworks position of ${where} is not valid (${why}). Restore it or run \`siphon state reset\``, { service: where });
  };
  if (!saved || typeof saved !== 'object' || Array.isArray(saved)) return fail('not an object');
  const c = saved as Record<string, JsonValue>;
  if (c['cursor_version'] !== 1) fail(`unknown cursor_version ${JSON.stringify(c['cursor_version'] ?? null)}`);
  if (!isTime(c['start_time_in_utc'])) fail('start_time_in_utc');
  if (c['last_event_time_in_utc'] !== null && !isTime(c['last_event_time_in_utc'])) fail('last_event_time_in_utc');
  if (c['read_until'] !== null && !isTime(c['read_until'])) fail('read_until');
  const pass = c['pass'];
  if (pass !== null) {
    if (!pass || typeof pass !== 'object' || Array.isArray(pass)) fail('pass');
    const p = pass as Record<string, JsonValue>;
    if (!isTime(p['start']) || !isTime(p['end'])) fail('pass window');
    if (p['previous_end'] !== null && !isTime(p['previous_end'])) fail('pass.previous_end');
    if (typeof p['offset'] !== 'number' || !Number.isInteger(p['offset']) || p['offset'] < 0) fail('pass.offset');
  }
  return saved as KiteworksCursor;
}
