// Answer bodies in Kiteworks' shapes: REST errors as {"errors":[{"code","message"}]}, OAuth
// errors as {"error","error_description"}, the token grant, pages from pre-rendered activities,
// and the unusable answers of the malformed fault.
//
// Known from the vendor: ERR_AUTH_UNAUTHORIZED and ERR_INVALID_PARAMETER bodies (fixtures), the
// 403 status of the rate limit and the 490 status of the WAF. Invented, because the real bodies
// are unknown: ERR_REQUEST_LIMIT "Rate limit exceeded" (403), ERR_WAF "Request blocked by WAF"
// (490), ERR_INTERNAL_SERVER_ERROR (500) and ERR_ENTITY_NOT_FOUND (404). ERR_ACCESS_USER is a
// spec code; the spec lists it under 401, this simulator sends it with 403 (a permission denial
// that a client can only tell from the rate limit by its persistence).

import type { SimResponse } from '../common/http-server.js';
import { renderActivity, type StoredActivity } from './generator.js';
import type { Grant } from './tokens.js';
import type { CreatedOffsetStyle, ResponseShape } from './types.js';

export const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

export const REST_ERRORS = {
  unauthorized: { status: 401, code: 'ERR_AUTH_UNAUTHORIZED', message: 'Unauthorized' },
  invalidParameter: { status: 422, code: 'ERR_INVALID_PARAMETER', message: 'Invalid Parameter Exception' },
  rateLimit: { status: 403, code: 'ERR_REQUEST_LIMIT', message: 'Rate limit exceeded' },
  accessDenied: { status: 403, code: 'ERR_ACCESS_USER', message: 'Insufficient permissions' },
  waf: { status: 490, code: 'ERR_WAF', message: 'Request blocked by WAF' },
  internal: { status: 500, code: 'ERR_INTERNAL_SERVER_ERROR', message: 'Internal Server Error' },
  notFound: { status: 404, code: 'ERR_ENTITY_NOT_FOUND', message: 'Not Found' },
  methodNotAllowed: { status: 405, code: 'ERR_REQUEST_METHOD_NOT_ALLOWED', message: 'Method Not Allowed' },
} as const;

export type RestError = (typeof REST_ERRORS)[keyof typeof REST_ERRORS];

export function restError(e: RestError, headers: Record<string, string> = {}): SimResponse {
  return { status: e.status, body: JSON.stringify({ errors: [{ code: e.code, message: e.message }] }), headers: { ...JSON_HEADERS, ...headers } };
}

export function oauthError(error: string, description: string): SimResponse {
  return { status: 400, body: JSON.stringify({ error, error_description: description }), headers: { ...JSON_HEADERS, 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
}

export function tokenResponse(g: Grant, expiresInAsString: boolean): SimResponse {
  const body: Record<string, unknown> = {
    access_token: g.accessToken,
    expires_in: expiresInAsString ? String(g.expiresIn) : g.expiresIn,
    token_type: 'bearer',
    scope: g.scope,
  };
  if (g.refreshToken !== undefined) body.refresh_token = g.refreshToken;
  return { status: 200, body: JSON.stringify(body), headers: { ...JSON_HEADERS, 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
}

/** `{"events":[…]}` or `{"data":[…]}`, no paging metadata. */
export function pageResponse(items: readonly StoredActivity[], shape: ResponseShape, offset: CreatedOffsetStyle): SimResponse {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = renderActivity(items[i] as StoredActivity, shape, offset);
  return { status: 200, body: `{"${shape}":[${parts.join(',')}]}`, headers: { ...JSON_HEADERS } };
}

/** A 5xx: Kiteworks' JSON for 500, the front proxy's HTML page for the others. */
export function serverError(status: number): SimResponse {
  if (status === 500) return restError(REST_ERRORS.internal);
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return { status, body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`, headers: { 'Content-Type': 'text/html' } };
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

/** HTTP 200 answers a client cannot use, rotating through five kinds. */
export function malformedResponse(variant: number, shape: ResponseShape): SimResponse {
  switch (variant % 5) {
    case 0:
      // Cut off mid-item, as when a connection drops behind a proxy.
      return { status: 200, body: `{"${shape}":[{"id":"3f1c9a2e-8b7d-4c1f-9e2a-5d6b7c8d9e0f","created":"2026-05-01T10:0`, headers: { ...JSON_HEADERS } };
    case 1:
      // The list is not a list.
      return { status: 200, body: `{"${shape}":{}}`, headers: { ...JSON_HEADERS } };
    case 2:
      // Neither envelope key (kitebroker: "got an empty response").
      return { status: 200, body: '{}', headers: { ...JSON_HEADERS } };
    case 3:
      // An item without its fields.
      return { status: 200, body: `{"${shape}":[null,{"id":null}]}`, headers: { ...JSON_HEADERS } };
    default:
      // A sign-in page from an SSO proxy in front of the appliance.
      return { status: 200, body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method="post" action="/login"></form></body></html>', headers: { 'Content-Type': 'text/html; charset=UTF-8' } };
  }
}
