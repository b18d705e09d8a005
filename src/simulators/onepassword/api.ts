// The Events Reporting API itself: routes, auth, features, rate limit, and cursor paging.

import type { Delays } from '../common/delays.js';
import { bearerToken, jsonResponse, type SimRequest, type SimResponse } from '../common/http-server.js';
import type { SlidingWindowLimiter } from '../common/rate-limit.js';
import { decodeCursor, encodeCursor, type CursorState } from './cursor.js';
import type { FaultState } from './faults.js';
import { parsePageRequest } from './request.js';
import { errorResponse, malformedResponse } from './responses.js';
import type { StatsRecorder } from './stats.js';
import type { EventLog } from './store.js';
import type { TokenInfo } from './tokens.js';
import type { ApiVersion, ErrorShape, OnePasswordEventKind } from './types.js';

type Route =
  | { type: 'events'; version: ApiVersion; kind: OnePasswordEventKind }
  | { type: 'introspect'; version: 'v1' | 'v2' };

const EVENTS_ROUTE = /^\/api\/(v1|v2)\/(auditevents|itemusages|signinattempts)$/;
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;

function matchRoute(path: string): Route | undefined {
  const m = EVENTS_ROUTE.exec(path);
  if (m) return { type: 'events', version: m[1] as ApiVersion, kind: m[2] as OnePasswordEventKind };
  if (path === '/api/v2/auth/introspect') return { type: 'introspect', version: 'v2' };
  if (path === '/api/auth/introspect') return { type: 'introspect', version: 'v1' };
  return undefined;
}

export interface ApiDeps {
  readonly accountUuid: string;
  readonly logs: Record<OnePasswordEventKind, EventLog>;
  readonly tokens: readonly TokenInfo[];
  readonly faults: FaultState;
  readonly limiter: SlidingWindowLimiter | undefined;
  readonly stats: StatsRecorder;
  readonly delays: Delays;
  readonly now: () => number;
}

export class EventsApi {
  private readonly byToken: Map<string, TokenInfo>;

  constructor(private readonly d: ApiDeps) {
    this.byToken = new Map(d.tokens.map((t) => [t.token, t]));
  }

  /** Handles one request under /api/, counting it whatever the outcome. */
  async handle(req: SimRequest): Promise<SimResponse> {
    this.d.stats.request(req.path, this.d.now());
    await this.d.delays.wait(this.d.faults.delayMs);
    const res = this.respond(req);
    this.d.stats.response(res.status);
    return res;
  }

  private respond(req: SimRequest): SimResponse {
    const { faults } = this.d;
    const shape = faults.errorBodyShape;
    const route = matchRoute(req.path);
    if (!route) return errorResponse(shape, 404, 'Not Found');
    const method = route.type === 'events' ? 'POST' : 'GET';
    if (req.method !== method) return errorResponse(shape, 405, 'Method Not Allowed', { Allow: method });

    const injected = faults.take(route.type === 'events');
    if (injected?.kind === 'rate-limit') {
      const after = injected.retryAfterSeconds;
      return errorResponse(shape, 429, 'Too Many Requests', after === undefined ? undefined : { 'Retry-After': String(after) });
    }
    if (injected?.kind === 'server-error') return errorResponse(shape, injected.status);
    if (injected?.kind === 'malformed') return malformedResponse(injected.variant);

    const token = bearerToken(req.headers.authorization);
    const info = token === undefined || faults.isRevoked(token) ? undefined : this.byToken.get(token);
    const refused = faults.quotesRefusedToken ? `Unauthorized: the bearer token ${token ?? '(none)'} is not valid for this account` : 'Unauthorized';
    if (!info) return errorResponse(shape, 401, refused);
    // A valid token without the endpoint's feature is refused the same way.
    if (route.type === 'events' && !info.features.includes(route.kind)) return errorResponse(shape, 401, refused);
    // The budget is per account, so only requests that identify the account use it.
    if (this.d.limiter && !this.d.limiter.tryAcquire(this.d.now())) return errorResponse(shape, 429, 'Too Many Requests');

    if (route.type === 'introspect') return this.introspect(route.version, info);
    const contentType = req.headers['content-type'];
    if (typeof contentType !== 'string' || !JSON_TYPE.test(contentType)) return badRequest(shape, 'Content-Type must be application/json');
    return this.page(route.kind, route.version, req.body);
  }

  private introspect(version: 'v1' | 'v2', info: TokenInfo): SimResponse {
    if (version === 'v1') return jsonResponse({ UUID: info.uuid, IssuedAt: info.issuedAt, Features: info.features });
    return jsonResponse({ uuid: info.uuid, issued_at: info.issuedAt, features: info.features, account_uuid: this.d.accountUuid });
  }

  private page(kind: OnePasswordEventKind, version: ApiVersion, body: string | undefined): SimResponse {
    const { faults } = this.d;
    const shape = faults.errorBodyShape;
    const now = this.d.now();
    const parsed = parsePageRequest(body, now);
    if (!parsed.ok) return badRequest(shape, parsed.reason);
    const log = this.d.logs[kind];

    let state: CursorState;
    let sameCursor: string | undefined;
    if (parsed.value.form === 'reset') {
      const { limit, startMs, endMs } = parsed.value;
      state = { kind, pos: log.resetPosition(startMs), limit, endMs, issuedMs: now, account: this.d.accountUuid };
    } else {
      const decoded = decodeCursor(parsed.value.cursor);
      if (!decoded || decoded.kind !== kind || decoded.account !== this.d.accountUuid || decoded.pos > log.length) {
        return badRequest(shape, 'cursor is not valid for this endpoint');
      }
      if (faults.isCursorExpired(decoded.issuedMs)) return badRequest(shape, 'cursor expired');
      if (faults.noProgress) return { status: 200, body: `{"cursor":${JSON.stringify(parsed.value.cursor)},"has_more":true,"items":[]}` };
      state = decoded;
      sameCursor = parsed.value.cursor;
    }

    const slice = log.page(state.pos, state.limit, state.endMs);
    const served = slice.positions.length;
    // Caught up: hand back the very cursor the client sent, as the real API does.
    const cursor = served === 0 && sameCursor !== undefined ? sameCursor : encodeCursor({ ...state, pos: slice.next, issuedMs: now });
    // Quirk: claim more on the page that took the last item; the next page is then empty.
    const hasMore = slice.hasMore || (faults.emptyPageQuirk && served > 0);
    this.d.stats.servedItems(kind, served);
    return {
      status: 200,
      body: `{"cursor":${JSON.stringify(cursor)},"has_more":${hasMore},"items":[${log.render(slice.positions, version)}]}`,
    };
  }
}

/** The API says only "Bad Request"; the reason goes in a header to help whoever debugs a client. */
function badRequest(shape: ErrorShape, reason: string): SimResponse {
  return errorResponse(shape, 400, 'Bad Request', { 'X-Simulator-Reason': reason });
}
