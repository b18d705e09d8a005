// Durations and moments in the words an operator reads at a glance: "3 s", "2 h 5 min",
// "12 min ago". `siphon status` prints them; the status page (status-page.ts) has the same
// rules in its own script, since it runs in the browser.

/** "0 s", "59 s", "2 min 5 s", "2 h 5 min", "3 d 4 h": the two largest units, no more. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** "12 s ago", "in 5 s", "just now"; undefined for a text that is not a time. */
export function humanSince(iso: string, nowMs: number): string | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const seconds = (nowMs - at) / 1000;
  if (Math.abs(seconds) < 1) return 'just now';
  return seconds > 0 ? `${humanDuration(seconds)} ago` : `in ${humanDuration(-seconds)}`;
}
