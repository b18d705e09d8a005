// Asks a running collector's status server for its status document (GET api/v1/status),
// for `siphon status`. A short deadline and a bounded body: a hung or wrong server ends the
// command with a sentence, never a hang. The token travels only in the Authorization header.
//
// TLS: with `pinnedCertFile` (the certificate the configuration gives the server), the
// server must present exactly that certificate, whoever signed it: the command reads the
// same configuration as the collector it asks. Otherwise the system's trust applies
// (NODE_EXTRA_CA_CERTS adds a private CA).

import { X509Certificate } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readRegularFileSync } from '../config/bounded-read.js';
import { STATUS_PATHS, type StatusDocument } from '../telemetry/status-types.js';

export interface StatusTarget {
  /** The status server's base URL (http or https), as the log line "Status server listening on ..." gives it. */
  readonly url: URL;
  readonly token?: string | undefined;
  /** The PEM certificate the server must present (globals.status_server.tls.cert). */
  readonly pinnedCertFile?: string | undefined;
}

export type StatusAnswer =
  | { kind: 'status'; document: StatusDocument }
  /** Nothing answers there (refused, no route, no answer in time): no collector runs there. */
  | { kind: 'unreachable'; reason: string }
  /** Something answers, but not with a status document (wrong token, wrong certificate, another program). */
  | { kind: 'failed'; reason: string };

const TIMEOUT_MS = 5_000;
/** A thousand streams take about 1 MB. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name cannot be resolved',
  EAI_AGAIN: 'the host name cannot be resolved (temporary DNS failure)',
  EADDRNOTAVAIL: 'the address is not available',
};

/** The URL of the status document below a base URL (a path prefix is kept). */
function statusDocumentUrl(base: URL): URL {
  const url = new URL(base.href);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(STATUS_PATHS.status.slice(1), url);
}

export function fetchStatus(target: StatusTarget): Promise<StatusAnswer> {
  const url = statusDocumentUrl(target.url);
  return new Promise<StatusAnswer>((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    let pinnedSocket: TLSSocket | undefined;
    const finish = (answer: StatusAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      pinnedSocket?.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ kind: 'unreachable', reason: `no answer within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
    const onError = (err: NodeJS.ErrnoException): void => finish(describeFailure(err));
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const send = (request: typeof httpRequest, options: RequestOptions): void => {
      req = request({
        ...options,
        hostname,
        port,
        path: url.pathname,
        method: 'GET',
        headers: { Accept: 'application/json', ...(target.token !== undefined ? { Authorization: `Bearer ${target.token}` } : {}) },
      });
      req.on('error', onError);
      req.on('response', (res) => void readAnswer(res, url).then(finish, onError));
      req.end();
    };

    if (url.protocol === 'http:') return send(httpRequest, { agent: false });
    if (target.pinnedCertFile === undefined) return send(httpsRequest, { agent: false });
    // Pinned: the handshake is checked before the request (and its token) is written.
    const expected = pinnedFingerprint(target.pinnedCertFile);
    if (typeof expected !== 'string') return finish(expected);
    const socket = (pinnedSocket = tlsConnect({ host: hostname, port, rejectUnauthorized: false, ...(isIP(hostname) === 0 ? { servername: hostname } : {}) }));
    socket.on('error', onError);
    socket.once('secureConnect', () => {
      if (socket.getPeerCertificate().fingerprint256 !== expected) {
        return finish({
          kind: 'failed',
          reason: `the server at ${url.host} presents another certificate than ${target.pinnedCertFile} (globals.status_server.tls.cert): is it another program?`,
        });
      }
      // No agent: the request goes over this very socket, already checked.
      send(httpRequest, { createConnection: () => socket });
    });
  });
}

function pinnedFingerprint(path: string): string | StatusAnswer {
  const read = readRegularFileSync(path);
  if (!read.ok) return { kind: 'failed', reason: `globals.status_server.tls.cert: cannot read ${path} (${read.code ?? read.why})` };
  try {
    return new X509Certificate(read.text).fingerprint256;
  } catch {
    return { kind: 'failed', reason: `globals.status_server.tls.cert: ${path} holds no PEM certificate` };
  }
}

async function readAnswer(res: IncomingMessage, url: URL): Promise<StatusAnswer> {
  if (res.statusCode === 401) {
    res.resume();
    return { kind: 'failed', reason: `the status server at ${url.host} refused the token (HTTP 401): give it with --token or SIPHON_STATUS_TOKEN, or in globals.status_server.token` };
  }
  if (res.statusCode !== 200) {
    res.resume();
    return { kind: 'failed', reason: `${url.href} answered HTTP ${res.statusCode ?? '?'}; is it a Siphon status server?` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { kind: 'failed', reason: `${url.href} answered more than ${MAX_BODY_BYTES / 1024 / 1024} MiB; is it a Siphon status server?` };
    chunks.push(chunk);
  }
  let document: unknown;
  try {
    document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { kind: 'failed', reason: `${url.href} answered something that is not JSON; is it a Siphon status server?` };
  }
  if (!isStatusDocument(document)) return { kind: 'failed', reason: `${url.href} answered JSON that is not a status document; is it a Siphon status server?` };
  return { kind: 'status', document };
}

/** Enough of the shape to print it without surprises; the fields inside are printed defensively. */
function isStatusDocument(value: unknown): value is StatusDocument {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Partial<Record<keyof StatusDocument, unknown>>;
  return typeof doc.collector === 'object' && doc.collector !== null && Array.isArray(doc.streams) && Array.isArray(doc.outputs);
}

function describeFailure(err: NodeJS.ErrnoException): StatusAnswer {
  const known = UNREACHABLE_CODES[err.code ?? ''];
  if (known) return { kind: 'unreachable', reason: known };
  // TLS refusals and the like: something answers, but it cannot be asked.
  return { kind: 'failed', reason: err.code ? `${err.code}: ${err.message}` : err.message };
}
