// The LastPass Enterprise API `reporting` command, and the mapping of its answers to
// Siphon's errors. One URL serves every command; credentials travel in the JSON body;
// logical errors come back as HTTP 200 with a status other than "OK".

import type { HttpClient, HttpResponse, JsonObject, JsonValue, VendorEvent } from '../../core/contracts.js';
import { SiphonError, type ErrorCode } from '../../core/errors.js';
import { excerpt, type Redactor } from '../../core/redact.js';

export interface ReportingRequest {
  /** Wall times in the account's zone, `YYYY-MM-DD HH:MM:SS`, both inclusive. */
  from: string;
  to: string;
  /** The previous answer's `next`, exactly as received (number or string). */
  next?: JsonValue;
}

export interface ReportingPage {
  /** Events in the order served: Event1 (the newest) first. */
  events: VendorEvent[];
  /** null when the window has been served completely. */
  next: JsonValue;
  attempts: number;
}

export interface LastPassCredentials {
  companyId: number | string;
  provisioningHash: string;
}

/** The vendor said the credentials are wrong ("Authorization Error", in JSON or plain text). */
export class CredentialsRejectedError extends SiphonError {
  constructor(endpoint: string, vendorText: string) {
    super(
      'PULL_AUTH_LOST',
      `Error during API call to ${endpoint}: the API answered "${vendorText}". ` +
        'Check credentials.company_id (the account number) and credentials.provisioning_hash (it changes when regenerated)',
      { endpoint },
      { permanent: true },
    );
  }
}

const AUTH_ERROR = /authori[sz]ation error/i;

export class LastPassApi {
  readonly endpoint: string;

  constructor(
    private readonly http: HttpClient,
    endpoint: string,
    private readonly credentials: LastPassCredentials,
    private readonly apiUser: string,
    private readonly redactor: Redactor,
  ) {
    this.endpoint = endpoint;
  }

  /** One `reporting` request. Throws SiphonError PullError codes (CredentialsRejectedError for bad credentials). */
  async reporting(req: ReportingRequest, signal: AbortSignal): Promise<ReportingPage> {
    const data: JsonObject = { from: req.from, to: req.to, user: 'allusers' };
    if (req.next !== undefined && req.next !== null) data['next'] = req.next;
    const body: JsonObject = {
      cid: this.credentials.companyId,
      provhash: this.credentials.provisioningHash,
      cmd: 'reporting',
      apiuser: this.apiUser,
      // Some integrations send `user` at the top level, the documentation lists it with `data`: send both.
      user: 'allusers',
      data,
    };
    const operation = `POST ${new URL(this.endpoint).pathname} (cmd reporting, ${req.from} to ${req.to}${req.next === undefined || req.next === null ? '' : `, next ${JSON.stringify(req.next)}`})`;
    const details = { operation, from: req.from, to: req.to };
    const res = await this.http.request({
      method: 'POST',
      url: this.endpoint,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      operation,
      signal,
    });
    if (res.status !== 200) throw this.statusError(res, details);
    const parsed = parseBody(res.body);
    if (parsed === undefined) {
      if (AUTH_ERROR.test(res.body)) throw new CredentialsRejectedError(this.endpoint, 'Authorization Error');
      throw new SiphonError('PULL_MALFORMED_RESPONSE', `Error during API call to ${this.endpoint}: the answer is not a JSON object (${describeText(res.body, this.redactor)})`, details);
    }
    const status = parsed['status'];
    if (status !== 'OK') {
      const text = vendorErrors(parsed);
      if (AUTH_ERROR.test(text)) throw new CredentialsRejectedError(this.endpoint, text);
      throw new SiphonError(
        'PULL_HTTP_ERROR',
        `Error during API call to ${this.endpoint}: the API answered status ${JSON.stringify(status ?? null)}: ${text}`,
        { ...details, vendorStatus: status ?? null },
      );
    }
    const next = parsed['next'] ?? null;
    if (next !== null && typeof next !== 'number' && typeof next !== 'string') {
      throw new SiphonError('PULL_MALFORMED_RESPONSE', `Error during API call to ${this.endpoint}: "next" is neither null, a number nor a string`, details);
    }
    return { events: readEvents(parsed['data'], this.endpoint, details), next, attempts: res.attempts };
  }

  private statusError(res: HttpResponse, details: Record<string, unknown>): SiphonError {
    const all = { ...details, status: res.status, attempts: res.attempts };
    const text = describeText(res.body, this.redactor);
    const prefix = `Error during API call to ${this.endpoint}: HTTP ${res.status}`;
    let code: ErrorCode = 'PULL_HTTP_ERROR';
    let advice = 'if it repeats, check that the LastPass API is reachable and operational';
    if (res.status === 401 || res.status === 403) {
      code = 'PULL_AUTH_LOST';
      advice = 'check that the credentials are right and may read reporting data';
    } else if (res.status === 429) {
      code = 'PULL_RATE_LIMITED';
      advice = 'lower rate_limit.requests_per_minute, or ask LastPass for more quota';
    }
    return new SiphonError(code, `${prefix} after ${res.attempts} attempt(s) (${text}); ${advice}`, all);
  }
}

/** `data`: an object of Event1..EventN, or {}, [], null or absent for "no events". */
function readEvents(data: unknown, endpoint: string, details: Record<string, unknown>): VendorEvent[] {
  if (data === undefined || data === null) return [];
  if (Array.isArray(data)) {
    if (data.length === 0) return [];
    // Not documented, but a PHP list of events is readable: take it in order.
    return data.map((item, i) => requireEvent(item, `data[${i}]`, endpoint, details));
  }
  if (typeof data !== 'object') {
    throw new SiphonError('PULL_MALFORMED_RESPONSE', `Error during API call to ${endpoint}: "data" is a ${typeof data}, not an object of events`, details);
  }
  const events: VendorEvent[] = [];
  const record = data as Record<string, unknown>;
  // Event1..EventN in the order served (integer-like keys would be reordered, but these are not).
  for (const key in record) events.push(requireEvent(record[key], key, endpoint, details));
  return events;
}

function requireEvent(item: unknown, key: string, endpoint: string, details: Record<string, unknown>): VendorEvent {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    throw new SiphonError('PULL_MALFORMED_RESPONSE', `Error during API call to ${endpoint}: ${key} is not an event object`, details);
  }
  if (typeof (item as Record<string, unknown>)['Time'] !== 'string') {
    throw new SiphonError('PULL_MALFORMED_RESPONSE', `Error during API call to ${endpoint}: ${key} has no "Time"`, details);
  }
  return item as VendorEvent;
}

function parseBody(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The vendor's `error`/`errors` (arrays of strings, or a string), joined. */
function vendorErrors(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const field of ['error', 'errors', 'message']) {
    const value = body[field];
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) parts.push(...value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
  }
  return parts.length > 0 ? parts.join(', ') : '(no error text)';
}

/** A short, single-line view of a body for an error message (HTML pages are cut), redacted before it is cut. */
function describeText(body: string, redactor: Redactor): string {
  const text = excerpt(body, redactor, { maxChars: 160, stripMarkup: true });
  return text.length === 0 ? 'empty body' : text;
}
