// Reads a reporting request body the way the real endpoint seems to: credentials at the
// top level, from/to in `data`, and `user`/`next` accepted in `data` or at the top level
// (collectors disagree on where they go). Times are wall clock in the account's zone;
// ISO 8601 with an offset is accepted too (Sentinel sends "…T…Z") and converted.

import { parseWallTime, type WallClockZone } from '../../sources/lastpass/zoned-time.js';

export type Json = Record<string, unknown>;

/** What the stats record about a request, whatever came of it. */
export interface RequestShape {
  readonly cmd: string;
  readonly cidType: 'number' | 'string' | 'other';
  readonly from?: string;
  readonly to?: string;
  readonly next?: unknown;
  readonly nextPlace: 'data' | 'top' | 'none';
}

export interface ReportingQuery {
  /** Whole wall seconds (wall ms / 1000), both inclusive. */
  readonly fromSecond: number;
  readonly toSecond: number;
  /** Lower-cased username, or undefined for all users. */
  readonly user: string | undefined;
  readonly adminOnly: boolean;
  /** Lower-cased search text, or undefined. */
  readonly search: string | undefined;
  /** Keep keys <= next, when paging. */
  readonly next: number | undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ISO_WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/** The body as a JSON object, or undefined when it is not one. */
export function parseBody(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function dataOf(body: Json): Json {
  const data = body.data;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Json) : {};
}

/** `data.x` if present (not null), else the top-level `x`. */
function either(body: Json, key: string): { value: unknown; place: 'data' | 'top' | 'none' } {
  const data = dataOf(body);
  if (data[key] !== undefined && data[key] !== null) return { value: data[key], place: 'data' };
  if (body[key] !== undefined && body[key] !== null) return { value: body[key], place: 'top' };
  return { value: undefined, place: 'none' };
}

export function describeRequest(body: Json | undefined): RequestShape {
  if (!body) return { cmd: '(none)', cidType: 'other', nextPlace: 'none' };
  const data = dataOf(body);
  const next = either(body, 'next');
  return {
    cmd: typeof body.cmd === 'string' ? body.cmd : '(none)',
    cidType: typeof body.cid === 'number' ? 'number' : typeof body.cid === 'string' ? 'string' : 'other',
    ...(typeof data.from === 'string' ? { from: data.from } : {}),
    ...(typeof data.to === 'string' ? { to: data.to } : {}),
    ...(next.place === 'none' ? {} : { next: next.value }),
    nextPlace: next.place,
  };
}

/** The wall second a from/to value names, or undefined when it is not a date we read. */
function parseBound(value: unknown, zone: WallClockZone): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const iso = ISO_WITH_OFFSET.exec(text);
  if (iso) {
    const wallOfFields = parseWallTime(`${iso[1]} ${iso[2]}`);
    if (wallOfFields === undefined) return undefined;
    const instant = wallOfFields - offsetMs(iso[3] ?? 'Z');
    return Math.floor(zone.toWall(instant) / 1000);
  }
  const wall = parseWallTime(text);
  return wall === undefined ? undefined : Math.floor(wall / 1000);
}

function offsetMs(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return (text.startsWith('-') ? -minutes : minutes) * 60_000;
}

export function parseReporting(body: Json, zone: WallClockZone): Parsed<ReportingQuery> {
  const data = dataOf(body);
  const fromSecond = parseBound(data.from, zone);
  const toSecond = parseBound(data.to, zone);
  if (fromSecond === undefined || toSecond === undefined) return { ok: false, error: 'Invalid date' };

  const nextValue = either(body, 'next').value;
  let next: number | undefined;
  if (nextValue !== undefined) {
    if (typeof nextValue === 'number' && Number.isFinite(nextValue)) next = nextValue;
    else if (typeof nextValue === 'string' && NUMERIC.test(nextValue)) next = Number(nextValue);
    else return { ok: false, error: 'Invalid next' };
  }

  const userValue = either(body, 'user').value;
  const user = typeof userValue === 'string' && userValue.trim() !== '' && userValue.trim().toLowerCase() !== 'allusers' ? userValue.trim().toLowerCase() : undefined;
  const admin = data.admin ?? body.admin;
  const adminOnly = admin === '1' || admin === 1 || admin === true;
  const searchValue = data.search ?? body.search;
  const search = typeof searchValue === 'string' && searchValue !== '' ? searchValue.toLowerCase() : undefined;
  return { ok: true, value: { fromSecond, toSecond, user, adminOnly, search, next } };
}
