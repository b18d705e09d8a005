// One HTTP exchange of the `http` output, over keep-alive connections with the output's TLS
// settings, direct or through a proxy (src/http/dispatchers.ts). A failure before any answer
// is thrown as an AttemptFailure that says, in an operator's words, what went wrong (naming
// the proxy when it is the proxy's) and whether trying again can help.

import { request } from 'undici';
import type { Readable } from 'node:stream';
import type { ProxyServer } from '../../core/contracts.js';
import { Dispatchers } from '../../http/dispatchers.js';
import { describeProxyFailure } from '../../http/proxy-failure.js';
import { proxyLabel, type ProxyRoutes } from '../../http/proxy-routes.js';
import { anySignal, untilAborted } from '../../core/abort.js';
import { classifyConnectError, type ConnectFailure } from '../net/connect-error.js';

export interface TransportTls {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly verify: boolean;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The start of the answer's body (enough for an error message or a HEC reply). */
  readonly body: string;
}

/** Failures that come from the settings or the receiver's certificate: the same request will fail again. */
const FINAL_FAILURES: ReadonlySet<ConnectFailure> = new Set(['hostname-mismatch', 'server-untrusted', 'client-cert-rejected', 'not-tls']);

export class AttemptFailure extends Error {
  constructor(
    readonly failure: ConnectFailure,
    readonly detail: string,
    /** False when retrying within this write cannot help (TLS trust, host name). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'AttemptFailure';
  }
}

/** Answers longer than this are cut: only their start is ever shown or parsed. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class Transport {
  private readonly dispatchers: Dispatchers;

  constructor(
    private readonly timeoutMs: number,
    tls: TransportTls,
    routes: ProxyRoutes,
    /** Once per receiver address, the proxy its requests take (for a log line). */
    onFirstUse?: (origin: string, proxy: ProxyServer | undefined) => void,
  ) {
    this.dispatchers = new Dispatchers(
      {
        connectTimeoutMs: timeoutMs,
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
        tls: { rejectUnauthorized: tls.verify, ca: tls.ca, cert: tls.cert, key: tls.key },
      },
      routes,
      onFirstUse,
    );
  }

  /**
   * One attempt, bounded by the timeout from connecting to the end of the answer; `stop`
   * drops it at once (a final failure: the caller is stopping, not the receiver failing).
   */
  async send(method: 'GET' | 'HEAD' | 'POST', url: URL, headers: Record<string, string>, body?: Buffer, stop?: AbortSignal): Promise<Answer> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const { dispatcher, proxy } = this.dispatchers.routeFor(url);
    const either = anySignal(deadline, stop);
    try {
      const res = await request(url, { dispatcher, method, headers, body: body ?? null, signal: either.signal });
      const text = await readStart(res.body, MAX_ANSWER_BYTES);
      return { status: res.statusCode, headers: flatten(res.headers), body: text };
    } catch (err) {
      if (stop?.aborted) throw new AttemptFailure('closed', 'dropped: the output is stopping', false, { cause: err });
      if (deadline.aborted) throw throughProxy(this.timeout(err), proxy);
      const proxyFailure = proxy === undefined ? undefined : describeProxyFailure(err, proxy, url);
      if (proxyFailure !== undefined) throw new AttemptFailure('proxy', proxyFailure.reason, !proxyFailure.final, { cause: err });
      throw throughProxy(describe(err, this.timeoutMs), proxy);
    } finally {
      either.dispose();
    }
  }

  /** Waits for requests in flight, then closes the connections; when `stop` aborts, drops them instead. */
  async close(stop?: AbortSignal): Promise<void> {
    if (stop === undefined) return this.dispatchers.close();
    try {
      await untilAborted(this.dispatchers.close(), stop);
    } catch {
      await this.dispatchers.destroy();
    }
  }

  private timeout(cause: unknown): AttemptFailure {
    return new AttemptFailure('timeout', `no complete answer within ${this.timeoutMs / 1000} s (timeout_seconds)`, true, { cause });
  }
}

/** The same failure, saying which proxy the request went through. */
function throughProxy(failure: AttemptFailure, proxy: ProxyServer | undefined): AttemptFailure {
  if (proxy === undefined) return failure;
  return new AttemptFailure(failure.failure, `${failure.detail} (through proxy ${proxyLabel(proxy)})`, failure.retryable, { cause: failure.cause });
}

/** Maps undici's and Node's errors to a failure, looking through wrappers to the socket's own code. */
function describe(err: unknown, timeoutMs: number): AttemptFailure {
  const code = errorCode(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new AttemptFailure('timeout', `no connection within ${timeoutMs / 1000} s (timeout_seconds)`, true, { cause: err });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new AttemptFailure('timeout', `no complete answer within ${timeoutMs / 1000} s (timeout_seconds)`, true, { cause: err });
  }
  if (code === 'UND_ERR_SOCKET') {
    const inner = (err as { cause?: unknown }).cause;
    if (errorCode(inner) !== undefined) return describe(inner, timeoutMs);
    return new AttemptFailure('closed', 'the receiver closed the connection before answering', true, { cause: err });
  }
  const { failure, detail } = classifyConnectError(root(err));
  return new AttemptFailure(failure, hint(failure, detail), !FINAL_FAILURES.has(failure), { cause: err });
}

/** The error carrying the socket's code: the first of a happy-eyeballs AggregateError, or a `cause`. */
function root(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5 && current !== undefined; depth++) {
    if (errorCode(current) !== undefined && !(current instanceof AggregateError)) return current;
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return err;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** connect-error.ts names the stream outputs' settings; this output's are `ca_file`, `cert_file`, `key_file`. */
function hint(failure: ConnectFailure, detail: string): string {
  if (failure === 'server-untrusted') return `${detail.replace(/; check .*$/, '')}; set \`ca_file\` to the CA that signed it`;
  if (failure === 'client-cert-rejected') return detail.replace(/check `cert`, `key`/, 'check `cert_file`, `key_file`');
  return detail;
}

function flatten(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads up to `maxBytes` of a body; the rest is discarded (the connection is dropped rather than drained). */
async function readStart(body: Readable, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    parts.push(chunk);
    total += chunk.length;
    if (total >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
}
