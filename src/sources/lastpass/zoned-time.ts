// Wall-clock times of a named time zone ("2024-11-03 01:30:00" in America/New_York), for
// vendors that speak local time without an offset (LastPass). A wall time is held as
// "wall ms": Date.UTC() of its fields, so it sorts and subtracts like a number but is NOT
// an instant. Converting between the two must handle the hour a spring change skips
// (no instant has that wall time) and the hour an autumn change repeats (two instants do).

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** No zone's offset is outside -12h..+14h; a wall time's instants lie within this of it. */
const MAX_OFFSET_SPAN_MS = 15 * 3_600_000;
/** Longest clock change there is (one hour; a few zones use 30 minutes). */
const MAX_CHANGE_MS = 3 * 3_600_000;
const OFFSET_CACHE_LIMIT = 20_000;

/** Parses `YYYY-MM-DD HH:MM:SS` (a `T` separator is accepted too) into wall ms; undefined if invalid. */
export function parseWallTime(text: string): number | undefined {
  // Vendors send this once per event: read the digits directly, the regex is the fallback.
  const fields = text.length === 19 ? readFixedFields(text) : undefined;
  const m = fields ? undefined : WALL_TIME.exec(text.trim());
  const [year, month, day, hour, minute, second] = fields ?? (m ? (m.slice(1).map(Number) as WallFields) : []);
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls impossible dates over (Feb 30 -> Mar 1): reject them.
  return day <= 28 || new Date(wall).getUTCDate() === day ? wall : undefined;
}

type WallFields = [number, number, number, number, number, number];

/** The six numbers of an exact `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DDTHH:MM:SS`, or undefined. */
function readFixedFields(text: string): WallFields | undefined {
  const sep = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const num = (from: number, length: number): number => {
    let n = 0;
    for (let i = from; i < from + length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number.NaN;
      n = n * 10 + digit;
    }
    return n;
  };
  const fields: WallFields = [num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)];
  return fields.some(Number.isNaN) ? undefined : fields;
}

/** `YYYY-MM-DD HH:MM:SS` of a wall ms (sub-seconds dropped). */
export function formatWallTime(wall: number): string {
  return new Date(Math.floor(wall / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The IANA zone names this Node knows; undefined when `name` is one, else why not. */
export function timeZoneProblem(name: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return undefined;
  } catch {
    return `"${name}" is not a time zone this system knows (use an IANA name such as America/New_York or Europe/Madrid)`;
  }
}

export class WallClockZone {
  private readonly format: Intl.DateTimeFormat;
  /** Offset (ms) by UTC minute: offsets only change on whole minutes. */
  private readonly offsets = new Map<number, number>();
  /** Offset (ms) by UTC hour, or null for an hour in which it changes. */
  private readonly hourOffsets = new Map<number, number | null>();

  constructor(readonly name: string) {
    const problem = timeZoneProblem(name);
    if (problem) throw new RangeError(problem);
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** The zone's offset at an instant, in ms (wall - utc): -4h for New York in summer. */
  offsetAt(utc: number): number {
    const hour = Math.floor(utc / HOUR_MS);
    let offset = this.hourOffsets.get(hour);
    if (offset === undefined) {
      // No zone changes its offset twice in an hour: equal ends mean one offset all hour.
      const first = this.minuteOffset(hour * HOUR_MS);
      offset = first === this.minuteOffset((hour + 1) * HOUR_MS - MINUTE_MS) ? first : null;
      if (this.hourOffsets.size >= OFFSET_CACHE_LIMIT) this.hourOffsets.clear();
      this.hourOffsets.set(hour, offset);
    }
    return offset ?? this.minuteOffset(utc);
  }

  /** The offset of the minute holding `utc`, asked of Intl (offsets only change on whole minutes). */
  private minuteOffset(utc: number): number {
    const minute = Math.floor(utc / MINUTE_MS);
    const cached = this.offsets.get(minute);
    if (cached !== undefined) return cached;
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(minute * MINUTE_MS))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const wall = Date.UTC(parts['year'] ?? 0, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0);
    const offset = wall - minute * MINUTE_MS;
    if (this.offsets.size >= OFFSET_CACHE_LIMIT) this.offsets.clear();
    this.offsets.set(minute, offset);
    return offset;
  }

  /** The wall time an instant shows in this zone. */
  toWall(utc: number): number {
    return utc + this.offsetAt(utc);
  }

  /** The instants showing this wall time, ascending: none in a skipped hour, two in a repeated one. */
  instantsOf(wall: number): number[] {
    const candidates = new Set([this.offsetAt(wall - MAX_OFFSET_SPAN_MS), this.offsetAt(wall + MAX_OFFSET_SPAN_MS), this.offsetAt(wall)]);
    const out: number[] = [];
    for (const offset of candidates) {
      const utc = wall - offset;
      if (this.toWall(utc) === wall) out.push(utc);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The instant a wall time names. In a repeated hour, `prefer` picks the first or second
   * occurrence; in a skipped hour, the instant the clock jumped (the first one whose wall
   * time is later). Monotone in `wall` for either preference.
   */
  toUtc(wall: number, prefer: 'earlier' | 'later' = 'earlier'): number {
    const instants = this.instantsOf(wall);
    if (instants.length > 0) return prefer === 'earlier' ? instants[0]! : instants[instants.length - 1]!;
    const before = wall - this.offsetAt(wall - MAX_OFFSET_SPAN_MS);
    const after = wall - this.offsetAt(wall + MAX_OFFSET_SPAN_MS);
    return this.changeBetween(Math.min(before, after), Math.max(before, after));
  }

  /**
   * The newest wall time (whole seconds) whose every instant is at or before `utc`. Usually
   * the wall time of `utc`; shortly before and during an autumn change it is held just
   * before the repeated hour until that hour has fully passed, because events stamped
   * "01:30" may still come from its second occurrence.
   */
  settledWall(utc: number): number {
    const wall = Math.floor(this.toWall(utc) / 1000) * 1000;
    const later = utc + MAX_CHANGE_MS;
    if (this.offsetAt(later) >= this.offsetAt(utc)) return wall;
    // The clock goes back within the next hours: the repeated span starts at the change's wall time.
    const change = this.changeBetween(utc, later);
    const repeatedFrom = change + this.offsetAt(change);
    return Math.min(wall, repeatedFrom - 1000);
  }

  /** The first instant (whole minute) in (lo, hi] with hi's offset, by bisection. */
  private changeBetween(lo: number, hi: number): number {
    const target = this.offsetAt(hi);
    let a = Math.floor(lo / MINUTE_MS);
    let b = Math.ceil(hi / MINUTE_MS);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.offsetAt(mid * MINUTE_MS) === target) b = mid;
      else a = mid;
    }
    return b * MINUTE_MS;
  }
}
