// A local imitation of a Kiteworks appliance's admin activities API, for the demo, end-to-end
// tests and the benchmark. Options and faults are documented in types.ts; the vendor facts it
// follows are in the vendor API reference, section 4 (what is invented is said where it is).
//
// POST /oauth/token, application/x-www-form-urlencoded (names and values percent-decoded),
//   client_id/client_secret in the form or as HTTP Basic. Grants (tokens.ts): authorization_code
//   (the signature flow: code = base64(client_id)|@@|base64(user_email)|@@|timestamp|@@|nonce|@@|
//   hex HMAC-SHA1; redirect_uri must equal the registered one), urn:ietf:params:oauth:grant-type:
//   jwt-bearer (RS256/RS512 assertion; aud = this server's base URL) and refresh_token.
//   200 {"access_token":"<40 hex>","expires_in":3600 (or "3600" by switch),"token_type":"bearer",
//   "scope":"…","refresh_token":"…" (only when the app may refresh; a refresh repeats it)} with
//   Cache-Control: no-store. Failures: 400 {"error":"invalid_client"|"invalid_grant"|
//   "invalid_request"|"invalid_scope"|"unauthorized_client"|"unsupported_grant_type","error_description":"…"}.
// GET /rest/admin/activities, Authorization: Bearer <token>, X-Accellion-Version: any value (a
//   missing one is served and counted). Checked in this order (api.ts): 30 requests per second
//   across both endpoints (403 {"errors":[{"code":"ERR_REQUEST_LIMIT",…}]}; the real body is
//   unknown, and the vendor's 40-request queue is not imitated: the excess is refused at once),
//   injected 490 ERR_WAF / 403 / 5xx, the bearer (401 ERR_AUTH_UNAUTHORIZED), the Activity Log
//   right (403 ERR_ACCESS_USER by switch), the query (422 ERR_INVALID_PARAMETER; request.ts),
//   an injected malformed 200, then the page: activities with startDateTime <= created <=
//   endDateTime (seconds), created:desc (default; the exact reverse of the ascending order,
//   ties by insertion) or created:asc, [offset, offset+limit) of the matches, limit 100 by
//   default. {"events":[…]} (kitebroker's shape, UUID ids) or, by option or switch,
//   {"data":[…]} (the spec's shape, integer ids: the same activities, an auto-increment in
//   insertion order). No paging metadata: a short page is the end. `created` is
//   "2026-05-01T10:00:00+0000" (or "+00:00" by switch). eventFilters:in takes categories
//   (vocabulary.ts). Other paths: 404 ERR_ENTITY_NOT_FOUND; wrong method: 405.
//
// Test controls (no auth, for a simulator in another process): GET /__sim/stats,
// GET|POST /__sim/faults (body: {"reset":true,"rateLimitNext":{"n":2,"retryAfterSeconds":1},
// "serverErrorNext":{"n":1,"status":503},"malformedNext":1,"slowResponses":200,"wafBlockNext":1,
// "expireAccessTokensNow":true,"revokeAccessToken":"…","revokeRefreshTokens":true,
// "responseShape":"data","expiresInAsString":true,"createdOffsetStyle":"+00:00",
// "denyActivityLog":true,"rotateClientSecret":true}; the snapshot includes the current
// clientSecret), POST /__sim/events {"n":10,"late"?:true,"at"?:ms} and
// GET /__sim/events?shape=events|data (every stored activity, ascending created then insertion
// order: the ground truth).

import { simulatorCloser } from '../common/closer.js';
import { Delays } from '../common/delays.js';
import { EventIntake } from '../common/event-intake.js';
import { historySegments } from '../common/history.js';
import { startLiveFeed } from '../common/live-feed.js';
import { Prng } from '../common/prng.js';
import { SlidingWindowLimiter } from '../common/rate-limit.js';
import { KiteworksApi } from './api.js';
import { FaultState } from './faults.js';
import { ActivityFactory, renderActivity } from './generator.js';
import { buildDeployment, uuid } from './people.js';
import { startServer } from './server.js';
import { StatsRecorder } from './stats.js';
import { ActivityStore } from './store.js';
import { OAuthServer, seededText, type ResolvedClient } from './tokens.js';
import {
  RESPONSE_SHAPES,
  type KiteworksActivity,
  type KiteworksAddEventsOptions,
  type KiteworksClientConfig,
  type KiteworksSimulator,
  type KiteworksSimulatorOptions,
  type ResponseShape,
} from './types.js';

export type {
  CreatedOffsetStyle,
  KiteworksActivity,
  KiteworksAddEventsOptions,
  KiteworksClientConfig,
  KiteworksFaults,
  KiteworksRequestRecord,
  KiteworksSimulator,
  KiteworksSimulatorOptions,
  KiteworksSimulatorStats,
  ResponseShape,
} from './types.js';
export { GRANT_CODE, GRANT_JWT, GRANT_REFRESH } from './tokens.js';

const DEFAULT_REDIRECT_URI = 'https://siphon.invalid/callback';
const DEFAULT_SCOPE = 'GET/admin/* GET/users/*';
const DEFAULT_INITIAL_EVENTS = 500;
const DEFAULT_PER_SECOND = 30;

export async function startKiteworksSimulator(opts: KiteworksSimulatorOptions = {}): Promise<KiteworksSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const lateFraction = opts.lateFraction ?? 0.05;
  const lifetime = opts.tokenLifetimeSeconds ?? 3600;
  const shape = opts.responseShape ?? 'events';
  const limit = opts.rateLimit ?? { perSecond: DEFAULT_PER_SECOND };
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new RangeError('lateFraction must be within 0..1');
  if (!(lifetime > 0 && Number.isFinite(lifetime))) throw new RangeError('tokenLifetimeSeconds must be > 0');
  if (!RESPONSE_SHAPES.includes(shape)) throw new RangeError(`responseShape must be one of ${RESPONSE_SHAPES.join(', ')}`);
  if (limit !== false && !(Number.isInteger(limit.perSecond) && limit.perSecond >= 1)) throw new RangeError('rateLimit.perSecond must be a whole number >= 1');
  if (opts.maxRangeDays !== undefined && !(opts.maxRangeDays > 0 && Number.isFinite(opts.maxRangeDays))) throw new RangeError('maxRangeDays must be > 0');

  const deployment = buildDeployment(seed);
  const client = resolveClient(opts.client ?? {}, seed, deployment.admins.map((u) => u.email));
  const factory = new ActivityFactory(seed, deployment);
  const store = new ActivityStore();

  const oauth = new OAuthServer(client, seed, lifetime * 1000);
  const faults = new FaultState(oauth, shape);

  const intake = new EventIntake(factory, store, now);
  intake.addHistory(historySegments(opts, now(), DEFAULT_INITIAL_EVENTS));
  /** Copies of what was added, in the shape served now. */
  const addEvents = (n: number, o: KiteworksAddEventsOptions = {}): KiteworksActivity[] =>
    intake.add(n, o).map((a) => JSON.parse(renderActivity(a, faults.currentShape, faults.currentOffsetStyle)) as KiteworksActivity);

  const stats = new StatsRecorder(
    () => oauth.tokensIssued,
    () => oauth.grantCounts,
  );
  const delays = new Delays();
  const api = new KiteworksApi({
    store,
    oauth,
    faults,
    limiter: limit === false ? undefined : new SlidingWindowLimiter([{ limit: limit.perSecond, windowMs: 1_000 }]),
    maxRangeDays: opts.maxRangeDays,
    stats,
    delays,
    now,
  });
  const server = await startServer(opts.host ?? '127.0.0.1', opts.port ?? 0, api, { faults, stats, store, addEvents }, opts.tls);
  oauth.setBaseUrl(server.url);
  // Lateness is drawn from the factory's seeded stream, like the rest of the activities.
  const stopFeed = startLiveFeed({ perSecond: opts.liveEventsPerSecond ?? 0, now, add: () => addEvents(1, { late: factory.chance(lateFraction) }) });

  return {
    url: server.url,
    port: server.port,
    get client() {
      return oauth.clientConfig;
    },
    events: (asked?: ResponseShape) => {
      if (asked !== undefined && !RESPONSE_SHAPES.includes(asked)) throw new RangeError(`shape must be one of ${RESPONSE_SHAPES.join(', ')}`);
      return store.events(asked ?? faults.currentShape, faults.currentOffsetStyle);
    },
    addEvents,
    issueRefreshToken: (user?: string) => {
      const who = user ?? client.users[0];
      if (who === undefined || !client.users.some((u) => u.toLowerCase() === who.toLowerCase())) throw new RangeError('issueRefreshToken: not one of the client\'s users');
      return oauth.issueRefreshToken(who);
    },
    faults,
    stats: () => stats.snapshot(),
    close: simulatorCloser(stopFeed, delays, server),
  };
}

/** The registered client: options over seeded defaults (the admins of the deployment as users). */
function resolveClient(o: Partial<KiteworksClientConfig>, seed: number, admins: readonly string[]): ResolvedClient {
  const c: ResolvedClient = {
    clientId: o.clientId ?? uuid(Prng.derive(seed, 'kiteworks-client-id')),
    clientSecret: o.clientSecret ?? seededText(seed, 'kiteworks-client-secret', 32),
    redirectUri: o.redirectUri ?? DEFAULT_REDIRECT_URI,
    scope: o.scope ?? DEFAULT_SCOPE,
    signatureKey: o.signatureKey ?? seededText(seed, 'kiteworks-signature-key', 40),
    jwtPublicKeyPem: o.jwtPublicKeyPem,
    allowRefresh: o.allowRefresh ?? true,
    users: o.users ? [...o.users] : [...admins],
  };
  if (typeof c.clientId !== 'string' || c.clientId === '') throw new RangeError('client.clientId must be a non-empty string');
  if (typeof c.clientSecret !== 'string' || c.clientSecret === '') throw new RangeError('client.clientSecret must be a non-empty string');
  if (typeof c.redirectUri !== 'string' || c.redirectUri === '') throw new RangeError('client.redirectUri must be a non-empty string');
  if (c.users.length === 0 || !c.users.every((u) => typeof u === 'string' && u !== '')) throw new RangeError('client.users must list at least one e-mail address');
  return c;
}
