// The status server: liveness, readiness, Prometheus metrics, the status document and the
// status page, over HTTP (or HTTPS), optionally behind a bearer token.
//
// It only reads. Everything it serves comes from a StatusProvider (the running collector);
// its one state of its own is "a stop has begun" (setShuttingDown), so /ready turns 503 the
// moment a stop starts, whatever the provider still reports.
//
// With a token, every route but /health and the page itself needs `Authorization: Bearer
// <token>`: liveness probes must work without secrets, and the page holds no data (its
// script reads the token from the URL fragment, `#token=...`, which browsers never send to
// a server, and sends it as a header with each request for the status document).

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv6 } from 'node:net';
import type { Logger } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { Redactor } from '../core/redact.js';
import { readRegularFileSync } from '../config/bounded-read.js';
import type { StatusServerSettings } from '../config/types.js';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page.js';
import { STATUS_PATHS, type Readiness, type StatusProvider } from './status-types.js';

export interface StatusServer {
  /** `http(s)://host:port`, with the port actually bound (also when 0 was configured). */
  readonly url: string;
  /** A stop has begun: from now on /ready answers 503 "shutting down" (/health stays 200). */
  setShuttingDown(): void;
  /** Stops listening and ends every connection at once, keep-alive and in-flight ones included. */
  close(): Promise<void>;
}

export interface StatusServerOptions {
  /**
   * The configuration's secrets: every response body is redacted with it, a second line of
   * defence behind a provider that never puts a secret in the first place. The server's own
   * token is always hidden, with or without it.
   */
  redactor?: Redactor;
}

const SETTING = 'globals.status_server';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Answers are small and local: a client that takes longer than this to send a request is cut off. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Browsers, Prometheus and probes together stay far below this; it bounds what a flood can hold open. */
const MAX_CONNECTIONS = 256;

type Answer = { status: number; contentType: string; body: string; headers?: Record<string, string> };

interface Route {
  /** False only for /health and the page (see the header comment). */
  readonly needsToken: boolean;
  serve(): Answer | Promise<Answer>;
}

export async function startStatusServer(
  settings: StatusServerSettings,
  provider: StatusProvider,
  logger: Logger,
  options: StatusServerOptions = {},
): Promise<StatusServer> {
  let shuttingDown = false;
  const ownSecrets = new Redactor();
  ownSecrets.add(settings.token);
  const hide = (text: string): string => ownSecrets.redact(options.redactor ? options.redactor.redact(text) : text);
  const json = (status: number, value: unknown): Answer => ({ status, contentType: JSON_TYPE, body: hide(JSON.stringify(value)) });

  const routes = new Map<string, Route>([
    [STATUS_PATHS.health, { needsToken: false, serve: () => json(200, { status: 'ok' }) }],
    [
      STATUS_PATHS.ready,
      {
        needsToken: true,
        serve: () => {
          const readiness: Readiness = shuttingDown ? { ready: false, reasons: ['shutting down'] } : provider.readiness();
          return json(readiness.ready ? 200 : 503, { ready: readiness.ready, reasons: readiness.reasons });
        },
      },
    ],
    [
      STATUS_PATHS.metrics,
      {
        needsToken: true,
        serve: async () => {
          const metrics = await provider.metrics();
          return { status: 200, contentType: metrics.contentType, body: hide(metrics.body) };
        },
      },
    ],
    [STATUS_PATHS.status, { needsToken: true, serve: () => json(200, provider.status()) }],
    [
      STATUS_PATHS.page,
      {
        needsToken: false,
        serve: () => ({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: STATUS_PAGE_HTML,
          headers: { 'Content-Security-Policy': STATUS_PAGE_CSP, 'X-Frame-Options': 'DENY' },
        }),
      },
    ],
  ]);

  const authorized = tokenCheck(settings.token);

  async function answer(req: IncomingMessage): Promise<Answer> {
    const route = routes.get(pathOf(req.url));
    if (!route) return json(404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return { ...json(405, { error: 'method not allowed' }), headers: { Allow: 'GET, HEAD' } };
    if (route.needsToken && !authorized(req.headers.authorization)) {
      return { ...json(401, { error: 'a bearer token is required' }), headers: { 'WWW-Authenticate': 'Bearer realm="siphon"' } };
    }
    try {
      return await route.serve();
    } catch (err) {
      // The detail goes to the log (redacted there); the client gets a sentence, never a stack.
      logger.warn(`Status server: ${req.method} ${pathOf(req.url)} failed: ${err instanceof Error ? err.message : String(err)}`);
      return json(500, { error: 'the collector could not produce this answer; see its log' });
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    answer(req)
      .then((a) => send(req, res, a))
      .catch((err: unknown) => {
        // Only a malformed answer gets here (a provider's content type with a newline): no half-sent reply.
        logger.warn(`Status server: ${req.method} ${pathOf(req.url)} could not be answered: ${err instanceof Error ? err.message : String(err)}`);
        res.destroy();
      });
  };
  const server = createServerFor(settings, onRequest);
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;

  const port = await listen(server, settings);
  const url = `${settings.tls ? 'https' : 'http'}://${isIPv6(settings.host) ? `[${settings.host}]` : settings.host}:${port}`;
  // After the start, a server error (rare: the socket failing) is logged, never thrown into nowhere.
  server.on('error', (err) => logger.error(`Status server at ${url}: ${err.message}`));
  logger.info(`Status server listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    setShuttingDown: () => void (shuttingDown = true),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // server.close() alone waits for every open connection (a browser's keep-alive, a
        // request to a provider that hangs): a stop must not.
        server.closeAllConnections();
      })),
  };
}

/** The path without the query string; "" for a request target that is not a path. */
function pathOf(target: string | undefined): string {
  if (target === undefined || !target.startsWith('/')) return '';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function send(req: IncomingMessage, res: ServerResponse, a: Answer): void {
  const body = Buffer.from(a.body, 'utf8');
  res.writeHead(a.status, {
    'Content-Type': a.contentType,
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...a.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Compares in constant time (hashes first, so neither the content nor the length leaks). */
function tokenCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}

function createServerFor(settings: StatusServerSettings, onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  if (!settings.tls) return createHttpServer(onRequest);
  const cert = readPem(`${SETTING}.tls.cert`, settings.tls.cert);
  const key = readPem(`${SETTING}.tls.key`, settings.tls.key);
  try {
    return createHttpsServer({ cert, key }, onRequest);
  } catch (err) {
    // OpenSSL's reason ("key values mismatch", "no start line") names no key material.
    throw new SiphonError(
      'STATUS_SERVER_UNAVAILABLE',
      `${SETTING}.tls: the certificate ${settings.tls.cert} and the key ${settings.tls.key} cannot be used (${err instanceof Error ? err.message : String(err)})`,
      { setting: `${SETTING}.tls` },
    );
  }
}

/** A PEM file: regular and bounded, so a wrong path (a FIFO, /dev/zero) fails instead of blocking. */
function readPem(setting: string, path: string): string {
  const read = readRegularFileSync(path);
  if (read.ok) return read.text;
  throw new SiphonError('STATUS_SERVER_UNAVAILABLE', `${setting}: cannot read ${path} (${read.code ?? read.why})`, { setting, path });
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'the port is already in use by another program',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EPERM: 'permission denied',
  ENOTFOUND: 'the host name cannot be resolved',
  EAI_AGAIN: 'the host name cannot be resolved (temporary DNS failure)',
};

/** Listens; resolves with the bound port. A failure is STATUS_SERVER_UNAVAILABLE naming the setting and address. */
function listen(server: Server, settings: StatusServerSettings): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const address = `${isIPv6(settings.host) ? `[${settings.host}]` : settings.host}:${settings.port}`;
      const why = LISTEN_FAILURES[err.code ?? ''] ?? err.code ?? err.message;
      reject(
        new SiphonError('STATUS_SERVER_UNAVAILABLE', `The status server cannot listen on ${address} (${SETTING}.listen): ${why}`, {
          setting: `${SETTING}.listen`,
          address,
          reason: err.code,
        }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound !== null ? bound.port : settings.port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: settings.host, port: settings.port });
  });
}
