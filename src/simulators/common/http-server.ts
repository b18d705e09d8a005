// A minimal HTTP server for simulators: reads bounded bodies, writes prepared JSON
// strings, and closes keep-alive sockets on shutdown so tests end promptly. Given a key
// and certificate it speaks HTTPS instead (for vendors reached over a private CA).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The raw body, or undefined when it was larger than the limit. */
  readonly body: string | undefined;
}

export interface SimResponse {
  readonly status: number;
  /** Sent as is: handlers build JSON text themselves (cheap for big pages). */
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** A JSON answer from a value (handlers with big pages build their text themselves). */
export function jsonResponse(value: unknown, status = 200): SimResponse {
  return { status, body: JSON.stringify(value) };
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none or it is malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
}

export type SimHandler = (req: SimRequest) => Promise<SimResponse> | SimResponse;

export interface JsonServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** PEM key and certificate (chain) for an HTTPS simulator. */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

export async function startJsonServer(host: string, port: number, handler: SimHandler, tls?: TlsMaterial): Promise<JsonServer> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res, handler);
  };
  const server: Server = tls === undefined ? createServer(listener) : createHttpsServer({ key: tls.key, cert: tls.cert }, listener);
  // Simulators answer quickly; keep idle sockets short so leaks show up fast.
  server.keepAliveTimeout = 5_000;
  await listen(server, host, port);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    port: address.port,
    close: () => closeServer(server),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, handler: SimHandler): Promise<void> {
  let response: SimResponse;
  try {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    response = await handler({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    response = { status: 500, body: JSON.stringify({ Error: { Message: `simulator failure: ${message}` } }) };
  }
  if (res.destroyed) return;
  res.writeHead(response.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(response.body),
    ...response.headers,
  });
  res.end(response.body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // close() waits for idle keep-alive sockets; drop them so callers are not held up.
    server.closeAllConnections();
  });
}
