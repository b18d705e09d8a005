// What the OAuth imitations share: reading a JWT part as a JSON object, and remembering
// one-time values (authorization codes, assertion `jti`s) until they expire, to refuse a replay.

/** A JSON object, or undefined for anything else (not JSON, an array, a scalar). */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Past this many remembered values, the expired ones are swept out (bounded memory). */
const SWEEP_AT = 10_000;

/** Records a one-time value until `forgetAt`; false when it was already there. */
export function remember(used: Map<string, number>, key: string, forgetAt: number, now: number): boolean {
  if (used.has(key)) return false;
  if (used.size >= SWEEP_AT) for (const [k, t] of used) if (t < now) used.delete(k);
  used.set(key, forgetAt);
  return true;
}
