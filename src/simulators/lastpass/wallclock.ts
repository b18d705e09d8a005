// Fast paths over sources/lastpass/zoned-time for bulk generation (200,000 events at start): the zone's
// offset looked up once per UTC hour instead of per minute through Intl, and Time text
// built from a per-day prefix. Results are identical to WallClockZone.toWall and
// formatWallTime; only the cost differs.

import type { WallClockZone } from '../../sources/lastpass/zoned-time.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_S = 86_400;
const CACHE_LIMIT = 50_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

export class FastWallClock {
  /** Offset by UTC hour, or null when the offset changes within that hour (then ask the zone). */
  private readonly hourly = new Map<number, number | null>();
  private readonly dayPrefix = new Map<number, string>();

  constructor(private readonly zone: WallClockZone) {}

  /** Same as zone.toWall(utc). */
  toWall(utc: number): number {
    const hour = Math.floor(utc / HOUR_MS);
    let offset = this.hourly.get(hour);
    if (offset === undefined) {
      // No zone changes its offset twice within an hour, so equal ends mean a constant hour.
      const first = this.zone.offsetAt(hour * HOUR_MS);
      const last = this.zone.offsetAt(hour * HOUR_MS + HOUR_MS - MINUTE_MS);
      offset = first === last ? first : null;
      if (this.hourly.size >= CACHE_LIMIT) this.hourly.clear();
      this.hourly.set(hour, offset);
    }
    return offset === null ? this.zone.toWall(utc) : utc + offset;
  }

  /** `YYYY-MM-DD HH:MM:SS` of a wall second (wall ms / 1000); same as formatWallTime(second * 1000). */
  format(wallSecond: number): string {
    const day = Math.floor(wallSecond / DAY_S);
    let prefix = this.dayPrefix.get(day);
    if (prefix === undefined) {
      prefix = `${new Date(day * DAY_S * 1000).toISOString().slice(0, 10)} `;
      if (this.dayPrefix.size >= CACHE_LIMIT) this.dayPrefix.clear();
      this.dayPrefix.set(day, prefix);
    }
    const s = wallSecond - day * DAY_S;
    return `${prefix}${PAD2[Math.floor(s / 3600)]}:${PAD2[Math.floor(s / 60) % 60]}:${PAD2[s % 60]}`;
  }
}
