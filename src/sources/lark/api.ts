// GET /open-apis/admin/v1/audit_infos, with the tenant token, the Lark rate-limit signal
// (code 99991400 with x-ogw-ratelimit-reset, as HTTP 429 or 400) and the invalid-token codes
// (renew once, try again). Answers are mapped to Devo's Lark error table (errors.ts).

import type { HttpClient, HttpResponse, Logger, RetryDecision, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { larkError, type LarkPhase } from './errors.js';
import { sendWithTokenRenewal } from '../common/token-retry.js';
import type { TenantTokens } from './token.js';

const AUDIT_INFOS_PATH = '/open-apis/admin/v1/audit_infos';

/** Token codes that mean "get a new tenant_access_token" (expired, invalid, wrong type, missing). */
const INVALID_TOKEN_CODES = new Set([99991663, 99991664, 99991671, 99991661]);
const RATE_LIMITED = 99991400;
const NO_PERMISSION = 99991672;
const NEEDED_SCOPE = 'admin:audit_info:readonly';

export interface AuditInfosQuery {
  /** Unix seconds, both inclusive. */
  oldest: number;
  latest: number;
  pageSize: number;
  userIdType: string;
  /** As received; URL-encoded exactly once here. */
  pageToken?: string | undefined;
}

export interface AuditInfosPage {
  items: VendorEvent[];
  hasMore: boolean;
  pageToken: string | undefined;
  /** HTTP requests it took (retries and a token renewal included). */
  attempts: number;
}

interface LarkBody {
  code: number | undefined;
  msg: string;
  body: Record<string, unknown> | undefined;
}

function readBody(text: string): LarkBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const body = parsed as Record<string, unknown>;
      return { code: typeof body['code'] === 'number' ? body['code'] : undefined, msg: typeof body['msg'] === 'string' ? body['msg'] : '', body };
    }
  } catch {
    // not JSON: handled by the caller
  }
  return { code: undefined, msg: '', body: undefined };
}

/** Lark says "slow down" with code 99991400 on HTTP 429 or 400, and when to retry in x-ogw-ratelimit-reset. */
function classifyLarkResponse(res: HttpResponse): RetryDecision {
  const limited = res.status === 429 || (res.status === 400 && readBody(res.body).code === RATE_LIMITED);
  if (limited) {
    const reset = Number(res.headers['x-ogw-ratelimit-reset']);
    return Number.isFinite(reset) && reset >= 0 ? { kind: 'retry', rateLimited: true, delayMs: Math.max(1, reset) * 1000 } : { kind: 'retry', rateLimited: true };
  }
  if (res.status >= 500) return { kind: 'retry', rateLimited: false };
  return { kind: 'done' };
}

export class LarkApi {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly tokens: TenantTokens,
    private readonly logger: Logger,
  ) {}

  /** One page of audit_infos. A refused token is renewed once and the request sent again. */
  async auditInfos(q: AuditInfosQuery, signal: AbortSignal, phase: LarkPhase): Promise<AuditInfosPage> {
    const params = new URLSearchParams({
      user_id_type: q.userIdType,
      oldest: String(q.oldest),
      latest: String(q.latest),
      page_size: String(q.pageSize),
    });
    // URLSearchParams encodes the token once, `%` included, as the API expects.
    if (q.pageToken !== undefined) params.set('page_token', q.pageToken);
    const operation = `GET ${AUDIT_INFOS_PATH} (oldest ${q.oldest}, latest ${q.latest}${q.pageToken === undefined ? '' : ', next page'})`;
    const details = { operation, oldest: q.oldest, latest: q.latest };
    const send = async (token: string): Promise<HttpResponse> => {
      try {
        return await this.http.request({
          method: 'GET',
          url: `${this.baseUrl}${AUDIT_INFOS_PATH}?${params.toString()}`,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          operation,
          signal,
          classify: classifyLarkResponse,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw larkError('api-error', phase, err instanceof SiphonError ? err.message : String(err), details, err);
      }
    };
    const invalidToken = (r: HttpResponse): boolean => {
      const { code } = readBody(r.body);
      return code !== undefined && INVALID_TOKEN_CODES.has(code);
    };
    const { res, attempts, refusedTwice } = await sendWithTokenRenewal(
      { get: () => this.tokens.get(signal, phase), invalidate: (t) => this.tokens.invalidate(t) },
      send,
      invalidToken,
      (r) => {
        const { code, msg } = readBody(r.body);
        this.logger.info(`The tenant_access_token was refused (code ${code ?? '?'}: ${msg}): generating a new one and trying again`);
      },
    );
    const { code, msg, body } = readBody(res.body);
    if (refusedTwice) {
      throw larkError('api-auth', phase, `(HTTP ${res.status}, code ${code ?? '?'}: ${msg}): a freshly generated token was refused too`, { ...details, status: res.status, code });
    }
    if (res.status === 200 && code === 0 && body) return { ...readPage(body, phase, details), attempts };
    throw this.failure(res, code, msg, body, phase, details);
  }

  private failure(
    res: HttpResponse,
    code: number | undefined,
    msg: string,
    body: Record<string, unknown> | undefined,
    phase: LarkPhase,
    details: Record<string, unknown>,
  ): SiphonError {
    const all = { ...details, status: res.status, code, attempts: res.attempts, log_id: logId(body, res) };
    const what = `(HTTP ${res.status}${code === undefined ? '' : `, code ${code}`}${msg ? `: ${msg}` : ''}${all.log_id ? `, log id ${all.log_id}` : ''})`;
    if (!body) return larkError('api-error', phase, `the answer is not JSON (HTTP ${res.status})`, all);
    if (code === NO_PERMISSION || res.status === 403) {
      return larkError(
        'api-permission',
        phase,
        `${what}: the app lacks the permission ${NEEDED_SCOPE} ("Read audit logs"), or the tenant's edition has no behaviour audit log. ` +
          'Add the scope in the developer console, publish a new app version, and have an administrator approve it',
        all,
      );
    }
    if (code === RATE_LIMITED || res.status === 429) {
      return larkError('api-rate-limited', phase, `${what}: still rate limited after ${res.attempts} attempt(s); lower rate_limit.requests_per_minute`, all);
    }
    return larkError('api-http', phase, what, all);
  }
}

function readPage(body: Record<string, unknown>, phase: LarkPhase, details: Record<string, unknown>): Omit<AuditInfosPage, 'attempts'> {
  const data = body['data'];
  if (data === undefined || data === null) return { items: [], hasMore: false, pageToken: undefined };
  if (typeof data !== 'object' || Array.isArray(data)) throw larkError('api-error', phase, '"data" is not an object', details);
  const d = data as Record<string, unknown>;
  const items = d['items'] ?? [];
  if (!Array.isArray(items) || !items.every((i) => i && typeof i === 'object' && !Array.isArray(i))) {
    throw larkError('api-error', phase, '"data.items" is not a list of objects', details);
  }
  const token = d['page_token'];
  return {
    items: items as VendorEvent[],
    hasMore: d['has_more'] === true,
    // An empty string is the same as no token.
    pageToken: typeof token === 'string' && token.length > 0 ? token : undefined,
  };
}

function logId(body: Record<string, unknown> | undefined, res: HttpResponse): string | undefined {
  const error = body?.['error'];
  const fromBody = error && typeof error === 'object' ? (error as Record<string, unknown>)['log_id'] : undefined;
  return typeof fromBody === 'string' ? fromBody : res.headers['x-tt-logid'];
}
