// A local imitation of the 1Password Events Reporting API, for the demo, end-to-end tests
// and the benchmark. Options and controls are documented in types.ts.
//
// Routes: POST /api/{v1,v2}/{auditevents,itemusages,signinattempts}, GET /api/v2/auth/introspect,
// GET /api/auth/introspect (deprecated). Test controls (no auth, for a simulator in another
// process): GET /__sim/stats, GET|POST /__sim/faults (body: {"reset":true,"rateLimitNext":
// {"n":2,"retryAfterSeconds":1},"serverErrorNext":{"n":1,"status":503},"malformedNext":1,
// "slowResponses":200,"revokeToken":"…","emptyPageAfterHasMore":true,"rejectCursorsIssuedBefore":
// "now"|ms,"hasMoreWithoutProgress":true,"errorShape":"message"|"text","quoteTokenInRefusals":true}),
// POST /__sim/events {"kind","n","late"?,"at"?,"nestDepth"?} and
// GET /__sim/events?kind=…&version=v1|v2 (the ground truth).

import { simulatorCloser } from '../common/closer.js';
import { Delays } from '../common/delays.js';
import { startLiveFeed } from '../common/live-feed.js';
import { SlidingWindowLimiter } from '../common/rate-limit.js';
import { EventsApi } from './api.js';
import { FaultState } from './faults.js';
import { EventFactory } from './generator.js';
import { GeneratedHistory } from './history.js';
import { startServer } from './server.js';
import { StatsRecorder } from './stats.js';
import { EventLog } from './store.js';
import { buildTokens } from './tokens.js';
import {
  EVENT_KINDS,
  type AddEventsOptions,
  type ApiVersion,
  type OnePasswordEventKind,
  type OnePasswordSimulator,
  type OnePasswordSimulatorOptions,
} from './types.js';
import { buildWorld } from './world.js';

export type {
  AddEventsOptions,
  ApiVersion,
  ErrorShape,
  FaultControls,
  OnePasswordEventKind,
  OnePasswordFeature,
  OnePasswordSimulator,
  OnePasswordSimulatorOptions,
  SimulatorStats,
  SimulatorToken,
} from './types.js';
export { EVENT_KINDS } from './types.js';

const DEFAULT_INITIAL: Record<OnePasswordEventKind, number> = { auditevents: 300, itemusages: 1000, signinattempts: 300 };
const WEEK_MS = 7 * 86_400_000;
/** Longer histories are made as they are served (see keepHistoryUpTo). */
const KEEP_HISTORY_UP_TO = 1_000_000;

export async function startOnePasswordSimulator(opts: OnePasswordSimulatorOptions = {}): Promise<OnePasswordSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const historyMs = opts.historyMs ?? WEEK_MS;
  const lateFraction = opts.lateFraction ?? 0.05;
  if (!Number.isFinite(historyMs) || historyMs < 0) throw new RangeError('historyMs must be >= 0');
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new RangeError('lateFraction must be within 0..1');

  const world = buildWorld(seed);
  const accountUuid = world.accountUuid;
  const historyLength = (kind: OnePasswordEventKind): number => {
    const n = opts.initialEvents?.[kind] ?? DEFAULT_INITIAL[kind];
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`initialEvents.${kind} must be a whole number >= 0`);
    return n;
  };
  const lengths = { auditevents: historyLength('auditevents'), itemusages: historyLength('itemusages'), signinattempts: historyLength('signinattempts') };
  const keepUpTo = opts.keepHistoryUpTo ?? KEEP_HISTORY_UP_TO;
  if (!(keepUpTo >= 0)) throw new RangeError('keepHistoryUpTo must be >= 0');
  const factory = new EventFactory(seed, world, lengths);
  const start = now();
  // History became visible when it happened, so start_time finds it where expected. It is
  // made on demand, page by page: a history of millions costs no memory up front.
  const history = (kind: OnePasswordEventKind): GeneratedHistory => {
    const made = new GeneratedHistory(factory, kind, lengths[kind], start - historyMs, start, keepUpTo);
    factory.followHistory(kind, made.last());
    return made;
  };
  const logs: Record<OnePasswordEventKind, EventLog> = {
    auditevents: new EventLog('auditevents', { account_uuid: accountUuid, actor_account_uuid: accountUuid, actor_type: 'user' }, history('auditevents')),
    itemusages: new EventLog('itemusages', { account_uuid: accountUuid }, history('itemusages')),
    signinattempts: new EventLog('signinattempts', { account_uuid: accountUuid }, history('signinattempts')),
  };

  const append = (kind: OnePasswordEventKind, n: number, o: AddEventsOptions = {}): void => {
    const log = logs[kind];
    for (let i = 0; i < n; i++) {
      const t = now();
      const ev = o.at === undefined ? factory.live(kind, t, o.late === true) : factory.stampedAt(kind, o.at);
      log.append(o.nestDepth === undefined ? ev.json : withNestedField(ev.json, o.nestDepth), ev.time, t);
    }
  };
  const addEvents = (kind: OnePasswordEventKind, n: number, o?: AddEventsOptions): Record<string, unknown>[] => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    const log = logs[kind];
    const first = log.length;
    append(kind, n, o);
    // Fresh objects parsed from what will be served, so callers cannot alter the log.
    const added: Record<string, unknown>[] = [];
    for (let i = first; i < log.length; i++) added.push(JSON.parse(log.text(i, 'v2')) as Record<string, unknown>);
    return added;
  };

  const tokens = buildTokens(opts.tokens, seed, start, accountUuid);
  const faults = new FaultState(now);
  const stats = new StatsRecorder();
  const delays = new Delays();
  const limit = opts.rateLimit ?? { perMinute: 600, perHour: 30_000 };
  if (limit !== false && !(limit.perMinute > 0 && limit.perHour > 0)) throw new RangeError('rateLimit: perMinute and perHour must be > 0');
  const limiter =
    limit === false
      ? undefined
      : new SlidingWindowLimiter([
          { limit: limit.perMinute, windowMs: 60_000 },
          { limit: limit.perHour, windowMs: 3_600_000 },
        ]);
  const api = new EventsApi({ accountUuid, logs, tokens, faults, limiter, stats, delays, now });
  const server = await startServer(opts.host ?? '127.0.0.1', opts.port ?? 0, api, {
    faults,
    stats,
    logs,
    addEvents: (kind, n, o) => {
      append(kind, n, o);
      return [];
    },
  });
  // The rate is per kind. Lateness is drawn from each kind's seeded stream, like the rest of its events.
  const stopFeed = startLiveFeed({
    perSecond: opts.liveEventsPerSecond ?? 0,
    now,
    add: () => {
      for (const kind of EVENT_KINDS) append(kind, 1, { late: factory.chance(kind, lateFraction) });
    },
  });

  return {
    url: server.url,
    port: server.port,
    tokens: tokens.map((t) => t.token),
    accountUuid,
    events: (kind: OnePasswordEventKind, version: ApiVersion = 'v2') => logs[kind].objects(version),
    eventNumber: (kind: OnePasswordEventKind, uuid: string) => factory.eventNumber(kind, uuid),
    addEvents,
    faults,
    stats: () => stats.snapshot(),
    close: simulatorCloser(stopFeed, delays, server),
  };
}

/**
 * The event's JSON with a field "details" nested `depth` objects deep, built as text: the
 * simulator serves what JSON.stringify could not write.
 */
function withNestedField(json: string, depth: number): string {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError('nestDepth must be a whole number >= 1');
  return `${json.slice(0, -1)},"details":${'{"d":'.repeat(depth)}0${'}'.repeat(depth)}}`;
}
