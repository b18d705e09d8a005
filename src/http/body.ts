// Reads a response body into memory with a hard size cap, so one oversized (or hostile)
// answer cannot exhaust memory: the stream is destroyed as soon as the cap is passed.

import type { Readable } from 'node:stream';

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response body exceeds ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readCappedBody(body: Readable, maxBytes: number, declaredLength: string | undefined): Promise<string> {
  // Refuse early when the server announces too much.
  if (declaredLength !== undefined && /^\d+$/.test(declaredLength.trim()) && Number(declaredLength) > maxBytes) {
    body.destroy();
    throw new BodyTooLargeError(maxBytes);
  }
  // Decoded chunk by chunk: the text lives in the JS heap, which the collector watches,
  // instead of a second, concatenated copy in external memory freed only by a full GC.
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buf.length;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      text += decoder.decode(buf, { stream: true });
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  return text + decoder.decode();
}
