// Public types of the Okta System Log simulator.

import type { GeneratedLogSimulatorOptions } from '../common/options.js';

/** One LogEvent as served (parsed JSON). Loosely typed on purpose: clients must parse it loosely too. */
export type OktaLogEvent = Record<string, unknown>;

/** The OAuth 2.0 service app ("API Services" app) registered for the collector. */
export interface OktaServiceAppConfig {
  /** Default: a seeded `0oa…` id. */
  clientId?: string;
  /**
   * The app's registered public key (SPKI PEM, RSA or EC). Default: an EC P-256 key pair made
   * at start, whose private half is `privateKeyPem` of the running simulator.
   */
  publicKeyPem?: string;
  /** The key's `kid` in the app's JWKS; a client assertion that names another kid is refused. Default: a seeded id. */
  keyId?: string;
  /** Okta scopes granted to the app (Okta API Scopes tab); default ['okta.logs.read']. */
  grantedScopes?: string[];
}

/** The vendor's own options; host, port, clock, seed, history and live feed are shared (GeneratedLogSimulatorOptions). */
export interface OktaSimulatorOptions extends GeneratedLogSimulatorOptions {
  /** SSWS API tokens accepted; default: one seeded token. */
  apiTokens?: string[];
  /** The service app; default: a seeded app with a fresh key pair. */
  serviceApp?: OktaServiceAppConfig;
  /** Access token lifetime (`expires_in`); default 3600, as Okta's. */
  tokenLifetimeSeconds?: number;
  /** Share (0..1) of live-feed events that are late (published before they become visible); default 0.05. */
  lateFraction?: number;
  /**
   * The org's /api/v1/logs budget: `limit` requests per fixed window of `windowMs` (a whole
   * number of seconds, aligned to the epoch). Default { limit: 50, windowMs: 60_000 } (an
   * Enterprise org); false turns it off (the bench).
   */
  rateLimit?: { limit: number; windowMs?: number } | false;
  /** Days of history the org keeps (older events are not served); default 90. */
  retentionDays?: number;
}

export interface OktaFaults {
  /** The next n log requests get 429 E0000047 with X-Rate-Limit-Remaining 0 and a reset `retryAfterSeconds` ahead (default 1). */
  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void;
  /** The next n log requests get `status` (default 500) with an Okta error body. */
  serverErrorNext(n: number, status?: number): void;
  /** The next n log requests that would succeed get an HTTP 200 a client cannot use (the variants rotate). */
  malformedNext(n: number): void;
  /** Every API response (token endpoint and logs) waits ms first; 0 turns it off. */
  slowResponses(ms: number): void;
  /** The next n log requests that carry `after` are refused with 400 E0000001 (a cursor Okta no longer accepts). */
  badCursorNext(n: number): void;
  /** Next links point to this origin instead of the simulator's (null: the simulator's own). */
  nextLinkOrigin(origin: string | null): void;
  /** Log requests with a valid credential get 403 E0000006 (the token's admin, or the app, lost the right). */
  denyLogsRead(on: boolean): void;
  /** Every SSWS token stops working (401 E0000011). */
  revokeApiTokens(): void;
  /** Every access token issued so far stops working (401 E0000011). */
  expireAccessTokensNow(): void;
  /** The app's registered key is replaced: assertions signed with the old private key get invalid_client. Returns the new private key (PEM). */
  rotateServiceAppKey(): string;
  /** Turns every fault and switch back off. Revoked tokens and rotated keys stay so. */
  reset(): void;
}

export interface OktaRequestRecord {
  /** Clock time the request arrived (ms). */
  at: number;
  path: string;
  /** Query parameters as received (the token endpoint's form is not kept: it holds the assertion). */
  query: Record<string, string>;
  status: number;
  /** Events served (0 for anything but a page). */
  items: number;
  /** `ok`, an Okta error code (`E0000011`…), an OAuth error (`invalid_client`…) or `malformed`. */
  code: string;
  /** How the log request authenticated. */
  auth?: 'SSWS' | 'Bearer' | 'none';
  /** Why it was refused, when the simulator knows more than the answer says. */
  detail?: string;
}

export interface OktaSimulatorStats {
  /** /api/v1/logs requests, whatever their outcome. */
  requests: number;
  /** Clock time (ms) of each log request as received; the newest 100,000. */
  requestTimes: number[];
  /** Log requests refused because the org's window was used up (not the injected ones). */
  rateLimitRefusals: number;
  /** Requests to the token endpoint. */
  tokenRequests: number;
  /** Access tokens issued. */
  tokensIssued: number;
  /** The newest 1,000 API requests (both endpoints), oldest first. */
  lastRequests: OktaRequestRecord[];
}

export interface OktaAddEventsOptions {
  /** Published 5-120 s before they become visible (Okta's persistence delay). */
  late?: boolean;
  /** When the events are published (UTC ms); default now. They become visible now, or at `at` when that is later. */
  at?: number;
}

export interface OktaSimulator {
  /** The org's URL, e.g. http://127.0.0.1:43123 (what `okta_url` names). */
  readonly url: string;
  readonly port: number;
  /** The SSWS tokens accepted. */
  readonly apiTokens: readonly string[];
  /** The service app's client id, key id and granted scopes. */
  readonly serviceApp: { readonly clientId: string; readonly keyId: string; readonly grantedScopes: readonly string[] };
  /** The private key (PKCS#8 PEM) matching the app's registered key, when the simulator made the pair. */
  readonly privateKeyPem: string | undefined;
  /** Ground truth: every visible event within retention, in the order polling serves them (persistence time, then insertion), fresh copies. */
  events(): OktaLogEvent[];
  /** Adds n generated events and returns copies of them. */
  addEvents(n: number, opts?: OktaAddEventsOptions): OktaLogEvent[];
  readonly faults: OktaFaults;
  stats(): OktaSimulatorStats;
  close(): Promise<void>;
}
