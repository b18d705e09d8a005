// A local imitation of the Lark (Larksuite/Feishu) admin audit log API, for the demo,
// end-to-end tests and the benchmark. Options and faults are documented in types.ts; the
// vendor facts it follows are in the vendor API reference, section 3.
//
// POST /open-apis/auth/v3/tenant_access_token/internal, JSON {"app_id","app_secret"}:
//   200 {"code":0,"msg":"ok","tenant_access_token":"t-<32 hex>","expire":<s>}. While the app's
//   newest token has >= renewWithinSeconds (1800) left, that token comes back with its remaining
//   lifetime; after that a new one (tokenLifetimeSeconds, 7200) is minted and the old one stays
//   valid until it expires. Unknown app / bad body: 400 {"code":10003,"msg":"invalid param"};
//   wrong secret: 400 {"code":10014,"msg":"app secret invalid"}.
// GET /open-apis/admin/v1/audit_infos, Authorization: Bearer <token>. Checked in this order:
//   no/malformed header → 400 99991661; unknown, expired or revoked token → 401 (or 400/200 by
//   fault) 99991663; scope admin:audit_info:readonly revoked → 400 99991672 with
//   error.permission_violations; over the per-app budget (100 per sliding minute) → 429
//   {"code":99991400,"msg":"request trigger frequency limit"} with x-ogw-ratelimit-limit and
//   x-ogw-ratelimit-reset (whole seconds until a slot frees, >= 1), never Retry-After; injected
//   faults (used up only by requests that got this far); then the query: user_id_type open_id|union_id|user_id (default open_id; else 1050004),
//   oldest/latest Unix seconds (defaults now-30 d / now; oldest > latest, a span > 30 days or
//   oldest before now - retentionDays → 1050001), page_size 1..200 (default 20; else 1050005),
//   page_token (foreign, mangled, or used with other oldest/latest/filters → 1050006), filters
//   event_name (unknown → 1050007), event_module, operator_type user|bot, operator_value (not in
//   the tenant → 1050009), user_type 0|1|2, object_type/object_value, ext_filter_object_by_ccm_token.
//   An empty parameter counts as absent. Success: 200 {"code":0,"msg":"success","data":
//   {"has_more":bool,"items":[…],"page_token"?:"…"}} with oldest <= event_time <= latest, newest
//   first (event_time desc, then insertion desc); page_token only when has_more. The token is a
//   keyset position (stable while new or late events arrive), base64 with %2B/%3D escapes: send it
//   URL-encoded exactly once. Every API answer carries X-Tt-Logid. Other paths: 404
//   {"code":404,"msg":"not found"}.
//
// Test controls (no auth, for a simulator in another process): GET /__sim/stats,
// GET|POST /__sim/faults (body: {"reset":true,"rateLimitNext":{"n":2,"status":400,"resetSeconds":3},
// "serverErrorNext":{"n":1,"status":503},"malformedNext":1,"slowResponses":200,"expireTokensNow":true,
// "revokeToken":"t-…","revokeScope":true,"rotateSecret":true,"tokenEndpointErrorNext":{"n":1,"status":500},
// "invalidTokenStatus":400}; the snapshot includes the current appSecret), POST /__sim/events
// {"n":10,"late"?:true,"at"?:ms} and GET /__sim/events (every stored item, ascending event_time then
// insertion order, operator_value as open_id: the ground truth).

import { simulatorCloser } from '../common/closer.js';
import { Delays } from '../common/delays.js';
import { EventIntake } from '../common/event-intake.js';
import { historySegments } from '../common/history.js';
import { startLiveFeed } from '../common/live-feed.js';
import { LarkApi } from './api.js';
import { FaultState } from './faults.js';
import { EventFactory, renderItem, type IdType } from './generator.js';
import { AppRateLimits } from './limits.js';
import { buildOrg } from './people.js';
import { startServer } from './server.js';
import { StatsRecorder } from './stats.js';
import { AuditStore } from './store.js';
import { AppRegistry } from './tokens.js';
import type { LarkAddEventsOptions, LarkAuditItem, LarkSimulator, LarkSimulatorOptions } from './types.js';

export type {
  InvalidTokenStatus,
  LarkAddEventsOptions,
  LarkAuditItem,
  LarkFaults,
  LarkRateLimitFault,
  LarkRequestRecord,
  LarkSimulator,
  LarkSimulatorOptions,
  LarkSimulatorStats,
} from './types.js';

const DEFAULT_APP_ID = 'cli_a5f3e1b2c4d6e8f0';
const DEFAULT_INITIAL_EVENTS = 500;
const DEFAULT_PER_MINUTE = 100;

export async function startLarkSimulator(opts: LarkSimulatorOptions = {}): Promise<LarkSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const appId = opts.appId ?? DEFAULT_APP_ID;
  const lateFraction = opts.lateFraction ?? 0.05;
  const lifetime = opts.tokenLifetimeSeconds ?? 7200;
  const renewWithin = opts.renewWithinSeconds ?? 1800;
  const retentionDays = opts.retentionDays ?? 180;
  if (typeof appId !== 'string' || appId === '') throw new RangeError('appId must be a non-empty string');
  if (opts.appSecret !== undefined && opts.appSecret === '') throw new RangeError('appSecret must not be empty');
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new RangeError('lateFraction must be within 0..1');
  if (!(lifetime > 0 && Number.isFinite(lifetime))) throw new RangeError('tokenLifetimeSeconds must be > 0');
  if (!(renewWithin >= 0 && Number.isFinite(renewWithin))) throw new RangeError('renewWithinSeconds must be >= 0');
  if (!(retentionDays > 0 && Number.isFinite(retentionDays))) throw new RangeError('retentionDays must be > 0');
  const limit = opts.rateLimit ?? { perMinute: DEFAULT_PER_MINUTE };
  const limits = limit === false ? undefined : new AppRateLimits(limit.perMinute);

  const org = buildOrg(seed);
  const factory = new EventFactory(seed, org);
  const store = new AuditStore();

  const intake = new EventIntake(factory, store, now);
  intake.addHistory(historySegments(opts, now(), DEFAULT_INITIAL_EVENTS));
  /** Copies of what was added. */
  const addEvents = (n: number, o: LarkAddEventsOptions = {}): LarkAuditItem[] => intake.add(n, o).map((item) => JSON.parse(renderItem(item, 0)) as LarkAuditItem);

  // operator_value filters must name someone in the tenant (external users' IDs are masked).
  const known: Array<Set<string>> = [0, 1, 2].map((t) => new Set([...org.members, ...org.bots].map((op) => op.ids[t as IdType])));
  const knownOperator = (value: string, idType: IdType): boolean => known[idType]?.has(value) === true;

  const apps = new AppRegistry(appId, seed, opts.appSecret, lifetime * 1000, renewWithin * 1000);
  const faults = new FaultState(apps);
  const stats = new StatsRecorder(() => apps.tokensIssued);
  const delays = new Delays();
  const api = new LarkApi({
    store,
    apps,
    faults,
    limits,
    limitPerMinute: limit === false ? DEFAULT_PER_MINUTE : limit.perMinute,
    retentionSeconds: Math.floor(retentionDays * 86_400),
    knownOperator,
    stats,
    delays,
    now,
    seed,
  });
  const server = await startServer(opts.host ?? '127.0.0.1', opts.port ?? 0, api, { faults, stats, store, addEvents });
  // Lateness is drawn from the factory's seeded stream, like the rest of the events.
  const stopFeed = startLiveFeed({ perSecond: opts.liveEventsPerSecond ?? 0, now, add: () => addEvents(1, { late: factory.chance(lateFraction) }) });

  return {
    url: server.url,
    port: server.port,
    appId,
    get appSecret() {
      return apps.appSecret;
    },
    events: () => store.events(0),
    addEvents,
    faults,
    stats: () => stats.snapshot(),
    close: simulatorCloser(stopFeed, delays, server),
  };
}
