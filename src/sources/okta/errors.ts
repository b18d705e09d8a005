// Okta's error bodies come in two shapes: the API's {"errorCode","errorSummary",…} and the
// OAuth token endpoint's {"error","error_description"}. One reader for both; only the code is
// meant for decisions (Okta may reword its summaries).

import { excerpt, type Redactor } from '../../core/redact.js';

/** Longest vendor message quoted in an error. */
const MAX_MESSAGE_CHARS = 200;

export interface OktaErrorInfo {
  /** E0000011, invalid_client, … or undefined. */
  readonly code: string | undefined;
  readonly message: string;
}

export function readOktaError(body: string): OktaErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON (a proxy's page): the whole text, cut only once redacted (describeOktaError).
    return { code: undefined, message: body.trim() === '' ? '(empty body)' : body };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { code: undefined, message: String(body) };
  const b = parsed as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (typeof b['errorCode'] === 'string') return { code: b['errorCode'], message: text(b['errorSummary']) };
  if (typeof b['error'] === 'string') return { code: b['error'], message: text(b['error_description']) };
  return { code: undefined, message: body };
}

/** "HTTP 401 E0000011: Invalid token provided", the vendor's text redacted, then cut. */
export function describeOktaError(status: number, info: OktaErrorInfo, redactor: Redactor): string {
  const message = excerpt(info.message, redactor, { maxChars: MAX_MESSAGE_CHARS, stripMarkup: true });
  return `HTTP ${status}${info.code ? ` ${info.code}` : ''}${message ? `: ${message}` : ''}`;
}
