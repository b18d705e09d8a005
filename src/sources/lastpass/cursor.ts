// The LastPass service's saved position. The framework stores it with the dedup memory in
// one atomic write; this module gives it a shape, checks a saved one, and starts new ones.
// Field names follow what the Devo collector's log shows of its persistence.

import type { JsonValue } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { parseWallTime } from './zoned-time.js';
import type { OccurrenceCarry } from './event-keys.js';

/** A time window being read, page after page (`next` paging). */
export type LastPassPass = {
  /** Wall times in `time_zone`, inclusive. */
  from: string;
  to: string;
  /** Where the previous pass ended (the overlap it re-reads ends there); null on the first pass. */
  previous_to: string | null;
  /** The vendor's paginator for the next page, exactly as received; null: the first page. */
  next_page_key: JsonValue;
  /** Occurrence counts of the oldest second served so far (see event-keys.ts). */
  boundary: OccurrenceCarry | null;
};

export type LastPassCursor = {
  cursor_version: 1;
  /** Where the stream began (UTC), as the configuration or the default set it. */
  start_time_in_utc: string;
  /** The zone the wall times below are in (the account's zone when they were written). */
  time_zone: string;
  /** The newest event Time delivered, converted to UTC; null before the first event. */
  last_event_time_in_utc: string | null;
  /** Every Time up to this wall time has been read by a finished pass; null before the first. */
  read_until: string | null;
  /** The window being read, or null between windows. */
  pass: LastPassPass | null;
};

/** Checks a saved cursor; a hand-edited or foreign record is an error, never a silent restart. */
export function readCursor(saved: JsonValue | null, where: string): LastPassCursor | null {
  if (saved === null) return null;
  const problem = cursorProblem(saved);
  if (problem) {
    throw new SiphonError('PERSISTENCE_UNREADABLE', `The saved LastPass position of ${where} is not valid (${problem}). Restore it or run \`siphon state reset\``, {
      service: where,
    });
  }
  return saved as LastPassCursor;
}

function cursorProblem(value: JsonValue): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const c = value as Record<string, JsonValue>;
  if (c['cursor_version'] !== 1) return `unknown cursor_version ${JSON.stringify(c['cursor_version'] ?? null)}`;
  if (typeof c['start_time_in_utc'] !== 'string' || parseWallTime(c['start_time_in_utc']) === undefined) return 'start_time_in_utc';
  if (typeof c['time_zone'] !== 'string') return 'time_zone';
  if (!isWallOrNull(c['last_event_time_in_utc'])) return 'last_event_time_in_utc';
  if (!isWallOrNull(c['read_until'])) return 'read_until';
  const pass = c['pass'];
  if (pass === null) return undefined;
  if (!pass || typeof pass !== 'object' || Array.isArray(pass)) return 'pass';
  const p = pass as Record<string, JsonValue>;
  if (!isWall(p['from']) || !isWall(p['to']) || !isWallOrNull(p['previous_to'])) return 'pass window';
  const next = p['next_page_key'];
  if (next !== null && typeof next !== 'number' && typeof next !== 'string') return 'pass.next_page_key';
  const boundary = p['boundary'];
  if (boundary !== null) {
    if (!boundary || typeof boundary !== 'object' || Array.isArray(boundary)) return 'pass.boundary';
    const b = boundary as Record<string, JsonValue>;
    const counts = b['counts'];
    if (typeof b['time'] !== 'string' || !counts || typeof counts !== 'object' || Array.isArray(counts)) return 'pass.boundary';
    if (!Object.values(counts).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return 'pass.boundary.counts';
  }
  return undefined;
}

function isWall(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && parseWallTime(value) !== undefined;
}

function isWallOrNull(value: JsonValue | undefined): boolean {
  return value === null || isWall(value);
}
