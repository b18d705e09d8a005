// Cursors are opaque to clients: base64url of a small JSON state. The state holds a
// position in ingestion order, so a tailing cursor also gets late events.

import type { OnePasswordEventKind } from './types.js';
import { isEventKind } from './types.js';

export interface CursorState {
  readonly kind: OnePasswordEventKind;
  /** Next position (ingestion order) to serve. */
  readonly pos: number;
  readonly limit: number;
  /** end_time of the ResetCursor (ms), or null for an open stream. */
  readonly endMs: number | null;
  /** When the cursor was issued (ms), for the "expired cursor" fault. */
  readonly issuedMs: number;
  /** Which account issued it: another simulator's cursor is refused. */
  readonly account: string;
}

interface Wire {
  v: 1;
  a: string;
  k: string;
  p: number;
  l: number;
  e: number | null;
  i: number;
}

export function encodeCursor(s: CursorState): string {
  const wire: Wire = { v: 1, a: s.account, k: s.kind, p: s.pos, l: s.limit, e: s.endMs, i: s.issuedMs };
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
}

/** The state in a cursor, or undefined when it is not one of ours. */
export function decodeCursor(text: string): CursorState | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const w = value as Record<string, unknown>;
  const { a, k, p, l, e, i } = w;
  if (w.v !== 1 || typeof a !== 'string' || !isEventKind(k)) return undefined;
  if (!isCount(p) || !isCount(l) || l < 1 || l > 1000 || typeof i !== 'number' || !Number.isFinite(i)) return undefined;
  if (e !== null && (typeof e !== 'number' || !Number.isFinite(e))) return undefined;
  return { kind: k, pos: p, limit: l, endMs: e, issuedMs: i, account: a };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
