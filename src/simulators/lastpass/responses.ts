// Answer bodies in the endpoint's shapes. Logical errors are HTTP 200 with status "FAIL"
// and an array of messages; transport trouble (429, 5xx) comes as HTML from the web tier.

import { STATUS_CODES } from 'node:http';
import { jsonResponse, type SimResponse } from '../common/http-server.js';
import type { StoredEvent } from './generator.js';
import type { EmptyDataShape } from './types.js';

const HTML = { 'Content-Type': 'text/html; charset=UTF-8' };

/** `quoted`: the request body as received, quoted back in the error (the quoteRequestInErrors fault). */
export function failResponse(message: string, quoted?: string): SimResponse {
  return jsonResponse({ status: 'FAIL', error: quoted === undefined ? [message] : [message, `Request: ${quoted}`] });
}

export function authErrorResponse(asText: boolean, quoted?: string): SimResponse {
  if (!asText) return failResponse('Authorization Error', quoted);
  return { status: 200, body: quoted === undefined ? 'Authorization Error' : `Authorization Error. Request: ${quoted}`, headers: HTML };
}

export function htmlErrorResponse(status: number, headers: Record<string, string> = {}, quoted?: string): SimResponse {
  const reason = STATUS_CODES[status] ?? 'Error';
  const request = quoted === undefined ? '' : `<p>Request: ${escapeHtml(quoted)}</p>`;
  const body = `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1><p>The server could not complete your request. Please try again later.</p>${request}</body></html>\n`;
  return { status, body, headers: { ...HTML, ...headers } };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 200 answers a client cannot use, rotating through four kinds. */
export function malformedResponse(variant: number): SimResponse {
  switch (variant % 4) {
    case 0:
      // Cut off mid-event, as when a connection drops behind a proxy.
      return { status: 200, body: '{"status":"OK","next":null,"data":{"Event1":{"Time":"2024-11-03 01:3' };
    case 1:
      return { status: 200, body: '{"status":"OK","data":{"Event1":"not an object"}}' };
    case 2:
      return { status: 200, body: '{"status":"OK","next":{},"data":{}}' };
    default:
      return { status: 200, body: '<html><head><title>LastPass</title></head><body>We are performing maintenance. Please check back soon.</body></html>', headers: HTML };
  }
}

/** `{"status":"OK","next":…,"data":{"Event1":…}}` from pre-rendered event texts (Event1 = newest). */
export function pageResponse(events: readonly StoredEvent[], next: number | null, nextAsString: boolean, emptyShape: EmptyDataShape): SimResponse {
  const nextText = next === null ? 'null' : nextAsString ? `"${String(next)}"` : String(next);
  let data: string | undefined;
  if (events.length > 0) {
    const parts = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) parts[i] = `"Event${i + 1}":${(events[i] as StoredEvent).json}`;
    data = `{${parts.join(',')}}`;
  } else {
    data = EMPTY_DATA[emptyShape];
  }
  const body = data === undefined ? `{"status":"OK","next":${nextText}}` : `{"status":"OK","next":${nextText},"data":${data}}`;
  return { status: 200, body };
}

const EMPTY_DATA: Record<EmptyDataShape, string | undefined> = { object: '{}', array: '[]', null: 'null', absent: undefined };
