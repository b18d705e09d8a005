// A local imitation of an Okta org's System Log API, for the demo, end-to-end tests and the
// benchmark. Options and faults are documented in types.ts; the vendor facts it follows are
// in the Okta System Log reference (what is invented is said where it is).
//
// GET /api/v1/logs, Authorization: SSWS <api token> or Bearer <access token with
//   okta.logs.read>. Polling requests only (request.ts): since | after, limit (1..1000,
//   default 100), sortOrder=ASCENDING. Events come in persistence order (store.ts): an event
//   published earlier but written later (a late event) is served after those already
//   served. 200 with a JSON array of LogEvents and `Link: <…>; rel="self", <…>; rel="next"`
//   (the next link is always there, also on an empty page, where it repeats the request's
//   position; `after` is opaque: "{persistence ms}_{seq}"). Events published more than
//   `retentionDays` ago (90) are not served; `since` more than 180 days back is 400
//   E0000053. Errors: 401 E0000011 (unknown or revoked token), 403 E0000006 (no right to
//   read the log, or an access token without okta.logs.read), 400 E0000001 (a bad query or
//   cursor), 429 E0000047 (the org's window is used up), 500 E0000009. Every answer carries
//   X-Okta-Request-Id and X-Rate-Limit-Limit/-Remaining/-Reset (limits.ts).
// POST /oauth2/v1/token, form: grant_type=client_credentials, scope, client_assertion_type,
//   client_assertion (tokens.ts: a JWT signed with the service app's registered key).
//   200 {"token_type":"Bearer","expires_in":3600,"access_token":"…","scope":"okta.logs.read"}.
//
// Test controls (no auth): GET /__sim/stats, GET|POST /__sim/faults (body:
// {"reset":true,"rateLimitNext":{"n":2,"retryAfterSeconds":1},"serverErrorNext":{"n":1,"status":503},
// "malformedNext":1,"slowResponses":200,"badCursorNext":1,"nextLinkOrigin":"https://elsewhere.example",
// "denyLogsRead":true,"revokeApiTokens":true,"expireAccessTokensNow":true,"rotateServiceAppKey":true};
// the snapshot includes the app's current private key), POST /__sim/events {"n":10,"late"?:true,"at"?:ms}
// and GET /__sim/events (the ground truth: every visible event in polling order).

import { simulatorCloser } from '../common/closer.js';
import { Delays } from '../common/delays.js';
import { EventIntake } from '../common/event-intake.js';
import { historySegments } from '../common/history.js';
import { startLiveFeed } from '../common/live-feed.js';
import { Prng, randomAlphanumeric } from '../common/prng.js';
import { OktaApi } from './api.js';
import { FaultState } from './faults.js';
import { LogEventFactory, renderEvent } from './generator.js';
import { OrgRateLimit } from './limits.js';
import { buildOrg } from './org.js';
import { startServer } from './server.js';
import { StatsRecorder } from './stats.js';
import { LogStore } from './store.js';
import { OktaCredentials } from './tokens.js';
import type { OktaAddEventsOptions, OktaLogEvent, OktaSimulator, OktaSimulatorOptions } from './types.js';

export type { OktaAddEventsOptions, OktaFaults, OktaLogEvent, OktaRequestRecord, OktaServiceAppConfig, OktaSimulator, OktaSimulatorOptions, OktaSimulatorStats } from './types.js';
export { LOGS_SCOPE } from './tokens.js';

const DEFAULT_INITIAL_EVENTS = 500;
const DAY_MS = 86_400_000;

export async function startOktaSimulator(opts: OktaSimulatorOptions = {}): Promise<OktaSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const lateFraction = opts.lateFraction ?? 0.05;
  const lifetime = opts.tokenLifetimeSeconds ?? 3600;
  const retentionDays = opts.retentionDays ?? 90;
  const limit = opts.rateLimit ?? { limit: 50 };
  if (!(lateFraction >= 0 && lateFraction <= 1)) throw new RangeError('lateFraction must be within 0..1');
  if (!(lifetime > 0 && Number.isFinite(lifetime))) throw new RangeError('tokenLifetimeSeconds must be > 0');
  if (!(retentionDays > 0 && Number.isFinite(retentionDays))) throw new RangeError('retentionDays must be > 0');

  // An SSWS token looks like Okta's: 42 characters starting "00".
  const apiTokens = opts.apiTokens ?? [`00${randomAlphanumeric(Prng.derive(seed, 'okta-api-token'), 40)}`];
  const credentials = new OktaCredentials(apiTokens, opts.serviceApp ?? {}, seed, lifetime * 1000);
  const faults = new FaultState(credentials);
  const org = buildOrg(seed);
  const factory = new LogEventFactory(seed, org, now);
  const store = new LogStore();
  const intake = new EventIntake(factory, store, now);
  intake.addHistory(historySegments(opts, now(), DEFAULT_INITIAL_EVENTS));
  factory.historyLoaded();

  const retentionMs = retentionDays * DAY_MS;
  const addEvents = (n: number, o: OktaAddEventsOptions = {}): OktaLogEvent[] => intake.add(n, o).map((e) => JSON.parse(renderEvent(e)) as OktaLogEvent);
  const stats = new StatsRecorder(() => credentials.tokensIssued);
  const delays = new Delays();
  const api = new OktaApi({
    store,
    credentials,
    faults,
    limiter: limit === false ? undefined : new OrgRateLimit(limit.limit, limit.windowMs ?? 60_000),
    retentionMs,
    stats,
    delays,
    now,
    seed,
  });
  const server = await startServer(opts.host ?? '127.0.0.1', opts.port ?? 0, api, {
    faults,
    stats,
    addEvents,
    total: () => store.length,
    eventsJson: () => `[${store.visible(now(), now() - retentionMs).map(renderEvent).join(',')}]`,
  });
  api.setBaseUrl(server.url);
  credentials.setTokenUrl(server.url);
  // Lateness is drawn from the factory's seeded stream, like the rest of the events.
  const stopFeed = startLiveFeed({ perSecond: opts.liveEventsPerSecond ?? 0, now, add: () => addEvents(1, { late: factory.chance(lateFraction) }) });

  return {
    url: server.url,
    port: server.port,
    apiTokens: credentials.tokens,
    serviceApp: { clientId: credentials.clientId, keyId: credentials.keyId, grantedScopes: credentials.grantedScopes },
    get privateKeyPem() {
      return credentials.privateKeyPem;
    },
    events: () => store.events(now(), now() - retentionMs),
    addEvents,
    faults,
    stats: () => stats.snapshot(),
    close: simulatorCloser(stopFeed, delays, server),
  };
}
