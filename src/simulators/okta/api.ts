// The two vendor endpoints.
// Token (POST /oauth2/v1/token): the form, then the service app's grant (tokens.ts).
// Logs (GET /api/v1/logs), in the order Okta's layers apply them: the org's rate limit (429
// E0000047), injected 429/5xx, the credential (401 E0000011), the right to read the System
// Log (403 E0000006), the query (400; request.ts), an injected cursor refusal (400 E0000001
// on a request that carries `after`), an injected malformed answer, and finally the page.
// Every log answer carries X-Okta-Request-Id and the X-Rate-Limit-* headers.

import type { Delays } from '../common/delays.js';
import type { SimRequest, SimResponse } from '../common/http-server.js';
import { Prng, randomAlphanumeric } from '../common/prng.js';
import { renderEvent } from './generator.js';
import type { FaultState } from './faults.js';
import { rateLimitHeaders, type OrgRateLimit } from './limits.js';
import { encodeAfter, parseLogsQuery, type LogsQuery } from './request.js';
import { OKTA_ERRORS, malformedResponse, oauthError, oktaError, pageResponse, serverError, tokenResponse, type OktaErrorSpec } from './responses.js';
import type { StatsRecorder } from './stats.js';
import type { LogStore, Position } from './store.js';
import { LOGS_SCOPE, type OktaCredentials } from './tokens.js';
import type { OktaRequestRecord } from './types.js';

export const LOGS_PATH = '/api/v1/logs';

export interface ApiDeps {
  readonly store: LogStore;
  readonly credentials: OktaCredentials;
  readonly faults: FaultState;
  /** Undefined when off. */
  readonly limiter: OrgRateLimit | undefined;
  readonly retentionMs: number;
  readonly stats: StatsRecorder;
  readonly delays: Delays;
  readonly now: () => number;
  readonly seed: number;
}

/** What one request came to: the response plus what the stats keep about it. */
interface Outcome {
  readonly response: SimResponse;
  readonly code: string;
  readonly items?: number;
  readonly detail?: string;
  readonly auth?: OktaRequestRecord['auth'];
}

type Caller = { kind: 'SSWS'; ok: boolean } | { kind: 'Bearer'; scopes: ReadonlySet<string> | undefined } | { kind: 'none' };

export class OktaApi {
  private baseUrl = '';
  private readonly ids: Prng;

  constructor(private readonly d: ApiDeps) {
    this.ids = Prng.derive(d.seed, 'okta-request-ids');
  }

  /** The org's URL once the server listens: where links point. */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** An X-Okta-Request-Id (also the errorId of an error). */
  requestId(): string {
    return randomAlphanumeric(this.ids, 27);
  }

  /** POST /oauth2/v1/token. */
  async token(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.tokenArrived();
    await this.d.delays.wait(this.d.faults.delayMs);
    const result = this.grant(req);
    this.record(at, req, result);
    return result.response;
  }

  /** GET /api/v1/logs. */
  async logs(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.logsArrived(at);
    await this.d.delays.wait(this.d.faults.delayMs);
    const result = this.serveLogs(req);
    this.record(at, req, result);
    return result.response;
  }

  private grant(req: SimRequest): Outcome {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (req.body === undefined || type !== 'application/x-www-form-urlencoded') {
      const refusal = { status: 400 as const, error: 'invalid_request' as const, description: 'The request body must be application/x-www-form-urlencoded.' };
      return { response: oauthError(refusal), code: refusal.error, detail: refusal.description };
    }
    const r = this.d.credentials.grant(new URLSearchParams(req.body), this.d.now());
    if (!r.ok) return { response: oauthError(r.refusal), code: r.refusal.error, detail: r.refusal.description };
    return { response: tokenResponse(r.token), code: 'ok' };
  }

  private serveLogs(req: SimRequest): Outcome {
    const { faults, limiter } = this.d;
    const now = this.d.now();
    const requestId = this.requestId();
    let headers: Record<string, string> = { 'X-Okta-Request-Id': requestId };
    if (limiter) {
      const admission = limiter.take(now);
      headers = { ...headers, ...admission.headers };
      if (!admission.admitted) {
        this.d.stats.rateLimitRefused();
        return this.error(OKTA_ERRORS.rateLimit, requestId, headers);
      }
    }

    const injected = faults.take();
    if (injected?.kind === 'rate-limit') {
      const resetMs = now + (injected.retryAfterSeconds ?? 1) * 1000;
      return this.error(OKTA_ERRORS.rateLimit, requestId, { ...headers, ...rateLimitHeaders(limiter?.limit ?? 50, 0, resetMs) });
    }
    if (injected?.kind === 'server-error') return { response: withHeaders(serverError(injected.status, requestId), headers), code: `HTTP_${injected.status}` };

    const caller = this.caller(req.headers.authorization, now);
    const auth = caller.kind;
    const authentic = caller.kind === 'SSWS' ? caller.ok : caller.kind === 'Bearer' && caller.scopes !== undefined;
    if (!authentic) {
      // A bearer token is refused the OAuth way too (RFC 6750).
      const challenge: Record<string, string> =
        caller.kind === 'Bearer' ? { 'WWW-Authenticate': `Bearer authorization_uri="${this.baseUrl}/oauth2/v1/authorize", realm="IdpRealm", scope="${LOGS_SCOPE}", error="invalid_token", error_description="The token is not valid."` } : {};
      return { ...this.error(OKTA_ERRORS.invalidToken, requestId, { ...headers, ...challenge }), auth };
    }
    const scoped = caller.kind !== 'Bearer' || caller.scopes?.has(LOGS_SCOPE) === true;
    if (faults.logsReadDenied || !scoped) return { ...this.error(OKTA_ERRORS.forbidden, requestId, headers), auth, detail: scoped ? 'denyLogsRead' : `the access token lacks ${LOGS_SCOPE}` };

    const parsed = parseLogsQuery(req.query, now);
    if (!parsed.ok) {
      const p = parsed.problem;
      return { ...this.error({ status: 400, code: p.errorCode, summary: p.summary }, requestId, headers), auth, detail: p.detail };
    }
    const query = parsed.value;
    if (query.after !== undefined && faults.takeBadCursor()) {
      return { ...this.error({ status: 400, code: 'E0000001', summary: "Api validation failed: 'after': The cursor is not valid." }, requestId, headers), auth, detail: 'badCursorNext' };
    }
    const malformed = faults.takeMalformedAnswer();
    if (malformed?.kind === 'malformed') return { response: withHeaders(malformedResponse(malformed.variant), headers), code: 'malformed', auth };

    const events = this.d.store.poll({ after: query.after, sinceMs: query.sinceMs, limit: query.limit, nowMs: now, retainedFromMs: now - this.d.retentionMs });
    const last = events[events.length - 1];
    const links = this.links(req, query, last === undefined ? query.after : { persistedAt: last.persistedAt, seq: last.seq });
    return { response: pageResponse(events.map(renderEvent), links, headers), code: 'ok', items: events.length, auth };
  }

  /**
   * `self` is the request as received; `next` continues after the last event served, or,
   * on an empty page, repeats the request's own position: a polling request always has a
   * next link, and following it later brings what was written meanwhile.
   */
  private links(req: SimRequest, query: LogsQuery, position: Position | undefined): { self: string; next: string } {
    const self = `${this.baseUrl}${req.path}${req.query.size > 0 ? `?${req.query.toString()}` : ''}`;
    const next = new URLSearchParams({ limit: String(query.limit), sortOrder: 'ASCENDING' });
    if (position === undefined) next.set('since', new Date(query.sinceMs).toISOString());
    else next.set('after', encodeAfter(position));
    return { self, next: `${this.d.faults.nextOrigin ?? this.baseUrl}${LOGS_PATH}?${next.toString()}` };
  }

  private caller(header: string | undefined, now: number): Caller {
    const m = header === undefined ? null : /^(SSWS|Bearer)\s+(\S+)$/i.exec(header.trim());
    const scheme = m?.[1]?.toUpperCase();
    const value = m?.[2] ?? '';
    if (scheme === 'SSWS') return { kind: 'SSWS', ok: this.d.credentials.acceptsApiToken(value) };
    if (scheme === 'BEARER') return { kind: 'Bearer', scopes: this.d.credentials.accessScopes(value, now) };
    return { kind: 'none' };
  }

  private error(e: OktaErrorSpec, requestId: string, headers: Record<string, string>): Outcome {
    return { response: oktaError(e, requestId, headers), code: e.code };
  }

  private record(at: number, req: SimRequest, r: Outcome): void {
    const rec: OktaRequestRecord = {
      at,
      path: req.path,
      query: Object.fromEntries(req.query),
      status: r.response.status,
      items: r.items ?? 0,
      code: r.code,
      ...(r.auth === undefined ? {} : { auth: r.auth }),
      ...(r.detail === undefined ? {} : { detail: r.detail }),
    };
    this.d.stats.answered(rec);
  }
}

function withHeaders(r: SimResponse, headers: Record<string, string>): SimResponse {
  return { ...r, headers: { ...headers, ...r.headers } };
}
