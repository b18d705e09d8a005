// Answer bodies in Lark's shapes: {"code":…,"msg":…} envelopes (plus `error` where the
// platform adds one), the token grant, and pages assembled from pre-rendered items.

import type { SimResponse } from '../common/http-server.js';
import { renderItem, type IdType, type StoredItem } from './generator.js';

export const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' } as const;

const SCOPE = 'admin:audit_info:readonly';

export const PLATFORM = {
  missingToken: { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' },
  invalidToken: { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' },
  scope: { code: 99991672, msg: `Access denied. One of the following scopes is required: [${SCOPE}].` },
  rateLimit: { code: 99991400, msg: 'request trigger frequency limit' },
  dbError: { code: 1050002, msg: 'DB error' },
  rpcError: { code: 1050008, msg: 'RPC error' },
  invalidParam: { code: 10003, msg: 'invalid param' },
  badSecret: { code: 10014, msg: 'app secret invalid' },
  // Seen from the token endpoint in the wild (ConnectAI-E/feishu-openai#21).
  tokenInternal: { code: 2200, msg: 'internal error' },
  notFound: { code: 404, msg: 'not found' },
} as const;

export function larkError(status: number, e: { code: number; msg: string }, logId: string, extra: Record<string, unknown> = {}): SimResponse {
  return { status, body: JSON.stringify({ code: e.code, msg: e.msg, ...extra }), headers: { ...JSON_HEADERS, 'X-Tt-Logid': logId } };
}

export function scopeError(logId: string): SimResponse {
  return larkError(400, PLATFORM.scope, logId, {
    error: {
      permission_violations: [
        {
          type: 'action_scope_required',
          subject: SCOPE,
          description: `The app needs the scope ${SCOPE} (read behaviour audit logs). Enable it in the developer console and publish a new app version.`,
        },
      ],
      log_id: logId,
    },
  });
}

export function tokenGrant(token: string, expire: number, logId: string): SimResponse {
  return { status: 200, body: JSON.stringify({ code: 0, msg: 'ok', tenant_access_token: token, expire }), headers: { ...JSON_HEADERS, 'X-Tt-Logid': logId } };
}

/** `{"code":0,"msg":"success","data":{"has_more":…,"items":[…],"page_token"?:…}}`, page_token only when has_more. */
export function pageResponse(items: readonly StoredItem[], idType: IdType, pageToken: string | undefined, logId: string): SimResponse {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = renderItem(items[i] as StoredItem, idType);
  const token = pageToken === undefined ? '' : `,"page_token":${JSON.stringify(pageToken)}`;
  const body = `{"code":0,"msg":"success","data":{"has_more":${pageToken !== undefined},"items":[${parts.join(',')}]${token}}}`;
  return { status: 200, body, headers: { ...JSON_HEADERS, 'X-Tt-Logid': logId } };
}

/** HTTP 200 answers a client cannot use, rotating through four kinds. */
export function malformedResponse(variant: number, logId: string): SimResponse {
  const headers = { ...JSON_HEADERS, 'X-Tt-Logid': logId };
  switch (variant % 4) {
    case 0:
      // Cut off mid-item, as when a connection drops behind a proxy.
      return { status: 200, body: '{"code":0,"msg":"success","data":{"has_more":true,"items":[{"event_id":"7254062411181719572","unique_id":"72540', headers };
    case 1:
      return { status: 200, body: '{"code":0,"msg":"success","data":{"has_more":false,"items":{}}}', headers };
    case 2:
      return { status: 200, body: '{"code":0,"msg":"success"}', headers };
    default:
      return {
        status: 200,
        body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>tengine</center></body></html>',
        headers: { 'Content-Type': 'text/html', 'X-Tt-Logid': logId },
      };
  }
}
