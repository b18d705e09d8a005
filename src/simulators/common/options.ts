// Options that the simulators with one generated event log (LastPass, Lark, Kiteworks) take
// alike, documented once. Each vendor's options interface extends this and adds its own
// (and its own late-event range, which differs by vendor).

export interface GeneratedLogSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Clock (UTC ms), default Date.now. */
  now?: () => number;
  /** PRNG seed so runs are reproducible; default 1. */
  seed?: number;
  /** Events generated at start over [now - historyMs, now]; default 500. Ignored when `history` is given. */
  initialEvents?: number;
  /** Default 7 days. */
  historyMs?: number;
  /** History as UTC ms ranges with an event count each; replaces initialEvents/historyMs. */
  history?: Array<{ from: number; to: number; count: number }>;
  /** Events added per second by a background feed; default 0 (off). */
  liveEventsPerSecond?: number;
}
