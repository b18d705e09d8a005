// GET /rest/admin/activities with the application's access token and X-Accellion-Version.
// Reads both known answers: {"events":[camelCase]} (real appliances) and {"data":[spec]}.

import type { HttpClient, HttpResponse, Logger, VendorEvent } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { describeKiteworksError, readKiteworksError } from './errors.js';
import { sendWithTokenRenewal } from '../common/token-retry.js';
import { classifyKiteworksResponse, type AccessTokens, type KiteworksPhase } from './token.js';

export const ACTIVITIES_PATH = '/rest/admin/activities';

export interface ActivitiesQuery {
  /** ISO 8601 UTC, both inclusive. */
  start: string;
  end: string;
  offset: number;
  limit: number;
}

export class KiteworksApi {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly apiVersion: number,
    private readonly tokens: AccessTokens,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  /** One page, oldest first. A 401 renews the token once and sends the request again. */
  async activities(q: ActivitiesQuery, signal: AbortSignal, phase: KiteworksPhase): Promise<{ items: VendorEvent[]; attempts: number }> {
    const params = new URLSearchParams({ startDateTime: q.start, endDateTime: q.end, orderBy: 'created:asc', offset: String(q.offset), limit: String(q.limit) });
    const operation = `GET ${ACTIVITIES_PATH} (${q.start} to ${q.end}, offset ${q.offset})`;
    const details = { operation, start: q.start, end: q.end, offset: q.offset };
    const send = async (token: string): Promise<HttpResponse> => {
      try {
        return await this.http.request({
          method: 'GET',
          url: `${this.baseUrl}${ACTIVITIES_PATH}?${params.toString()}`,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'x-accellion-version': String(this.apiVersion) },
          operation,
          signal,
          classify: classifyKiteworksResponse,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw new SiphonError(phase === 'setup' ? 'SETUP_UNREACHABLE' : 'PULL_NETWORK', `${operation}: ${(err as Error).message}`, details, { cause: err });
      }
    };
    const { res, attempts } = await sendWithTokenRenewal(
      { get: () => this.tokens.get(signal, phase), invalidate: (t) => this.tokens.invalidate(t) },
      send,
      (r) => r.status === 401,
      (r) => this.logger.info(`${operation} answered 401 ${readKiteworksError(r.body).code ?? ''}: obtaining a new access token and trying again`),
    );
    if (res.status === 200) return { items: readItems(res.body, operation, phase, details), attempts };
    throw this.failure(res, operation, phase, details);
  }

  private failure(res: HttpResponse, operation: string, phase: KiteworksPhase, details: Record<string, unknown>): SiphonError {
    const info = readKiteworksError(res.body);
    const what = `${operation} answered ${describeKiteworksError(res.status, info, this.redactor)}`;
    const all = { ...details, status: res.status, error: info.code, attempts: res.attempts };
    const setup = phase === 'setup';
    let code: ErrorCode = setup ? 'SETUP_NOT_PULLABLE' : 'PULL_HTTP_ERROR';
    let advice = '';
    let permanent = false;
    if (res.status === 401) {
      code = setup ? 'SETUP_AUTH_FAILED' : 'PULL_AUTH_LOST';
      advice = '; a freshly obtained token was refused too';
      permanent = true;
    } else if (res.status === 403 && info.code === 'ERR_ACCESS_USER') {
      code = setup ? 'SETUP_FEATURE_MISSING' : 'PULL_AUTH_LOST';
      advice = '; the user must be an administrator with access to the Activity Log, and the application\'s scope must cover GET /admin/activities';
      permanent = true;
    } else if (res.status === 403) {
      code = setup ? 'SETUP_NOT_PULLABLE' : 'PULL_RATE_LIMITED';
      advice = `; still refused after ${res.attempts} attempt(s): Kiteworks answers its rate limit (30 requests/s per IP) with 403, so this is either a lasting rate limit or a missing permission`;
    } else if (res.status === 490) {
      advice = ': the request was blocked by the web application firewall in front of Kiteworks';
    }
    return new SiphonError(code, `${what}${advice}`, all, { permanent });
  }
}

function readItems(body: string, operation: string, phase: KiteworksPhase, details: Record<string, unknown>): VendorEvent[] {
  const fail = (why: string): SiphonError => new SiphonError(phase === 'setup' ? 'SETUP_NOT_PULLABLE' : 'PULL_MALFORMED_RESPONSE', `${operation}: ${why}`, details);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw fail(`the answer is not JSON (${body.length} bytes)`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('the answer is not a JSON object');
  const envelope = parsed as Record<string, unknown>;
  // Real appliances answer "events" (camelCase fields); the specification says "data".
  const list = envelope['events'] ?? envelope['data'];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every((i) => i && typeof i === 'object' && !Array.isArray(i))) throw fail('"events"/"data" is not a list of objects');
  return list as VendorEvent[];
}
