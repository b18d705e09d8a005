// A systemd unit file read into sections of settings (a key may repeat: each assignment is
// kept, in order). Enough for the deployment test; systemd-analyze verify does the real check.

export type Unit = Map<string, Array<{ key: string; value: string }>>;

export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: string | undefined;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = pending + raw.trim();
    pending = '';
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      if (!unit.has(section)) unit.set(section, []);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`cannot read the unit line "${line}"`);
    unit.get(section)!.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return unit;
}

/** Every value assigned to `key` in `section`, in order. */
export function values(unit: Unit, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter((s) => s.key === key).map((s) => s.value);
}

/** The value in force (the last assignment), or undefined. */
export function value(unit: Unit, section: string, key: string): string | undefined {
  return values(unit, section, key).at(-1);
}

/** A systemd time span ("60s", "1min 30s", "90") in seconds. */
export function timeSpanSeconds(text: string): number {
  const units: Record<string, number> = { '': 1, s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600, ms: 0.001, msec: 0.001 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)\s*([a-z]*)/g, (_whole, n: string, unit: string) => {
    const factor = units[unit];
    if (factor === undefined) throw new Error(`unknown time unit "${unit}" in "${text}"`);
    total += Number(n) * factor;
    return '';
  });
  if (rest.trim() !== '') throw new Error(`cannot read the time span "${text}"`);
  return total;
}
