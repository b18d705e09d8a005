// A local imitation of the LastPass Enterprise API's event reporting, for the demo,
// end-to-end tests and the benchmark. Options and controls are documented in types.ts;
// the vendor facts it follows are in the vendor API reference, section 1.
//
// Route: POST /enterpriseapi.php (query string ignored), JSON body {"cid": 8771237 | "8771237",
// "provhash": "…", "cmd": "reporting", "user"?: "allusers", "data": {"from": "YYYY-MM-DD HH:MM:SS",
// "to": "…", "user"?, "admin"?: "1", "search"?, "next"?}}; `user` and `next` are also read at
// the top level. Every answer is HTTP 200 unless a fault says otherwise (other methods: 405):
//   {"status":"OK","next":null|<µs sort key>,"data":{"Event1":{newest},…}}  (≤ pageSize events)
//   {"status":"FAIL","error":["Authorization Error" | "Unknown command" | "Invalid date" |
//    "Invalid next" | "Invalid request: expected a JSON body"]}
// Times are wall clock in the account zone (default America/New_York), whole seconds; from/to
// are inclusive; ISO 8601 with Z/±HH:MM is accepted and converted. Pages are newest first by a
// hidden unique key (wall µs); `next` is the key of the first unserved event, and a request
// with `next` keeps keys <= next.
//
// Test controls (no auth, for a simulator in another process): GET /__sim/stats,
// GET|POST /__sim/faults (body: {"reset":true,"rateLimitNext":{"n":2,"retryAfterSeconds":1},
// "serverErrorNext":{"n":1,"status":503},"failNext":{"n":1,"message":"…"},"malformedNext":1,
// "slowResponses":200,"revokeCredentials":true,"authErrorAsText":true,"quoteRequestInErrors":true,"nextAsString":true,
// "emptyDataShape":"object"|"array"|"null"|"absent"}; the snapshot includes the current
// provisioningHash), POST /__sim/events {"n":10,"late"?:true,"at"?:ms,"identical"?:true} and
// GET /__sim/events (every stored event, ascending sort key: the ground truth).

import { simulatorCloser } from '../common/closer.js';
import { Delays } from '../common/delays.js';
import { historySegments } from '../common/history.js';
import { startLiveFeed } from '../common/live-feed.js';
import { SlidingWindowLimiter } from '../common/rate-limit.js';
import { WallClockZone } from '../../sources/lastpass/zoned-time.js';
import { EnterpriseApi } from './api.js';
import { Credentials } from './credentials.js';
import { FaultState } from './faults.js';
import { EventFactory, type KeyClaim, type StoredEvent } from './generator.js';
import { buildCompany } from './people.js';
import { startServer } from './server.js';
import { freeKeyInSecond } from './sortkey.js';
import { StatsRecorder } from './stats.js';
import { EventStore } from './store.js';
import type { AddEventsOptions, LastPassEvent, LastPassSimulator, LastPassSimulatorOptions } from './types.js';

export type {
  AddEventsOptions,
  EmptyDataShape,
  LastPassEvent,
  LastPassFaults,
  LastPassRequestRecord,
  LastPassSimulator,
  LastPassSimulatorOptions,
  LastPassSimulatorStats,
} from './types.js';

const DEFAULT_COMPANY_ID = 8771237;
const DEFAULT_INITIAL_EVENTS = 500;
const MAX_PAGE = 10_000;
/** Below this many new events, binary insertion; above, one merge-sort of the store. */
const BATCH_THRESHOLD = 64;

export async function startLastPassSimulator(opts: LastPassSimulatorOptions = {}): Promise<LastPassSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const companyId = opts.companyId ?? DEFAULT_COMPANY_ID;
  const pageSize = opts.pageSize ?? MAX_PAGE;
  const identicalFraction = opts.identicalFraction ?? 0.03;
  const lateFraction = opts.lateFraction ?? 0.05;
  if (!Number.isSafeInteger(companyId) || companyId <= 0) throw new RangeError('companyId must be a positive whole number');
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a whole number >= 1');
  if (!(identicalFraction >= 0 && identicalFraction <= 1)) throw new RangeError('identicalFraction must be within 0..1');
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new RangeError('lateFraction must be within 0..1');
  if (opts.provisioningHash !== undefined && opts.provisioningHash === '') throw new RangeError('provisioningHash must not be empty');
  const zone = new WallClockZone(opts.timeZone ?? 'America/New_York');

  const company = buildCompany(seed);
  const factory = new EventFactory(seed, company, zone, identicalFraction);
  const store = new EventStore();

  /** Generates events and stores them; returns copies of what was added. */
  const commit = (generate: (claim: KeyClaim, emit: (ev: StoredEvent) => void) => void): LastPassEvent[] => {
    const pending: StoredEvent[] = [];
    const pendingKeys = new Set<number>();
    const claim: KeyClaim = (wanted) => {
      const key = freeKeyInSecond(wanted, (k) => pendingKeys.has(k) || store.has(k));
      pendingKeys.add(key);
      return key;
    };
    generate(claim, (ev) => pending.push(ev));
    if (pending.length > BATCH_THRESHOLD) store.addBatch(pending);
    else for (const ev of pending) store.insert(ev);
    return pending.map((ev) => ({ ...ev.event }));
  };

  const start = now();
  const history = historySegments(opts, start, DEFAULT_INITIAL_EVENTS);
  commit((claim, emit) => {
    for (const seg of history) {
      const instants = factory.historyInstants(seg.from, seg.to, seg.count);
      let made = 0;
      while (made < seg.count) made += factory.happen(instants[made] ?? seg.to, seg.count - made, claim, emit);
    }
  });

  const addEvents = (n: number, o: AddEventsOptions = {}): LastPassEvent[] => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    if (o.at !== undefined && !Number.isFinite(o.at)) throw new RangeError('at must be ms since the epoch');
    const at = o.at ?? now();
    const late = o.late === true;
    const instant = (): number => (late ? factory.lateInstant(at) : at);
    return commit((claim, emit) => {
      if (o.identical === true) {
        factory.identical(instant(), n, claim, emit);
        return;
      }
      let made = 0;
      while (made < n) made += factory.happen(instant(), n - made, claim, emit, late);
    });
  };

  const credentials = new Credentials(companyId, seed, opts.provisioningHash);
  const faults = new FaultState(credentials);
  const stats = new StatsRecorder();
  const delays = new Delays();
  const limit = opts.rateLimit ?? false;
  if (limit !== false && !(limit.perMinute > 0)) throw new RangeError('rateLimit.perMinute must be > 0');
  const limiter = limit === false ? undefined : new SlidingWindowLimiter([{ limit: limit.perMinute, windowMs: 60_000 }]);
  const api = new EnterpriseApi({
    store,
    credentials,
    zone,
    pageSize,
    faults,
    limiter,
    // The next slot opens within a minute; this hint is the average spacing, at least 1 s.
    limiterRetryAfterSeconds: limit === false ? 1 : Math.max(1, Math.ceil(60 / limit.perMinute)),
    stats,
    delays,
    now,
  });
  const server = await startServer(opts.host ?? '127.0.0.1', opts.port ?? 0, api, { faults, stats, store, addEvents });
  // Lateness is drawn from the factory's seeded stream, like the rest of the events.
  const stopFeed = startLiveFeed({ perSecond: opts.liveEventsPerSecond ?? 0, now, add: () => addEvents(1, { late: factory.chance(lateFraction) }) });

  return {
    url: server.url,
    port: server.port,
    companyId,
    get provisioningHash() {
      return credentials.provisioningHash;
    },
    timeZone: zone.name,
    events: () => store.events(),
    addEvents,
    faults,
    stats: () => stats.snapshot(),
    close: simulatorCloser(stopFeed, delays, server),
  };
}
