// The Enterprise API endpoint: one URL, routed on `cmd`. Injected faults come first (the
// web tier answers before PHP reads the body), then body, command, credentials, the
// optional rate limit, and finally the reporting query itself.

import type { Delays } from '../common/delays.js';
import type { SimRequest, SimResponse } from '../common/http-server.js';
import type { SlidingWindowLimiter } from '../common/rate-limit.js';
import type { WallClockZone } from '../../sources/lastpass/zoned-time.js';
import type { Credentials } from './credentials.js';
import type { FaultState } from './faults.js';
import type { StoredEvent } from './generator.js';
import { describeRequest, parseBody, parseReporting, type Json, type ReportingQuery } from './request.js';
import { authErrorResponse, failResponse, htmlErrorResponse, malformedResponse, pageResponse } from './responses.js';
import { firstKeyOf, lastKeyOf } from './sortkey.js';
import type { StatsRecorder } from './stats.js';
import type { EventStore } from './store.js';
import { ADMIN_ACTIONS } from './vocabulary.js';

export const API_PATH = '/enterpriseapi.php';

export interface ApiDeps {
  readonly store: EventStore;
  readonly credentials: Credentials;
  readonly zone: WallClockZone;
  readonly pageSize: number;
  readonly faults: FaultState;
  readonly limiter: SlidingWindowLimiter | undefined;
  /** Seconds a client is told to wait when the optional rate limit refuses it. */
  readonly limiterRetryAfterSeconds: number;
  readonly stats: StatsRecorder;
  readonly delays: Delays;
  readonly now: () => number;
}

/** What one request came to: the response plus what the stats keep about it. */
interface Outcome {
  readonly response: SimResponse;
  readonly outcome: string;
  readonly pageEvents?: number;
  readonly answeredNext?: unknown;
}

export class EnterpriseApi {
  constructor(private readonly d: ApiDeps) {}

  /** Handles one request to /enterpriseapi.php (any query string is ignored), counting it whatever the outcome. */
  async handle(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.arrived(at);
    const body = req.method === 'POST' ? parseBody(req.body) : undefined;
    await this.d.delays.wait(this.d.faults.delayMs);
    const result = this.respond(req.method, body, this.d.faults.quotesRequest ? (req.body ?? '') : undefined);
    this.d.stats.answered({
      at,
      ...describeRequest(body),
      pageEvents: result.pageEvents ?? 0,
      answeredNext: result.answeredNext ?? null,
      outcome: result.outcome,
    });
    return result.response;
  }

  /** `quoted`: the raw request body, when error answers quote it (the quoteRequestInErrors fault). */
  private respond(method: string, body: Json | undefined, quoted: string | undefined): Outcome {
    const { faults, credentials } = this.d;
    if (method !== 'POST') return { response: failWith(405, 'Method Not Allowed', { Allow: 'POST' }), outcome: 'invalid' };

    const injected = faults.take();
    if (injected?.kind === 'rate-limit') {
      const after = injected.retryAfterSeconds;
      return { response: htmlErrorResponse(429, after === undefined ? {} : { 'Retry-After': String(Math.ceil(after)) }, quoted), outcome: 'rate-limit' };
    }
    if (injected?.kind === 'server-error') return { response: htmlErrorResponse(injected.status, {}, quoted), outcome: 'server-error' };
    if (injected?.kind === 'fail') return { response: failResponse(injected.message, quoted), outcome: 'fail' };
    if (injected?.kind === 'malformed') return { response: malformedResponse(injected.variant), outcome: 'malformed' };

    if (!body) return { response: failResponse('Invalid request: expected a JSON body', quoted), outcome: 'invalid' };
    if (body.cmd !== 'reporting') return { response: failResponse('Unknown command', quoted), outcome: 'fail' };
    if (!credentials.accepts(body.cid, body.provhash)) return { response: authErrorResponse(faults.authAsText, quoted), outcome: 'auth' };
    // The budget is per account, so only requests that identify the account use it.
    if (this.d.limiter && !this.d.limiter.tryAcquire(this.d.now())) {
      return { response: htmlErrorResponse(429, { 'Retry-After': String(this.d.limiterRetryAfterSeconds) }, quoted), outcome: 'rate-limit' };
    }

    const parsed = parseReporting(body, this.d.zone);
    if (!parsed.ok) return { response: failResponse(parsed.error, quoted), outcome: 'fail' };
    return this.reporting(parsed.value);
  }

  private reporting(q: ReportingQuery): Outcome {
    const { faults } = this.d;
    const toKey = Math.min(lastKeyOf(q.toSecond), q.next ?? Infinity);
    const slice = this.d.store.page({ fromKey: firstKeyOf(q.fromSecond), toKey, limit: this.d.pageSize, matches: matcher(q) });
    const answeredNext = slice.nextKey === null ? null : faults.nextIsString ? String(slice.nextKey) : slice.nextKey;
    return {
      response: pageResponse(slice.events, slice.nextKey, faults.nextIsString, faults.emptyData),
      outcome: 'ok',
      pageEvents: slice.events.length,
      answeredNext,
    };
  }
}

/** The user/admin/search filters as one predicate; undefined when none applies (the fast path). */
function matcher(q: ReportingQuery): ((ev: StoredEvent) => boolean) | undefined {
  const { user, adminOnly, search } = q;
  if (user === undefined && !adminOnly && search === undefined) return undefined;
  return (ev) => {
    const e = ev.event;
    if (user !== undefined && e.Username.toLowerCase() !== user) return false;
    if (adminOnly && !(ev.admin || ADMIN_ACTIONS.has(e.Action.toLowerCase()))) return false;
    if (search !== undefined) {
      const hit = [e.Time, e.Username, e.IP_Address, e.Action, e.Data].some((field) => field.toLowerCase().includes(search));
      if (!hit) return false;
    }
    return true;
  };
}

function failWith(status: number, message: string, headers: Record<string, string>): SimResponse {
  return { status, body: JSON.stringify({ status: 'FAIL', error: [message] }), headers };
}
