// Kiteworks error bodies come in three shapes: {"errors":[{code,message}]} (REST),
// {"error","error_description"} (OAuth) and a flat {code,message}. One reader for all.

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
    const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return { code: undefined, message: text.length > 160 ? `${text.slice(0, 160)}…` : text || '(empty body)' };
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

export function describeKiteworksError(status: number, info: KiteworksErrorInfo): string {
  return `HTTP ${status}${info.code ? ` ${info.code}` : ''}${info.message ? `: ${info.message}` : ''}`;
}
