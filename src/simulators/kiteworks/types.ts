// Public types of the Kiteworks admin activities simulator.

import type { GeneratedLogSimulatorOptions } from '../common/options.js';

/** One activity as served (parsed JSON), in either shape. Loosely typed on purpose: clients must parse it loosely too. */
export type KiteworksActivity = Record<string, unknown>;

/** `events`: the envelope and camelCase fields real appliances send (kitebroker); `data`: the OpenAPI v28 spec's. */
export type ResponseShape = 'events' | 'data';
export const RESPONSE_SHAPES: readonly ResponseShape[] = ['events', 'data'];

/** How `created` carries its UTC offset. */
export type CreatedOffsetStyle = '+0000' | '+00:00';
export const CREATED_OFFSET_STYLES: readonly CreatedOffsetStyle[] = ['+0000', '+00:00'];

/** The custom application registered for the collector, and the admins it may act as. */
export interface KiteworksClientConfig {
  clientId: string;
  clientSecret: string;
  /** Must come back exactly in the signature flow (and in the JWT flow when sent). */
  redirectUri: string;
  /** Space-separated Kiteworks scopes the app was registered with; default `GET/admin/* GET/users/*`. */
  scope?: string;
  /** Enables the signature flow (authorization_code with a computed code); an empty string turns it off. Default: a seeded key. */
  signatureKey?: string;
  /** Enables the JWT assertion flow (RS256/RS512, verified with this SPKI PEM public key). Default: off. */
  jwtPublicKeyPem?: string;
  /** Whether grants carry a refresh_token and the refresh_token grant is allowed; default true. */
  allowRefresh?: boolean;
  /** Admin e-mail addresses the app may act as (code `user_email`, JWT `sub`); case-insensitive. */
  users?: string[];
}

/** The vendor's own options; host, port, clock, seed, history and live feed are shared (GeneratedLogSimulatorOptions). */
export interface KiteworksSimulatorOptions extends GeneratedLogSimulatorOptions {
  /** Clock (UTC ms), default Date.now. Token lifetimes, code/JWT times and the rate limit follow it. */
  now?: () => number;
  /** Overrides of the default client (see KiteworksClientConfig). */
  client?: Partial<KiteworksClientConfig>;
  /** Share (0..1) of live-feed events stamped 5-300 s in the past; default 0.05. */
  lateFraction?: number;
  /** Access token lifetime (`expires_in`); default 3600. */
  tokenLifetimeSeconds?: number;
  /** The envelope served until a fault switches it; default `events`. */
  responseShape?: ResponseShape;
  /** Requests per second (token endpoint and activities together, like the vendor's per-IP limit); default { perSecond: 30 }; false turns it off. */
  rateLimit?: { perSecond: number } | false;
  /** Widest startDateTime..endDateTime window accepted (422 beyond); default unlimited. */
  maxRangeDays?: number;
  /** PEM key and certificate: the simulator speaks HTTPS. */
  tls?: { key: string; cert: string };
}

export interface KiteworksFaults {
  /** The next n activities requests get 403 ERR_REQUEST_LIMIT (the vendor's rate-limit status); `retryAfterSeconds` adds a Retry-After header (the vendor is not known to send one). */
  rateLimitNext(n: number, opts?: { retryAfterSeconds?: number }): void;
  /** The next n activities requests get `status` (default 500): JSON ERR_INTERNAL_SERVER_ERROR for 500, a proxy's HTML page otherwise. */
  serverErrorNext(n: number, status?: number): void;
  /** The next n activities requests that would succeed get an HTTP 200 a client cannot use (the variants rotate). */
  malformedNext(n: number): void;
  /** Delays every API response (token endpoint and activities) by ms; 0 turns it off. */
  slowResponses(ms: number): void;
  /** The next n activities requests get 490 ERR_WAF (the appliance's web application firewall). */
  wafBlockNext(n: number): void;
  /** Every access token issued so far stops working (401); refresh tokens stay valid. */
  expireAccessTokensNow(): void;
  /** One access token stops working; returns whether it was known. */
  revokeAccessToken(token: string): boolean;
  /** Every refresh token issued so far stops working (invalid_grant). */
  revokeRefreshTokens(): void;
  /** The envelope and field names served from now on. */
  responseShape(shape: ResponseShape): void;
  /** `expires_in` as a JSON string ("3600") instead of a number. */
  expiresInAsString(on: boolean): void;
  /** `created` as `…+0000` (default) or `…+00:00`. */
  createdOffsetStyle(style: CreatedOffsetStyle): void;
  /** Every activities request with a good token gets 403 ERR_ACCESS_USER (the admin lost "Activity Log"). */
  denyActivityLog(on: boolean): void;
  /** A new client secret (returned); the old one gets invalid_client. Issued tokens stay valid. */
  rotateClientSecret(): string;
  /** Turns every fault and switch back to the start options. Rotated secrets and revoked or expired tokens stay so. */
  reset(): void;
}

export interface KiteworksRequestRecord {
  /** Clock time the request arrived (ms). */
  at: number;
  path: string;
  /** The query parameters as received (names and values decoded once); the token endpoint's form body is not kept. */
  query: Record<string, string>;
  status: number;
  /** Activities served (0 for anything but a page). */
  items: number;
  /** What the answer was: `ok`, an OAuth error (`invalid_grant`…) or an `ERR_…` code, `malformed`. */
  code: string;
  /** Why a request was refused, when the simulator knows more than the answer says (the OAuth error_description, the 422's reason). */
  detail?: string;
  /** Last 6 characters of the access token presented (activities) or issued (token endpoint). */
  tokenSuffix?: string;
}

export interface KiteworksSimulatorStats {
  /** Activities requests, whatever their outcome. */
  requests: number;
  /** Clock time (ms) of each activities request as received; the newest 100,000. */
  requestTimes: number[];
  /** Requests to the token endpoint. */
  tokenRequests: number;
  /** Access tokens issued. */
  tokensIssued: number;
  /** Successful grants by grant_type (`authorization_code`, `urn:ietf:params:oauth:grant-type:jwt-bearer`, `refresh_token`). */
  grants: Record<string, number>;
  /** Distinct X-Accellion-Version values seen on activities requests, first seen first. */
  versionHeaders: string[];
  /** Activities requests without X-Accellion-Version (they are served all the same). */
  versionMissing: number;
  /** The newest 1,000 API requests (both endpoints), oldest first. */
  lastRequests: KiteworksRequestRecord[];
}

export interface KiteworksAddEventsOptions {
  /** Stamped 5-300 s before now (or `at`), although visible only from now on. */
  late?: boolean;
  /** The instant (UTC ms) the events happen; default now. */
  at?: number;
}

export interface KiteworksSimulator {
  /** The base URL, e.g. https://127.0.0.1:43123 (https with `tls`). */
  readonly url: string;
  readonly port: number;
  /** The registered client as it is now (the current secret after a rotation), defaults filled in. */
  readonly client: KiteworksClientConfig;
  /**
   * Ground truth: every stored activity, ascending `created` then insertion order, fresh
   * copies, in `shape` (default: the shape served right now) and the current offset style.
   * Index i of events('events') and events('data') is the same activity (UUID `id` vs integer `id`).
   */
  events(shape?: ResponseShape): KiteworksActivity[];
  /** Adds n generated activities now (or at `at`) and returns copies of them in the shape served right now. */
  addEvents(n: number, opts?: KiteworksAddEventsOptions): KiteworksActivity[];
  /** A refresh token as if `user` (default the client's first user) had done an authorization-code flow once. */
  issueRefreshToken(user?: string): string;
  readonly faults: KiteworksFaults;
  stats(): KiteworksSimulatorStats;
  close(): Promise<void>;
}
