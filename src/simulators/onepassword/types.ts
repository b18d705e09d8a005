// Public types of the 1Password Events API simulator.

export const EVENT_KINDS = ['auditevents', 'itemusages', 'signinattempts'] as const;
export type OnePasswordEventKind = (typeof EVENT_KINDS)[number];
export type OnePasswordFeature = OnePasswordEventKind;
export type ApiVersion = 'v1' | 'v2';

export function isEventKind(value: unknown): value is OnePasswordEventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}

export interface SimulatorToken {
  token: string;
  features: OnePasswordFeature[];
}

export interface OnePasswordSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Tokens the server accepts, with the features each has. Default: one JWT-shaped token with all three features. */
  tokens?: SimulatorToken[];
  /** How many historical events per kind to generate at start; default { auditevents: 300, itemusages: 1000, signinattempts: 300 }. */
  initialEvents?: Partial<Record<OnePasswordEventKind, number>>;
  /**
   * A kind's history of up to this many events is made at start and kept (default 1,000,000);
   * a longer one is made block by block as it is served, holding nothing per event (a soak
   * of ten million). Either way, the same seed serves the same events.
   */
  keepHistoryUpTo?: number;
  /** Span of history for the initial events, ending now (ms). Default 7 days. */
  historyMs?: number;
  /** New events appended per second per kind while running (demo liveliness); default 0. */
  liveEventsPerSecond?: number;
  /** Fraction (0..1) of live events that arrive "late": timestamp up to 2 minutes in the past. Default 0.05. */
  lateFraction?: number;
  /** Rate limits (the published ones: 600/min and 30,000/h per account). `false` disables. Default enabled. */
  rateLimit?: { perMinute: number; perHour: number } | false;
  /** PRNG seed so runs are reproducible; default 1. */
  seed?: number;
  /** Clock, default Date.now. */
  now?: () => number;
}

/** Error bodies: {"Error":{"Message"}}, {"status","message"}, or plain text (as a proxy in front of the API answers). */
export type ErrorShape = 'Error' | 'message' | 'text';

export interface FaultControls {
  /** The next n API requests get 429 (with `Retry-After` when given). */
  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void;
  /** The next n API requests get `status` (default 500). */
  serverErrorNext(n: number, status?: number): void;
  /** The next n API requests get 200 with a body that is not valid JSON. */
  /** The next n API answers are 200 with a body that is not a page; `eventsOnly` spares introspect. */
  malformedNext(n: number, opts?: { eventsOnly?: boolean }): void;
  /** Delays every API response by ms; 0 turns it off. */
  slowResponses(ms: number): void;
  /** Requests with this token get 401 from now on. */
  revokeToken(token: string): void;
  /** Quirk: a page that takes the last item says has_more=true; the next page is empty with has_more=false. */
  emptyPageAfterHasMore(on: boolean): void;
  /** Cursors issued before `time` (ms since the epoch) are refused with 400, like an expired cursor. */
  rejectCursorsIssuedBefore(time: number): void;
  /** Fault: every Cursor request is answered has_more=true, no items and the very cursor it sent (a vendor that never moves on). */
  hasMoreWithoutProgress(on: boolean): void;
  /** Error body shape: `{"Error":{"Message":..}}` (default) or `{"status":..,"message":..}`. */
  errorShape(shape: ErrorShape): void;
  /** A refused token is quoted back in the 401's message, as some APIs and proxies do: clients must not print it. */
  quoteTokenInRefusals(on: boolean): void;
  /** Turns every fault off and un-revokes tokens. */
  reset(): void;
}

export interface SimulatorStats {
  /** API requests received (paths under /api/), whatever their outcome. */
  requests: number;
  byPath: Record<string, number>;
  /** Responses by status code. */
  status: Record<string, number>;
  /** Clock time (ms) of every API request received, oldest first; the newest 100,000 are kept. */
  requestTimes: number[];
  /** Items served per kind. */
  served: Record<OnePasswordEventKind, number>;
}

export interface AddEventsOptions {
  /** Timestamp up to 2 minutes before now, appended now (1Password's eventual consistency). */
  late?: boolean;
  /** Timestamp at this time (ms since the epoch; a vendor's absurd stamp such as 9999-12-31), appended now. Overrides `late`. */
  at?: number;
  /** Adds a field "details" nested this many objects deep (a vendor event JSON.parse reads but JSON.stringify cannot write). */
  nestDepth?: number;
}

export interface OnePasswordSimulator {
  /** e.g. http://127.0.0.1:43123 */
  readonly url: string;
  readonly port: number;
  /** Accepted tokens (first = default), as configured; revoking one does not remove it here. */
  readonly tokens: string[];
  /** The account every token belongs to (v2 `account_uuid`). */
  readonly accountUuid: string;
  /**
   * Ground truth: every event of a kind in the order served (ingestion order), as the objects
   * served by the v2 endpoints (default) or the v1 endpoints (without account_uuid and v2 fields).
   */
  events(kind: OnePasswordEventKind, version?: ApiVersion): readonly Record<string, unknown>[];
  /** Which event of the kind (0-based, ingestion order) carries `uuid` (undefined: it cannot be one of the kind's): to check a delivery without holding every uuid. */
  eventNumber(kind: OnePasswordEventKind, uuid: string): number | undefined;
  /** Appends n generated events now (optionally late) and returns them (v2 form). */
  addEvents(kind: OnePasswordEventKind, n: number, opts?: AddEventsOptions): Record<string, unknown>[];
  readonly faults: FaultControls;
  stats(): SimulatorStats;
  close(): Promise<void>;
}
