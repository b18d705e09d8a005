// Answer bodies in Okta's shapes: API errors as {"errorCode","errorSummary","errorLink",
// "errorId","errorCauses"}, OAuth errors as {"error","error_description"}, the token answer,
// log pages (a JSON array) with their Link headers, and the unusable answers of the
// malformed fault. The codes and summaries are Okta's (E0000011, E0000006, E0000047,
// E0000009, E0000001, E0000053); the 502/503/504 pages of a load balancer are invented.

import type { SimResponse } from '../common/http-server.js';
import type { IssuedToken, OAuthRefusal } from './tokens.js';

export const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

export const OKTA_ERRORS = {
  invalidToken: { status: 401, code: 'E0000011', summary: 'Invalid token provided' },
  forbidden: { status: 403, code: 'E0000006', summary: 'You do not have permission to perform the requested action' },
  rateLimit: { status: 429, code: 'E0000047', summary: 'API call exceeded rate limit due to too many requests.' },
  internal: { status: 500, code: 'E0000009', summary: 'Internal Server Error' },
  notFound: { status: 404, code: 'E0000007', summary: 'Not found: Resource not found' },
  methodNotAllowed: { status: 405, code: 'E0000022', summary: 'The endpoint does not support the provided HTTP method' },
} as const;

export interface OktaErrorSpec {
  readonly status: number;
  readonly code: string;
  readonly summary: string;
}

/** An Okta API error; `requestId` is its errorId and the X-Okta-Request-Id header. */
export function oktaError(e: OktaErrorSpec, requestId: string, headers: Record<string, string> = {}): SimResponse {
  const body = { errorCode: e.code, errorSummary: e.summary, errorLink: e.code, errorId: requestId, errorCauses: [] };
  return { status: e.status, body: JSON.stringify(body), headers: { ...JSON_HEADERS, 'X-Okta-Request-Id': requestId, ...headers } };
}

export function oauthError(r: OAuthRefusal): SimResponse {
  return { status: r.status, body: JSON.stringify({ error: r.error, error_description: r.description }), headers: { ...JSON_HEADERS, 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
}

export function tokenResponse(t: IssuedToken): SimResponse {
  const body = { token_type: 'Bearer', expires_in: t.expiresIn, access_token: t.accessToken, scope: t.scope };
  return { status: 200, body: JSON.stringify(body), headers: { ...JSON_HEADERS, 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
}

/** A page: the events (JSON texts) as an array; `self` and `next` as Link headers (joined, as HTTP allows). */
export function pageResponse(events: readonly string[], links: { self: string; next: string }, headers: Record<string, string>): SimResponse {
  return {
    status: 200,
    body: `[${events.join(',')}]`,
    headers: { ...JSON_HEADERS, ...headers, Link: `<${links.self}>; rel="self", <${links.next}>; rel="next"` },
  };
}

/** A 5xx: Okta's JSON for 500, a load balancer's page for the others. */
export function serverError(status: number, requestId: string): SimResponse {
  if (status === 500) return oktaError(OKTA_ERRORS.internal, requestId);
  return { status, body: `<html><head><title>${status}</title></head><body><h1>${status} Service Unavailable</h1></body></html>`, headers: { 'Content-Type': 'text/html' } };
}

/** HTTP 200 answers a client cannot use, rotating through four kinds. */
export function malformedResponse(variant: number): SimResponse {
  switch (variant % 4) {
    case 0:
      // Cut off mid-event, as when a connection drops behind a proxy.
      return { status: 200, body: '[{"actor":{"id":"00u1abcdefghijklmn0x7","type":"User"},"published":"2026-05-01T10:0', headers: { ...JSON_HEADERS } };
    case 1:
      // An object where the list belongs.
      return { status: 200, body: '{"events":[]}', headers: { ...JSON_HEADERS } };
    case 2:
      // Items that are not events.
      return { status: 200, body: '[null,42]', headers: { ...JSON_HEADERS } };
    default:
      // A sign-in page from a proxy in front of the org.
      return { status: 200, body: '<!DOCTYPE html><html><head><title>Sign In</title></head><body><form method="post" action="/login"></form></body></html>', headers: { 'Content-Type': 'text/html; charset=UTF-8' } };
  }
}
