// Kiteworks error bodies come in three shapes: {"errors":[{code,message}]} (REST),
// {"error","error_description"} (OAuth) and a flat {code,message}. One reader for all.

import { excerpt, type Redactor } from '../../core/redact.js';

/** Longest vendor message quoted in an error. */
const MAX_MESSAGE_CHARS = 160;

export interface KiteworksErrorInfo {
  /** ERR_AUTH_UNAUTHORIZED, invalid_grant, ... or undefined. */
  code: string | undefined;
  message: string;
}

export function readKiteworksError(body: string): KiteworksErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON (an HTML page from a proxy): the whole text, cut only once redacted (describeKiteworksError).
    return { code: undefined, message: body.trim() === '' ? '(empty body)' : body };
  }
  if (!parsed || typeof parsed !== 'object') return { code: undefined, message: String(parsed) };
  const b = parsed as Record<string, unknown>;
  const list = Array.isArray(b['errors']) ? b['errors'] : Array.isArray(b['error']) ? b['error'] : undefined;
  const first = list?.[0];
  if (first && typeof first === 'object') {
    const e = first as Record<string, unknown>;
    return { code: typeof e['code'] === 'string' ? e['code'] : undefined, message: typeof e['message'] === 'string' ? e['message'] : '' };
  }
  if (typeof b['error'] === 'string') return { code: b['error'], message: typeof b['error_description'] === 'string' ? b['error_description'] : '' };
  return { code: typeof b['code'] === 'string' ? b['code'] : undefined, message: typeof b['message'] === 'string' ? b['message'] : '' };
}

/** "HTTP 401 invalid_client: ..." with the vendor's message redacted, then cut. */
export function describeKiteworksError(status: number, info: KiteworksErrorInfo, redactor: Redactor): string {
  const message = excerpt(info.message, redactor, { maxChars: MAX_MESSAGE_CHARS, stripMarkup: true });
  return `HTTP ${status}${info.code ? ` ${info.code}` : ''}${message ? `: ${message}` : ''}`;
}
