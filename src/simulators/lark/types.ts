// Public types of the Lark (Larksuite/Feishu) admin audit log simulator.

import type { GeneratedLogSimulatorOptions } from '../common/options.js';

/** One AuditInfo item as served (parsed JSON). Loosely typed on purpose: clients must parse it loosely too. */
export type LarkAuditItem = Record<string, unknown>;

/** The vendor's own options; host, port, clock, seed, history and live feed are shared (GeneratedLogSimulatorOptions). */
export interface LarkSimulatorOptions extends GeneratedLogSimulatorOptions {
  /** The self-built app's ID; default cli_a5f3e1b2c4d6e8f0. */
  appId?: string;
  /** The app secret; default a seeded 32-character string. */
  appSecret?: string;
  /** Share (0..1) of live-feed events stamped 5-600 s in the past; default 0.05. */
  lateFraction?: number;
  /** Lifetime of a new tenant_access_token; default 7200 (the vendor's). */
  tokenLifetimeSeconds?: number;
  /** The token endpoint hands back the newest token while it has at least this long left; default 1800. */
  renewWithinSeconds?: number;
  /** How far back `oldest` may reach; default 180 days. */
  retentionDays?: number;
  /** Per-app budget of audit_infos requests in any 60 s; default { perMinute: 100 }; false turns it off. */
  rateLimit?: { perMinute: number } | false;
}

export type InvalidTokenStatus = 401 | 400 | 200;

export interface LarkRateLimitFault {
  /** HTTP status of the injected answer: 429 (default) or 400 as older Lark APIs do; the body code is 99991400 either way. */
  status?: 429 | 400;
  /** The x-ogw-ratelimit-reset header value (whole seconds, >= 0); default 1. */
  resetSeconds?: number;
}

export interface LarkFaults {
  /** The next n audit_infos requests (with a good token) get the rate-limit answer. */
  rateLimitNext(n: number, opts?: LarkRateLimitFault): void;
  /** The next n audit_infos requests get `status` (default 500): 1050002 DB error for 500, 1050008 RPC error otherwise. */
  serverErrorNext(n: number, status?: number): void;
  /** The next n audit_infos requests get an HTTP 200 a client cannot use (the variants rotate). */
  malformedNext(n: number): void;
  /** Delays every API response (token endpoint and audit_infos) by ms; 0 turns it off. */
  slowResponses(ms: number): void;
  /** Every token issued so far stops working now (99991663); new ones can be requested. */
  expireTokensNow(): void;
  /** One token stops working; returns whether it was known. */
  revokeToken(token: string): boolean;
  /** The app loses (true) or regains (false) the scope admin:audit_info:readonly. */
  revokeScope(on: boolean): void;
  /** A new app secret (returned): the old one gets 10014 and every existing token stops working. */
  rotateSecret(): string;
  /** The next n token requests get `status` (default 500) with {"code":2200,"msg":"internal error"}. */
  tokenEndpointErrorNext(n: number, status?: number): void;
  /** HTTP status of 99991663 answers: 401 (default), 400 or 200. */
  invalidTokenStatus(status: InvalidTokenStatus): void;
  /** Turns every fault off. Rotated secrets and expired or revoked tokens stay so. */
  reset(): void;
}

export interface LarkRequestRecord {
  /** Clock time the request arrived (ms). */
  at: number;
  path: string;
  /** The query parameters as received (decoded once). */
  query: Record<string, string>;
  status: number;
  /** The body's `code` (0 on success; -1 when the answer had none, e.g. a malformed one). */
  code: number;
  items: number;
  hasMore: boolean;
  /** Last 6 characters of the token presented (audit_infos) or handed out (token endpoint). */
  tokenSuffix?: string;
}

export interface LarkSimulatorStats {
  /** audit_infos requests, whatever their outcome. */
  requests: number;
  /** Clock time (ms) of each audit_infos request as received; the newest 100,000. */
  requestTimes: number[];
  /** Requests to the token endpoint. */
  tokenRequests: number;
  /** New tokens minted (a reused token does not count). */
  tokensIssued: number;
  /** The newest 1,000 API requests (both endpoints), oldest first. */
  lastRequests: LarkRequestRecord[];
}

export interface LarkAddEventsOptions {
  /** Stamped 5-600 s before now (or `at`), although visible only from now on. */
  late?: boolean;
  /** The instant (UTC ms) the events happen; default now. */
  at?: number;
}

export interface LarkSimulator {
  /** The API base, e.g. http://127.0.0.1:43123. */
  readonly url: string;
  readonly port: number;
  readonly appId: string;
  /** The secret accepted right now (changes on rotateSecret). */
  readonly appSecret: string;
  /** Ground truth: every stored item (operator_value as open_id), ascending event_time then insertion order, fresh copies. */
  events(): LarkAuditItem[];
  /** Adds n generated events now (or at `at`) and returns copies of them. */
  addEvents(n: number, opts?: LarkAddEventsOptions): LarkAuditItem[];
  readonly faults: LarkFaults;
  stats(): LarkSimulatorStats;
  close(): Promise<void>;
}
