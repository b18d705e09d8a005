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
  // Vendors send this once per event: the exact form is read digit by digit, without
  // allocating; anything else (spaces around it, one-digit fields) goes through the regex.
  if (text.length === 19) {
    const sep = text.charCodeAt(10);
    if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && (sep === 32 || sep === 84) && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
      return wallOf(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2));
    }
  }
  const m = WALL_TIME.exec(text.trim());
  return m ? wallOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : undefined;
}

/** The number written by `length` ASCII digits from `from`; NaN if one is not a digit. */
function digits(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return n;
}

/** Wall ms of the fields, or undefined for an impossible time (Feb 30, 24:00:00, a NaN field). */
function wallOf(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  // The negated comparisons also reject NaN.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function daysInMonth(year: number, month: number): number {
  // Date.UTC reads the years 0-99 as 1900-1999: so does the leap-year rule here.
  const y = year <= 99 ? 1900 + year : year;
  if (month === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
  /** By wall hour: see steadyOffsetAround. */
  private readonly steadyOffsets = new Map<number, number | null>();

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
    return this.hourOffset(Math.floor(utc / HOUR_MS)) ?? this.minuteOffset(utc);
  }

  /** The offset all through a UTC hour, or null when it changes in that hour. */
  private hourOffset(hour: number): number | null {
    let offset = this.hourOffsets.get(hour);
    if (offset === undefined) {
      // No zone changes its offset twice in an hour: equal ends mean one offset all hour.
      const first = this.minuteOffset(hour * HOUR_MS);
      offset = first === this.minuteOffset((hour + 1) * HOUR_MS - MINUTE_MS) ? first : null;
      if (this.hourOffsets.size >= OFFSET_CACHE_LIMIT) this.hourOffsets.clear();
      this.hourOffsets.set(hour, offset);
    }
    return offset;
  }

  /**
   * The offset of every instant within MAX_OFFSET_SPAN_MS of the wall hour holding `wall`,
   * or null when it changes there. Each wall time of such an hour has exactly one instant,
   * `wall - offset`: what instantsOf finds, without its work (toUtc runs once per event).
   */
  private steadyOffsetAround(wall: number): number | null {
    const wallHour = Math.floor(wall / HOUR_MS);
    let offset = this.steadyOffsets.get(wallHour);
    if (offset === undefined) {
      const span = MAX_OFFSET_SPAN_MS / HOUR_MS;
      offset = this.hourOffset(wallHour - span);
      for (let hour = wallHour - span + 1; offset !== null && hour <= wallHour + span; hour++) {
        if (this.hourOffset(hour) !== offset) offset = null;
      }
      if (this.steadyOffsets.size >= OFFSET_CACHE_LIMIT) this.steadyOffsets.clear();
      this.steadyOffsets.set(wallHour, offset);
    }
    return offset;
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
    const steady = this.steadyOffsetAround(wall);
    if (steady !== null) return wall - steady;
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
