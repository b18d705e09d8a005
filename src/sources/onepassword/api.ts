// The 1Password Events Reporting API calls, and the mapping of its answers to Siphon's errors.

import type { HttpClient, HttpResponse, JsonObject, VendorEvent } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import { excerpt, type Redactor } from '../../core/redact.js';

export interface EventsPage {
  cursor: string;
  has_more: boolean;
  items: VendorEvent[];
}

export interface Introspection {
  features: string[];
  uuid: string | undefined;
}

/** Raised when the API refuses a saved cursor (HTTP 400 to a `{cursor}` body). */
export class CursorRejectedError extends SiphonError {
  constructor(operation: string, vendorMessage: string) {
    super('PULL_HTTP_ERROR', `${operation} rejected the saved cursor (HTTP 400: ${vendorMessage})`, { operation });
  }
}

/** Longest vendor message quoted in an error. */
const MAX_VENDOR_MESSAGE_CHARS = 200;

/** Reads both known error shapes: {"Error":{"Message":...}} and {"status":..,"message":...}; redacted, then cut. */
function vendorErrorMessage(body: string, redactor: Redactor): string {
  const text = excerpt(vendorErrorText(body), redactor, { maxChars: MAX_VENDOR_MESSAGE_CHARS });
  return text.length > 0 ? text : '(empty body)';
}

function vendorErrorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const nested = record['Error'];
      if (nested && typeof nested === 'object') {
        const message = (nested as Record<string, unknown>)['Message'];
        if (typeof message === 'string') return message;
      }
      if (typeof record['message'] === 'string') return record['message'];
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body;
}

export class OnePasswordApi {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly version: 'v1' | 'v2',
    private readonly redactor: Redactor,
  ) {}

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', accept: 'application/json' };
  }

  /** GET /api/v2/auth/introspect: the token's features. Errors are SetupErrors. */
  async introspect(signal: AbortSignal): Promise<Introspection> {
    const operation = 'GET /api/v2/auth/introspect';
    let res: HttpResponse;
    try {
      res = await this.http.request({ method: 'GET', url: `${this.baseUrl}/api/v2/auth/introspect`, headers: this.headers(), operation, signal });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new SiphonError('SETUP_UNREACHABLE', `${operation}: ${(err as Error).message}`, { operation }, { cause: err });
    }
    if (res.status === 401 || res.status === 403) {
      throw new SiphonError(
        'SETUP_AUTH_FAILED',
        `The 1Password token was rejected by ${this.baseUrl} (HTTP ${res.status}: ${vendorErrorMessage(res.body, this.redactor)}). ` +
          'It may be revoked, expired, or issued for another region.',
        { operation, status: res.status },
      );
    }
    if (res.status !== 200) {
      throw new SiphonError(
        'SETUP_NOT_PULLABLE',
        `Failed to fetch data from ${this.baseUrl}/api/v2/auth/introspect (HTTP ${res.status}: ${vendorErrorMessage(res.body, this.redactor)}). Source is not pullable.`,
        { operation, status: res.status },
      );
    }
    const body = parseObject(res.body, operation, 'SETUP_NOT_PULLABLE');
    const features = body['features'] ?? body['Features'];
    if (!Array.isArray(features) || !features.every((f) => typeof f === 'string')) {
      throw new SiphonError('SETUP_NOT_PULLABLE', `${operation} answered without a list of features`, { operation });
    }
    const uuid = body['uuid'] ?? body['UUID'];
    return { features, uuid: typeof uuid === 'string' ? uuid : undefined };
  }

  /** POST /api/{v}/{endpoint} with a ResetCursor or a Cursor body. */
  async events(endpoint: string, body: JsonObject, signal: AbortSignal): Promise<{ page: EventsPage; attempts: number }> {
    const path = `/api/${this.version}/${endpoint}`;
    const operation = `POST ${path}`;
    const res = await this.http.request({ method: 'POST', url: `${this.baseUrl}${path}`, headers: this.headers(), body, operation, signal });
    if (res.status !== 200) throw this.statusError(res, operation, 'cursor' in body);
    const parsed = parseObject(res.body, operation, 'PULL_MALFORMED_RESPONSE');
    const { cursor, has_more: hasMore, items } = parsed;
    if (typeof cursor !== 'string' || typeof hasMore !== 'boolean' || !Array.isArray(items)) {
      throw new SiphonError(
        'PULL_MALFORMED_RESPONSE',
        `${operation} answered 200 without the expected {cursor, has_more, items}`,
        { operation },
      );
    }
    for (const item of items) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw new SiphonError('PULL_MALFORMED_RESPONSE', `${operation} answered an item that is not an object`, { operation });
      }
    }
    return { page: { cursor, has_more: hasMore, items: items as VendorEvent[] }, attempts: res.attempts };
  }

  private statusError(res: HttpResponse, operation: string, sentCursor: boolean): SiphonError {
    const message = vendorErrorMessage(res.body, this.redactor);
    const details = { operation, status: res.status, attempts: res.attempts };
    if (res.status === 400 && sentCursor) return new CursorRejectedError(operation, message);
    if (res.status === 401 || res.status === 403) {
      return new SiphonError(
        'PULL_AUTH_LOST',
        `${operation}: the 1Password token was rejected (HTTP ${res.status}: ${message}); it may have been revoked or lost a feature`,
        details,
      );
    }
    if (res.status === 429) {
      return new SiphonError('PULL_RATE_LIMITED', `${operation}: still rate limited after ${res.attempts} attempt(s) (HTTP 429: ${message})`, details);
    }
    return new SiphonError('PULL_HTTP_ERROR', `${operation} answered HTTP ${res.status}: ${message}`, details);
  }
}

function parseObject(body: string, operation: string, code: ErrorCode): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SiphonError(code, `${operation} answered a body that is not JSON (${body.length} bytes)`, { operation });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SiphonError(code, `${operation} answered JSON that is not an object`, { operation });
  }
  return parsed as Record<string, unknown>;
}
