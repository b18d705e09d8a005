// Time helpers. Internally every time is UTC milliseconds since the epoch.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DEVO_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses a start-time setting: RFC 3339 (`2024-05-01T00:00:00Z`, any offset) or
 * `YYYY-MM-DD HH:MM:SS`, which the Devo collectors read as UTC. Returns undefined when
 * the text is neither, or names an impossible date (2024-02-30).
 */
export function parseStartTime(text: string): number | undefined {
  const trimmed = text.trim();
  const m = RFC3339.exec(trimmed) ?? DEVO_UTC.exec(trimmed);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map((v) => v ?? '');
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Reject dates that Date.UTC silently rolls over (Feb 30 -> Mar 1).
  if (new Date(asUtc).getUTCDate() !== day) return undefined;
  const iso = trimmed.includes(' ') ? `${trimmed.replace(' ', 'T')}Z` : trimmed;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parses an RFC 3339 timestamp from a vendor (any number of fractional digits). */
export function parseVendorTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `2024-05-01T00:00:00Z` (seconds precision, as vendors expect in start_time). */
export function toRfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const systemClock = {
  now: (): number => Date.now(),
  sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
