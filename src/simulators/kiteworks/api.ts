// The two vendor endpoints.
// Token: the per-IP rate limit (403), then the form and the grant (OAuth errors, HTTP 400).
// Activities, in the order the appliance's layers apply them: the per-IP rate limit (403
// ERR_REQUEST_LIMIT), injected front-door faults (490 WAF, 403 rate limit, 5xx), the bearer
// token (401 ERR_AUTH_UNAUTHORIZED), the admin's Activity Log right (403 ERR_ACCESS_USER), the
// query (422 ERR_INVALID_PARAMETER), an injected malformed answer, and finally the page.

import type { Delays } from '../common/delays.js';
import { bearerToken, type SimRequest, type SimResponse } from '../common/http-server.js';
import type { SlidingWindowLimiter } from '../common/rate-limit.js';
import type { FaultState } from './faults.js';
import { parseActivitiesQuery, parseBasicAuth, parseForm } from './request.js';
import { REST_ERRORS, malformedResponse, oauthError, pageResponse, restError, serverError, tokenResponse } from './responses.js';
import type { StatsRecorder } from './stats.js';
import type { ActivityStore } from './store.js';
import type { OAuthServer } from './tokens.js';
import type { KiteworksRequestRecord } from './types.js';

export const TOKEN_PATH = '/oauth/token';
export const ACTIVITIES_PATH = '/rest/admin/activities';

export interface ApiDeps {
  readonly store: ActivityStore;
  readonly oauth: OAuthServer;
  readonly faults: FaultState;
  /** Shared by both endpoints (the vendor counts per IP address); undefined when off. */
  readonly limiter: SlidingWindowLimiter | undefined;
  readonly maxRangeDays: number | undefined;
  readonly stats: StatsRecorder;
  readonly delays: Delays;
  readonly now: () => number;
}

/** What one request came to: the response plus what the stats keep about it. */
interface Outcome {
  readonly response: SimResponse;
  readonly code: string;
  readonly items?: number;
  readonly detail?: string;
}

export class KiteworksApi {
  constructor(private readonly d: ApiDeps) {}

  /** POST /oauth/token. */
  async token(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.tokenArrived();
    await this.d.delays.wait(this.d.faults.delayMs);
    let result: Outcome & { token?: string };
    if (this.d.limiter && !this.d.limiter.tryAcquire(this.d.now())) result = { response: restError(REST_ERRORS.rateLimit), code: REST_ERRORS.rateLimit.code };
    else result = this.grant(req);
    this.record(at, req, result, result.token);
    return result.response;
  }

  /** GET /rest/admin/activities. */
  async activities(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    const version = req.headers['x-accellion-version'];
    this.d.stats.activitiesArrived(at, typeof version === 'string' && version !== '' ? version : undefined);
    await this.d.delays.wait(this.d.faults.delayMs);
    const bearer = bearerToken(req.headers.authorization);
    const result = this.serveActivities(req, bearer);
    this.record(at, req, result, bearer);
    return result.response;
  }

  private grant(req: SimRequest): Outcome & { token?: string } {
    const form = parseForm(req.headers['content-type'], req.body);
    if (form === 'repeated') return this.oauthFailure('invalid_request', 'Parameters must not be repeated');
    if (form === undefined) return this.oauthFailure('invalid_request', 'The request body must be application/x-www-form-urlencoded');
    const basic = parseBasicAuth(req.headers.authorization);
    const r = this.d.oauth.grant(form, basic, this.d.now());
    if (!r.ok) return this.oauthFailure(r.error.error, r.error.description);
    return { response: tokenResponse(r.grant, this.d.faults.expiresInIsString), code: 'ok', token: r.grant.accessToken };
  }

  private serveActivities(req: SimRequest, bearer: string | undefined): Outcome {
    const { faults, oauth, limiter } = this.d;
    const now = this.d.now();
    if (limiter && !limiter.tryAcquire(now)) return this.rest(REST_ERRORS.rateLimit);

    const injected = faults.take();
    if (injected?.kind === 'waf') return this.rest(REST_ERRORS.waf);
    if (injected?.kind === 'rate-limit') {
      const after = injected.retryAfterSeconds;
      return this.rest(REST_ERRORS.rateLimit, after === undefined ? {} : { 'Retry-After': String(after) });
    }
    if (injected?.kind === 'server-error') return { response: serverError(injected.status), code: injected.status === 500 ? REST_ERRORS.internal.code : `HTTP_${injected.status}` };

    if (bearer === undefined || !oauth.accepts(bearer, now)) return this.rest(REST_ERRORS.unauthorized);
    if (faults.activityLogDenied) return this.rest(REST_ERRORS.accessDenied);

    const parsed = parseActivitiesQuery(req.query, this.d.maxRangeDays);
    if (!parsed.ok) return { ...this.rest(REST_ERRORS.invalidParameter), detail: parsed.reason };

    const shape = faults.currentShape;
    const malformed = faults.takeMalformedAnswer();
    if (malformed?.kind === 'malformed') return { response: malformedResponse(malformed.variant, shape), code: 'malformed' };

    const q = parsed.value;
    const items = this.d.store.page({ fromSec: q.fromSec, toSec: q.toSec, ascending: q.ascending, offset: q.offset, limit: q.limit, matches: q.matches });
    return { response: pageResponse(items, shape, faults.currentOffsetStyle), code: 'ok', items: items.length };
  }

  private rest(e: (typeof REST_ERRORS)[keyof typeof REST_ERRORS], headers: Record<string, string> = {}): Outcome {
    return { response: restError(e, headers), code: e.code };
  }

  private oauthFailure(error: string, description: string): Outcome {
    return { response: oauthError(error, description), code: error, detail: description };
  }

  private record(at: number, req: SimRequest, r: Outcome, token: string | undefined): void {
    const rec: KiteworksRequestRecord = {
      at,
      path: req.path,
      query: Object.fromEntries(req.query),
      status: r.response.status,
      items: r.items ?? 0,
      code: r.code,
      ...(r.detail === undefined ? {} : { detail: r.detail }),
      ...(token === undefined ? {} : { tokenSuffix: token.slice(-6) }),
    };
    this.d.stats.answered(rec);
  }
}
