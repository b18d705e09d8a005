// The one HTTP client connectors get. Every attempt (first try and retries alike) takes a
// slot from the account's RateBudget, so retries are counted and limited like any request.
// A vendor "too many requests" pauses the whole budget, not just this call, so the
// account's other services hold back too. Statuses are returned, not thrown: the
// connector maps them; only network failures after the last retry throw.
// Each attempt has an overall deadline (`request_timeout_seconds`) besides the idle timeouts,
// so a vendor that trickles its answer cannot hold a stream forever.

import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Clock, EnvironmentProxies, HttpClient, HttpRequest, HttpResponse, Logger, ProxyServer, RetryDecision } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import type { EventSink, InputEvent, StreamScope } from '../core/events.js';
import { redactAuthHeaders, type Redactor } from '../core/redact.js';
import type { HttpSettings } from '../config/fields.js';
import { configuredProxy } from '../config/proxy.js';
import type { RateBudget } from './rate-budget.js';
import { retryDelayMs, type RetryPolicy } from '../core/retry-policy.js';
import { parseRetryAfterMs } from './retry-after.js';
import { BodyTooLargeError, readCappedBody } from './body.js';
import { describeNetworkError, isRequestBug } from './network-error.js';
import { SIPHON_VERSION } from '../core/version.js';
import { AttemptDeadline } from './attempt-deadline.js';
import { Dispatchers } from './dispatchers.js';
import { describeProxyFailure } from './proxy-failure.js';
import { proxyLabel, proxyRoutes } from './proxy-routes.js';

export interface HttpClientOptions {
  settings: HttpSettings;
  budget: RateBudget;
  clock: Clock;
  logger: Logger;
  /** Every message or detail that could carry a URL, header or body goes through it. */
  redactor: Redactor;
  /** Default "siphon/<version>". */
  userAgent?: string;
  /** Jitter source, default Math.random. */
  random?: () => number;
  /** For connectors whose vendor uses a private CA. */
  tls?: { rejectUnauthorized?: boolean; ca?: string | Buffer };
  /** HTTPS_PROXY/HTTP_PROXY/NO_PROXY; `settings.proxy`, when set, replaces them. */
  environmentProxies?: EnvironmentProxies;
  /** Answers, retries, throttling and token renewals go here (log lines and metrics: see core/events.ts). */
  events: EventSink<InputEvent>;
  /** Which stream a request is made for (its metrics label); absent: none. */
  scope?: StreamScope;
}

export type ClosableHttpClient = HttpClient & { close(): Promise<void> };

/** Where the deadline is set, for messages. */
const DEADLINE_SETTING = 'http.request_timeout_seconds';
/** How the `http.proxy` block is named in messages. */
const PROXY_SETTING = 'http.proxy';

/** A vendor's Retry-After is honoured up to this, whatever the back-off settings. */
const MIN_RETRY_AFTER_CAP_MS = 60_000;
const BYTES_PER_MB = 1024 * 1024;

export function createHttpClient(options: HttpClientOptions): ClosableHttpClient {
  return new UndiciHttpClient(options);
}

/** Retry 429 (a rate limit) and 5xx (transient); everything else is the connector's. */
export function defaultClassify(res: HttpResponse): RetryDecision {
  if (res.status === 429) return { kind: 'retry', rateLimited: true };
  if (res.status >= 500 && res.status <= 599) return { kind: 'retry', rateLimited: false };
  return { kind: 'done' };
}

interface Prepared {
  url: URL;
  operation: string;
  /** scheme://host/path: no credentials, no query string. */
  safeUrl: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** An attempt cut off by `request_timeout_seconds` (the cause is what undici threw on the abort). */
class DeadlinePassed extends Error {
  constructor(cause: unknown) {
    super('the request deadline passed', { cause });
    this.name = 'DeadlinePassed';
  }
}

/** Why an attempt failed, in an operator's words, and whether another attempt may help. */
interface AttemptError {
  readonly reason: string;
  readonly final: boolean;
}

class UndiciHttpClient implements ClosableHttpClient {
  private readonly dispatchers: Dispatchers;
  private readonly settings: HttpSettings;
  private readonly budget: RateBudget;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly userAgent: string;
  private readonly random: () => number;
  /** `http.backoff_base_seconds` doubling to `http.backoff_max_seconds`, each wait between 50% and 100% of its step. */
  private readonly retry: RetryPolicy;
  private readonly events: EventSink<InputEvent>;
  private readonly scope: StreamScope | undefined;
  private sent = 0;

  constructor(options: HttpClientOptions) {
    this.settings = options.settings;
    this.budget = options.budget;
    this.clock = options.clock;
    this.logger = options.logger;
    this.redactor = options.redactor;
    this.userAgent = options.userAgent ?? `siphon/${SIPHON_VERSION}`;
    this.random = options.random ?? Math.random;
    this.retry = { initialMs: this.settings.backoff_base_seconds * 1000, maxMs: this.settings.backoff_max_seconds * 1000, multiplier: 2, jitter: 0.5 };
    this.events = options.events;
    this.scope = options.scope;
    const responseMs = this.settings.response_timeout_seconds * 1000;
    const configured = this.settings.proxy === undefined ? undefined : configuredProxy(this.settings.proxy, PROXY_SETTING);
    const routes = proxyRoutes(configured, options.environmentProxies);
    this.dispatchers = new Dispatchers(
      {
        connectTimeoutMs: this.settings.connect_timeout_seconds * 1000,
        headersTimeoutMs: responseMs,
        // Idle time between body chunks, not the whole download (request_timeout_seconds bounds that).
        bodyTimeoutMs: responseMs,
        tls: options.tls,
      },
      routes,
      // Said once per host, and only where a proxy is in play: which way its requests go.
      routes.proxies.length === 0 ? undefined : (origin, proxy) => this.logRoute(origin, proxy, configured !== undefined),
    );
  }

  get requestCount(): number {
    return this.sent;
  }

  async close(): Promise<void> {
    await this.dispatchers.close();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const p = this.prepare(req);
    const classify = req.classify ?? defaultClassify;
    const maxAttempts = this.settings.max_retries + 1;
    const signal = req.signal;
    const service = this.scope?.current();
    const { operation } = p;

    for (let attempt = 1; ; attempt++) {
      await this.budget.acquire(signal);
      let res: HttpResponse;
      const { dispatcher, proxy } = this.dispatchers.routeFor(p.url);
      const started = this.clock.now();
      try {
        res = await this.sendWithinDeadline(p, req.method, dispatcher, signal, attempt);
        this.events.emit({ type: 'request_answered', service, operation, status: res.status, durationMs: this.clock.now() - started });
      } catch (err) {
        // The stop signal first: a stop is never reported as a timeout.
        if (signal?.aborted) throw signal.reason;
        this.events.emit({ type: 'request_answered', service, operation, status: 'error', durationMs: this.clock.now() - started });
        if (err instanceof BodyTooLargeError) {
          throw new SiphonError(
            'PULL_MALFORMED_RESPONSE',
            this.clean(`${p.operation} to ${p.url.host}: response body exceeds ${this.settings.max_body_megabytes} MB`),
            { operation: p.operation, url: p.safeUrl, attempts: attempt },
          );
        }
        if (!(err instanceof DeadlinePassed) && isRequestBug(err)) {
          throw new SiphonError('INTERNAL', `${p.operation} to ${p.url.host} could not be sent: ${this.clean(describeNetworkError(err))}`, {
            operation: p.operation,
            url: p.safeUrl,
          });
        }
        const failure = this.attemptError(err, proxy, p.url);
        const reason = this.clean(failure.reason);
        const details = { operation: p.operation, url: p.safeUrl, attempts: attempt, ...(proxy ? { proxy: proxy.address } : {}) };
        if (failure.final) throw new SiphonError('PULL_NETWORK', `${p.operation} to ${p.url.host} failed: ${reason}`, details);
        if (attempt >= maxAttempts) {
          throw new SiphonError('PULL_NETWORK', `${p.operation} to ${p.url.host} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${reason}`, details);
        }
        const delayMs = this.backoff(attempt);
        this.events.emit({ type: 'request_retry', service, operation, attempt, maxAttempts, delayMs, status: undefined, reason, rateLimited: false });
        await this.sleep(delayMs, signal);
        continue;
      }

      const decision = classify(res);
      if (decision.kind === 'done') {
        if (decision.pauseUntil !== undefined && decision.pauseUntil > this.clock.now()) this.budget.pauseUntil(decision.pauseUntil);
        if (req.purpose === 'token' && res.status >= 200 && res.status < 300) this.events.emit({ type: 'token_renewed', operation });
        return res;
      }

      const delayMs = this.retryDelay(res, decision, attempt, p.operation);
      // Even when giving up, tell the budget: the vendor asked everyone to wait.
      if (decision.rateLimited) {
        this.budget.pauseUntil(this.clock.now() + delayMs);
        this.events.emit({ type: 'throttled', service, delayMs });
      }
      if (attempt >= maxAttempts) {
        this.events.emit({ type: 'request_gave_up', service, operation, status: res.status, attempts: attempt });
        return res;
      }
      this.events.emit({ type: 'request_retry', service, operation, attempt, maxAttempts, delayMs, status: res.status, reason: undefined, rateLimited: decision.rateLimited });
      await this.sleep(delayMs, signal);
    }
  }

  private prepare(req: HttpRequest): Prepared {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      const operation = this.clean(req.operation ?? req.method);
      throw new SiphonError('INTERNAL', `${operation} has an invalid URL`, { operation });
    }
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: string | undefined;
    if (typeof req.body === 'string') {
      body = req.body;
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    return {
      url,
      operation: this.clean(req.operation ?? `${req.method} ${url.pathname}`),
      safeUrl: this.clean(`${url.origin}${url.pathname}`),
      headers,
      body,
    };
  }

  /** One attempt within its overall deadline; a deadline that passes is thrown as DeadlinePassed. */
  private async sendWithinDeadline(p: Prepared, method: HttpRequest['method'], dispatcher: Dispatcher, stop: AbortSignal | undefined, attempt: number): Promise<HttpResponse> {
    const deadline = new AttemptDeadline(this.settings.request_timeout_seconds * 1000, stop);
    try {
      return await this.send(p, method, dispatcher, deadline.signal, attempt);
    } catch (err) {
      throw deadline.expired ? new DeadlinePassed(err) : err;
    } finally {
      deadline.dispose();
    }
  }

  /** The deadline, the proxy's own failures, or the network error as undici words it (naming the proxy it went through). */
  private attemptError(err: unknown, proxy: ProxyServer | undefined, url: URL): AttemptError {
    const through = proxy === undefined ? '' : ` (through proxy ${proxyLabel(proxy)})`;
    if (err instanceof DeadlinePassed) return { reason: `no complete answer within ${seconds(this.settings.request_timeout_seconds * 1000)} s (${DEADLINE_SETTING})${through}`, final: false };
    const proxyFailure = proxy === undefined ? undefined : describeProxyFailure(err, proxy, url);
    if (proxyFailure !== undefined) return proxyFailure;
    return { reason: `${describeNetworkError(err)}${through}`, final: false };
  }

  private logRoute(origin: string, proxy: ProxyServer | undefined, configured: boolean): void {
    if (proxy !== undefined) {
      this.logger.info(`Requests to ${origin} go through the proxy ${proxyLabel(proxy)}`, { origin, proxy: proxy.address, proxySource: proxy.source });
    } else if (!configured) {
      this.logger.info(`Requests to ${origin} go direct (NO_PROXY, or no proxy variable for its scheme)`, { origin });
    }
  }

  private async send(p: Prepared, method: HttpRequest['method'], dispatcher: Dispatcher, signal: AbortSignal, attempt: number): Promise<HttpResponse> {
    this.sent++;
    const res = await undiciRequest(p.url, {
      dispatcher,
      method,
      headers: p.headers,
      body: p.body ?? null,
      signal,
    });
    const headers = flattenHeaders(res.headers);
    const body = await readCappedBody(res.body, this.settings.max_body_megabytes * BYTES_PER_MB, headers['content-length']);
    return { status: res.statusCode, headers, body, attempts: attempt };
  }

  /** Retry-After first, then the classifier's delay, then exponential back-off. */
  private retryDelay(res: HttpResponse, decision: RetryDecision & { kind: 'retry' }, attempt: number, operation: string): number {
    const retryAfter = parseRetryAfterMs(res.headers['retry-after'], this.clock.now());
    if (retryAfter !== undefined) {
      const cap = Math.max(MIN_RETRY_AFTER_CAP_MS, this.settings.backoff_max_seconds * 10_000);
      if (retryAfter > cap) {
        this.logger.warn(`${operation}: Retry-After asks for ${seconds(retryAfter)} s; waiting at most ${seconds(cap)} s`, {
          operation,
          retryAfterMs: retryAfter,
          capMs: cap,
        });
        return cap;
      }
      return retryAfter;
    }
    if (decision.delayMs !== undefined && Number.isFinite(decision.delayMs)) return Math.max(0, decision.delayMs);
    return this.backoff(attempt);
  }

  private backoff(attempt: number): number {
    return retryDelayMs(this.retry, attempt, this.random);
  }

  private async sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.clock.sleep(ms, signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  }

  /** Registered secrets and bearer/basic credentials never leave in a message. */
  private clean(text: string): string {
    return this.redactor.redact(redactAuthHeaders(text));
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 0);
}
