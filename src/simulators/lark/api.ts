// The two vendor endpoints. Token: faults, body, app_id/app_secret, then the reuse rule.
// audit_infos, in the order the platform applies them: the bearer token (99991661 /
// 99991663), the app's scope (99991672), the per-app rate limit (99991400), injected
// faults (rate limit, 5xx, malformed), the query (105000x), and finally the page.

import type { Delays } from '../common/delays.js';
import { bearerToken, type SimRequest, type SimResponse } from '../common/http-server.js';
import { Prng } from '../common/prng.js';
import type { FaultState } from './faults.js';
import type { IdType } from './generator.js';
import type { AppRateLimits } from './limits.js';
import { encodePageToken } from './pagetoken.js';
import { parseAuditQuery, type AuditQuery } from './request.js';
import { JSON_HEADERS, PLATFORM, larkError, malformedResponse, pageResponse, scopeError, tokenGrant } from './responses.js';
import type { StatsRecorder } from './stats.js';
import type { AuditStore } from './store.js';
import type { AppRegistry } from './tokens.js';
import type { LarkRequestRecord } from './types.js';

export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
export const AUDIT_PATH = '/open-apis/admin/v1/audit_infos';

export interface ApiDeps {
  readonly store: AuditStore;
  readonly apps: AppRegistry;
  readonly faults: FaultState;
  /** undefined when the rate limit is off. */
  readonly limits: AppRateLimits | undefined;
  /** The x-ogw-ratelimit-limit value (the configured budget, or the vendor's 100 when off). */
  readonly limitPerMinute: number;
  readonly retentionSeconds: number;
  /** Whether an operator_value names a member or bot of the tenant. */
  readonly knownOperator: (value: string, idType: IdType) => boolean;
  readonly stats: StatsRecorder;
  readonly delays: Delays;
  readonly now: () => number;
  readonly seed: number;
}

/** What one request came to: the response plus what the stats keep about it. */
interface Outcome {
  readonly response: SimResponse;
  readonly code: number;
  readonly items?: number;
  readonly hasMore?: boolean;
}

export class LarkApi {
  private readonly logRng: Prng;

  constructor(private readonly d: ApiDeps) {
    this.logRng = Prng.derive(d.seed, 'lark-logid');
  }

  /** POST /open-apis/auth/v3/tenant_access_token/internal. */
  async token(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.tokenArrived();
    await this.d.delays.wait(this.d.faults.delayMs);
    const logId = this.logId(at);
    let result: Outcome & { token?: string };
    const faultStatus = this.d.faults.takeTokenError();
    if (faultStatus !== undefined) result = { response: larkError(faultStatus, PLATFORM.tokenInternal, logId), code: PLATFORM.tokenInternal.code };
    else result = this.grant(req.body, logId);
    this.record(at, req, result, result.token);
    return result.response;
  }

  /** GET /open-apis/admin/v1/audit_infos. */
  async auditInfos(req: SimRequest): Promise<SimResponse> {
    const at = this.d.now();
    this.d.stats.auditArrived(at);
    await this.d.delays.wait(this.d.faults.delayMs);
    const bearer = bearerToken(req.headers.authorization);
    const result = this.audit(req, bearer, this.logId(at));
    this.record(at, req, result, bearer);
    return result.response;
  }

  private grant(bodyText: string | undefined, logId: string): Outcome & { token?: string } {
    const { apps } = this.d;
    const body = parseObject(bodyText);
    const check = body ? apps.check(body.app_id, body.app_secret) : 'invalid-param';
    if (check === 'invalid-param') return { response: larkError(400, PLATFORM.invalidParam, logId), code: PLATFORM.invalidParam.code };
    if (check === 'bad-secret') return { response: larkError(400, PLATFORM.badSecret, logId), code: PLATFORM.badSecret.code };
    const g = apps.grant(this.d.now());
    return { response: tokenGrant(g.token, g.expire, logId), code: 0, token: g.token };
  }

  private audit(req: SimRequest, bearer: string | undefined, logId: string): Outcome {
    const { faults, apps, limits } = this.d;
    const now = this.d.now();
    if (bearer === undefined) return { response: larkError(400, PLATFORM.missingToken, logId), code: PLATFORM.missingToken.code };
    if (!apps.accepts(bearer, now)) return { response: larkError(faults.invalidTokenHttpStatus, PLATFORM.invalidToken, logId), code: PLATFORM.invalidToken.code };
    if (faults.scopeMissing) return { response: scopeError(logId), code: PLATFORM.scope.code };
    if (limits) {
      const admitted = limits.tryAcquire(apps.appId, now);
      if (!admitted.ok) return this.rateLimited(429, admitted.resetSeconds, logId);
    }

    const injected = faults.take();
    if (injected?.kind === 'rate-limit') return this.rateLimited(injected.status, injected.resetSeconds, logId);
    if (injected?.kind === 'server-error') {
      const e = injected.status === 500 ? PLATFORM.dbError : PLATFORM.rpcError;
      return { response: larkError(injected.status, e, logId), code: e.code };
    }
    if (injected?.kind === 'malformed') return { response: malformedResponse(injected.variant, logId), code: -1 };

    const parsed = parseAuditQuery(req.query, {
      nowSeconds: Math.floor(now / 1000),
      retentionSeconds: this.d.retentionSeconds,
      knownOperator: this.d.knownOperator,
    });
    if (!parsed.ok) return { response: larkError(400, parsed.error, logId), code: parsed.error.code };
    return this.page(parsed.value, logId);
  }

  private page(q: AuditQuery, logId: string): Outcome {
    const slice = this.d.store.page({ oldest: q.oldest, latest: q.latest, before: q.before, limit: q.pageSize, matches: q.matches });
    const last = slice.items[slice.items.length - 1];
    const token = slice.hasMore && last ? encodePageToken({ time: last.time, seq: last.seq, oldest: q.oldest, latest: q.latest }, q.queryKey) : undefined;
    return { response: pageResponse(slice.items, q.idType, token, logId), code: 0, items: slice.items.length, hasMore: token !== undefined };
  }

  private rateLimited(status: number, resetSeconds: number, logId: string): Outcome {
    const response = larkError(status, PLATFORM.rateLimit, logId);
    return {
      response: { ...response, headers: { ...JSON_HEADERS, ...response.headers, 'x-ogw-ratelimit-limit': String(this.d.limitPerMinute), 'x-ogw-ratelimit-reset': String(resetSeconds) } },
      code: PLATFORM.rateLimit.code,
    };
  }

  private record(at: number, req: SimRequest, r: Outcome, token: string | undefined): void {
    const rec: LarkRequestRecord = {
      at,
      path: req.path,
      query: Object.fromEntries(req.query),
      status: r.response.status,
      code: r.code,
      items: r.items ?? 0,
      hasMore: r.hasMore ?? false,
      ...(token === undefined ? {} : { tokenSuffix: token.slice(-6) }),
    };
    this.d.stats.answered(rec);
  }

  /** A log id like the platform's: UTC yyyymmddHHMMSS and 18 hex digits. */
  private logId(at: number): string {
    const stamp = new Date(at).toISOString().replace(/\D/g, '').slice(0, 14);
    const a = this.logRng.u32().toString(16).padStart(8, '0');
    const b = this.logRng.u32().toString(16).padStart(8, '0');
    const c = this.logRng.int(256).toString(16).padStart(2, '0');
    return `${stamp}${a}${b}${c}`.toUpperCase();
  }
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
