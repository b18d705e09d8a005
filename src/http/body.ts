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
  // The pieces as received (within the cap), decoded once at the end into one flat string.
  // Decoding piece by piece and joining with `+=` made a chain of 64 KiB strings that lived in
  // the young generation until JSON.parse flattened it into a second, full-size copy.
  const pieces: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buf.length;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      pieces.push(buf);
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  // TextDecoder as before: a leading byte-order mark is dropped, malformed bytes become U+FFFD.
  return new TextDecoder('utf-8').decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total));
}
