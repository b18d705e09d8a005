// GET /api/v1/logs with the configured credential: one page (a JSON array of LogEvents) and
// Okta's next link. An access token the API refuses (401) is renewed once and the request
// sent again; every other refusal is mapped to the catalogue here.

import type { Clock, HttpClient, HttpResponse, Logger, VendorEvent } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { sendWithTokenRenewal } from '../common/token-retry.js';
import type { OktaAuthorization, OktaPhase } from './auth.js';
import { LOGS_PATH } from './cursor.js';
import { describeOktaError, readOktaError } from './errors.js';
import { linkTarget } from './link.js';
import { oktaClassifier } from './rate-limit.js';

export interface LogsPage {
  readonly events: VendorEvent[];
  /** The `rel="next"` link as Okta wrote it; undefined when the answer had none. */
  readonly next: string | undefined;
  /** HTTP requests it took (retries and a token renewal included). */
  readonly attempts: number;
}

/** Okta refused a request that carried a cursor (`after`) as invalid (HTTP 400). */
export class CursorRejectedError extends SiphonError {
  constructor(operation: string, vendor: string, details: Record<string, unknown>) {
    super('PULL_HTTP_ERROR', `${operation} refused the saved cursor (${vendor})`, details);
  }
}

export class OktaApi {
  private readonly classify;

  constructor(
    private readonly http: HttpClient,
    private readonly oktaUrl: string,
    private readonly auth: OktaAuthorization,
    clock: Clock,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {
    this.classify = oktaClassifier(clock);
  }

  /** One page of `pathAndQuery` (`/api/v1/logs?…`). */
  async logs(pathAndQuery: string, signal: AbortSignal, phase: OktaPhase): Promise<LogsPage> {
    const operation = `GET ${LOGS_PATH}`;
    const details = { operation };
    const send = async (authorization: string): Promise<HttpResponse> => {
      try {
        return await this.http.request({
          method: 'GET',
          url: `${this.oktaUrl}${pathAndQuery}`,
          headers: { authorization, accept: 'application/json' },
          operation,
          signal,
          classify: this.classify,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        // The client's own errors (network, body too large) stand while pulling; at setup, Okta is unreachable.
        if (phase === 'pull' && err instanceof SiphonError) throw err;
        const code: ErrorCode = phase === 'setup' ? 'SETUP_UNREACHABLE' : 'PULL_NETWORK';
        throw new SiphonError(code, err instanceof Error ? err.message : String(err), details, { cause: err });
      }
    };
    let res: HttpResponse;
    let attempts: number;
    if (this.auth.renewable) {
      const result = await sendWithTokenRenewal(
        { get: () => this.auth.header(signal, phase), invalidate: (value) => this.auth.invalidate(value) },
        send,
        (r) => r.status === 401,
        (r) => this.logger.info(`${operation} answered ${describeOktaError(r.status, readOktaError(r.body), this.redactor)}: obtaining a new access token and trying again`),
      );
      res = result.res;
      attempts = result.attempts;
    } else {
      res = await send(await this.auth.header(signal, phase));
      attempts = res.attempts;
    }
    if (res.status !== 200) throw this.failure(res, operation, phase, hasCursor(pathAndQuery), { ...details, attempts });
    return { events: readEvents(res.body, operation, phase), next: linkTarget(res.headers['link'], 'next'), attempts };
  }

  private failure(res: HttpResponse, operation: string, phase: OktaPhase, sentCursor: boolean, details: Record<string, unknown>): SiphonError {
    const info = readOktaError(res.body);
    const vendor = describeOktaError(res.status, info, this.redactor);
    const all = { ...details, status: res.status, error: info.code };
    const setup = phase === 'setup';
    if (res.status === 400 && sentCursor && !setup) return new CursorRejectedError(operation, vendor, all);
    if (res.status === 401) {
      const why = this.auth.renewable
        ? `Okta refused ${this.auth.what}, even one obtained just now (${vendor}): the app may have been deactivated, or its admin role removed`
        : `Okta refused ${this.auth.what} (${vendor}): it may be revoked, expired (Okta expires API tokens unused for 30 days), or belong to another org than ${this.oktaUrl}`;
      return new SiphonError(setup ? 'SETUP_AUTH_FAILED' : 'PULL_AUTH_LOST', why, all, { permanent: true });
    }
    if (res.status === 403) {
      const fix = this.auth.renewable
        ? "grant okta.logs.read on the app's Okta API Scopes tab and assign the app an admin role that covers it (Read-Only Administrator or higher)"
        : 'the administrator who created the API token needs a role that may read the System Log (Read-Only Administrator or higher)';
      return new SiphonError(setup ? 'SETUP_FEATURE_MISSING' : 'PULL_AUTH_LOST', `${operation}: Okta does not let ${this.auth.what} read the System Log (${vendor}): ${fix}`, all, { permanent: true });
    }
    if (res.status === 429) {
      return new SiphonError(setup ? 'SETUP_NOT_PULLABLE' : 'PULL_RATE_LIMITED', `${operation}: still rate limited after ${res.attempts} attempt(s) (${vendor}); other clients may be using the org's limit`, all);
    }
    return new SiphonError(setup ? 'SETUP_NOT_PULLABLE' : 'PULL_HTTP_ERROR', `${operation} answered ${vendor}`, all);
  }
}

function hasCursor(pathAndQuery: string): boolean {
  return /[?&]after=/.test(pathAndQuery);
}

function readEvents(body: string, operation: string, phase: OktaPhase): VendorEvent[] {
  const fail = (why: string): SiphonError => new SiphonError(phase === 'setup' ? 'SETUP_NOT_PULLABLE' : 'PULL_MALFORMED_RESPONSE', `${operation}: ${why}`, { operation });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw fail(`the answer is not JSON (${body.length} bytes)`);
  }
  if (!Array.isArray(parsed)) throw fail('the answer is not a JSON array of events');
  if (!parsed.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) throw fail('the answer holds items that are not events');
  return parsed as VendorEvent[];
}
