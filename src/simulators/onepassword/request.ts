// Reads the body of an events request: a ResetCursor {limit?, start_time?, end_time?}
// or a Cursor {cursor}. Anything else is a 400, as the real API answers bad syntax.

export type PageRequest =
  | { readonly form: 'reset'; readonly limit: number; readonly startMs: number; readonly endMs: number | null }
  | { readonly form: 'cursor'; readonly cursor: string };

export type Parsed = { ok: true; value: PageRequest } | { ok: false; reason: string };

const HOUR_MS = 3600_000;
/** "The API can access data from the last 120 days." */
const HISTORY_LIMIT_MS = 120 * 24 * HOUR_MS;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parsePageRequest(body: string | undefined, nowMs: number): Parsed {
  if (body === undefined) return fail('body too large');
  let value: unknown = {};
  if (body.trim() !== '') {
    try {
      value = JSON.parse(body);
    } catch {
      return fail('body is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('body is not a JSON object');
  const b = value as Record<string, unknown>;
  const has = (key: string): boolean => b[key] !== undefined && b[key] !== null;

  if (has('cursor')) {
    if (has('limit') || has('start_time') || has('end_time')) return fail('cursor mixed with ResetCursor fields');
    if (typeof b.cursor !== 'string' || b.cursor === '') return fail('cursor is not a string');
    return { ok: true, value: { form: 'cursor', cursor: b.cursor } };
  }

  let limit = 100;
  if (has('limit')) {
    if (typeof b.limit !== 'number' || !Number.isInteger(b.limit) || b.limit < 1 || b.limit > 1000) return fail('limit must be 1..1000');
    limit = b.limit;
  }
  const end = has('end_time') ? parseTime(b.end_time) : null;
  if (end === undefined) return fail('end_time is not RFC 3339');
  const start = has('start_time') ? parseTime(b.start_time) : (end ?? nowMs) - HOUR_MS;
  if (start === undefined || start === null) return fail('start_time is not RFC 3339');
  if (end !== null && end < start) return fail('end_time before start_time');
  // Older history is gone; the API accepts the request and starts at what it still has.
  const startMs = Math.max(start, nowMs - HISTORY_LIMIT_MS);
  return { ok: true, value: { form: 'reset', limit, startMs, endMs: end } };
}

function parseTime(v: unknown): number | undefined {
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Date.parse rolls Feb 30 over to March; a strict RFC 3339 parser (Go's) refuses it.
  const dayCheck = new Date(Date.UTC(year, month - 1, day));
  if (dayCheck.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(m[0].toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

function fail(reason: string): Parsed {
  return { ok: false, reason };
}
