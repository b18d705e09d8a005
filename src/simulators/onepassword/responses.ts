// Response bodies in the API's shapes. Errors come in two shapes seen in the wild:
// {"Error":{"Message":…}} (spec 1.2.0, observed) and {"status":…,"message":…} (reference 1.4.x).

import { STATUS_CODES } from 'node:http';
import type { SimResponse } from '../common/http-server.js';
import type { ErrorShape } from './types.js';

export function errorResponse(shape: ErrorShape, status: number, message?: string, headers?: Record<string, string>): SimResponse {
  const text = message ?? STATUS_CODES[status] ?? 'Error';
  if (shape === 'text') return { status, body: `${status} ${text}\n`, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } };
  const body = shape === 'Error' ? { Error: { Message: text } } : { status, message: text };
  return headers ? { status, body: JSON.stringify(body), headers } : { status, body: JSON.stringify(body) };
}

/** A 200 whose body cannot be parsed: alternately a page cut short and a proxy's HTML page. */
export function malformedResponse(variant: number): SimResponse {
  const body =
    variant % 2 === 0
      ? '{"cursor":"aGVsbG8","has_more":true,"items":[{"uuid":"MCQODBBWJD5HISKYNP3HJPV2DV","timestamp":"2021-08-30T18:5'
      : '<html><head><title>502 Bad Gateway</title></head><body>upstream closed</body></html>';
  return { status: 200, body };
}
