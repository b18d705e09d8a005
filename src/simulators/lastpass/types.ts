// Public types of the LastPass Enterprise API simulator.

import type { GeneratedLogSimulatorOptions } from '../common/options.js';

/** One reporting event, exactly the five string fields the API serves, in its key order. */
export interface LastPassEvent {
  Time: string;
  Username: string;
  IP_Address: string;
  Action: string;
  Data: string;
}

/** The vendor's own options; host, port, clock, seed, history and live feed are shared (GeneratedLogSimulatorOptions). */
export interface LastPassSimulatorOptions extends GeneratedLogSimulatorOptions {
  /** The account's company ID (`cid`); default 8771237. */
  companyId?: number;
  /** The provisioning hash (`provhash`); default a seeded 64-hex-char string. */
  provisioningHash?: string;
  /** The account's time zone, in which `Time`, `from` and `to` are read; default America/New_York. */
  timeZone?: string;
  /** Events per response; default 10,000 (the vendor's maximum). */
  pageSize?: number;
  /** Share (0..1) of generated events that get an identical twin (or triplet) in the same second; default 0.03. */
  identicalFraction?: number;
  /** Share (0..1) of live-feed events stamped 5-120 s in the past; default 0.05. */
  lateFraction?: number;
  /** An optional request budget (LastPass publishes none); default false. */
  rateLimit?: { perMinute: number } | false;
}

export type EmptyDataShape = 'object' | 'array' | 'null' | 'absent';

export const EMPTY_DATA_SHAPES: readonly EmptyDataShape[] = ['object', 'array', 'null', 'absent'];

export interface LastPassFaults {
  /** The next n API requests get HTTP 429 (with `Retry-After` when given). */
  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void;
  /** The next n API requests get `status` (default 500) with an HTML error page. */
  serverErrorNext(n: number, status?: number): void;
  /** The next n API requests get HTTP 200 `{"status":"FAIL","error":[message]}`. */
  failNext(n: number, message?: string): void;
  /** The next n API requests get a 200 that is not a usable answer (the variants rotate). */
  malformedNext(n: number): void;
  /** Delays every API response by ms; 0 turns it off. */
  slowResponses(ms: number): void;
  /** Replaces the provisioning hash: the old one gets "Authorization Error" from now on. Returns the new one. */
  revokeCredentials(): string;
  /** Authorization errors as a plain-text body instead of FAIL JSON. */
  authErrorAsText(on: boolean): void;
  /**
   * Error answers (FAIL, Authorization Error, the HTML error pages) quote the request body as
   * received, provisioning hash included, as a misbehaving API or web tier does: clients must not print it.
   */
  quoteRequestInErrors(on: boolean): void;
  /** `next` as a JSON string of digits instead of a number. */
  nextAsString(on: boolean): void;
  /** How a page with no events carries `data`; default 'object' ({}). */
  emptyDataShape(shape: EmptyDataShape): void;
  /** Turns every fault off. A revoked hash stays revoked. */
  reset(): void;
}

export interface LastPassRequestRecord {
  /** Clock time the request arrived (ms). */
  at: number;
  /** `cmd` as sent ('(none)' when the body had none). */
  cmd: string;
  cidType: 'number' | 'string' | 'other';
  from?: string;
  to?: string;
  /** `next` as sent, where it was found. */
  next?: unknown;
  nextPlace?: 'data' | 'top' | 'none';
  /** Events in the answer. */
  pageEvents: number;
  /** The `next` value answered (null when none, or when the answer was not a page). */
  answeredNext: unknown;
  /** What the answer was: ok, fail, auth, rate-limit, server-error, malformed, invalid. */
  outcome: string;
}

export interface LastPassSimulatorStats {
  /** Requests to /enterpriseapi.php, whatever their outcome. */
  requests: number;
  /** Clock time (ms) of each of those requests as received, before faults; the newest 100,000. */
  requestTimes: number[];
  byCmd: Record<string, number>;
  /** The newest 1,000 requests, oldest first. */
  lastRequests: LastPassRequestRecord[];
}

export interface AddEventsOptions {
  /** Stamped 5-120 s before now (or `at`) although it only becomes visible now. */
  late?: boolean;
  /** The instant (UTC ms) the events happen; default now. */
  at?: number;
  /** All n events identical (same five fields, same second). */
  identical?: boolean;
}

export interface LastPassSimulator {
  /** The API base, e.g. http://127.0.0.1:43123; requests go to url + '/enterpriseapi.php'. */
  readonly url: string;
  readonly port: number;
  readonly companyId: number;
  /** The hash accepted right now (changes on revokeCredentials). */
  readonly provisioningHash: string;
  readonly timeZone: string;
  /** Ground truth: every stored event, ascending sort key, as fresh copies. */
  events(): LastPassEvent[];
  /** Adds n generated events now (or at `at`) and returns copies of them. */
  addEvents(n: number, opts?: AddEventsOptions): LastPassEvent[];
  readonly faults: LastPassFaults;
  stats(): LastPassSimulatorStats;
  close(): Promise<void>;
}
