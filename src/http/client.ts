// The one HTTP client connectors get. Every attempt (first try and retries alike) takes a
// slot from the account's RateBudget, so retries are counted and limited like any request.
// A vendor "too many requests" pauses the whole budget, not just this call, so the
// account's other services hold back too. Statuses are returned, not thrown: the
// connector maps them; only network failures after the last retry throw.

import { Agent, request as undiciRequest } from 'undici';
import type { Clock, HttpClient, HttpRequest, HttpResponse, Logger, RetryDecision } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { redactAuthHeaders, type Redactor } from '../core/redact.js';
import type { HttpSettings } from '../config/fields.js';
import type { RateBudget } from './rate-budget.js';
import { backoffDelayMs } from './backoff.js';
import { parseRetryAfterMs } from './retry-after.js';
import { BodyTooLargeError, readCappedBody } from './body.js';
import { describeNetworkError, isRequestBug } from './network-error.js';
import { SIPHON_VERSION } from '../core/version.js';

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
}

export type ClosableHttpClient = HttpClient & { close(): Promise<void> };

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

class UndiciHttpClient implements ClosableHttpClient {
  private readonly agent: Agent;
  private readonly settings: HttpSettings;
  private readonly budget: RateBudget;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly userAgent: string;
  private readonly random: () => number;
  private sent = 0;

  constructor(options: HttpClientOptions) {
    this.settings = options.settings;
    this.budget = options.budget;
    this.clock = options.clock;
    this.logger = options.logger;
    this.redactor = options.redactor;
    this.userAgent = options.userAgent ?? `siphon/${SIPHON_VERSION}`;
    this.random = options.random ?? Math.random;
    const responseMs = this.settings.response_timeout_seconds * 1000;
    this.agent = new Agent({
      connect: {
        timeout: this.settings.connect_timeout_seconds * 1000,
        ...(options.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
        ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
      },
      headersTimeout: responseMs,
      // Idle time between body chunks, not the whole download.
      bodyTimeout: responseMs,
    });
  }

  get requestCount(): number {
    return this.sent;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const p = this.prepare(req);
    const classify = req.classify ?? defaultClassify;
    const maxAttempts = this.settings.max_retries + 1;
    const signal = req.signal;

    for (let attempt = 1; ; attempt++) {
      await this.budget.acquire(signal);
      let res: HttpResponse;
      try {
        res = await this.send(p, req.method, signal, attempt);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (err instanceof BodyTooLargeError) {
          throw new SiphonError(
            'PULL_MALFORMED_RESPONSE',
            this.clean(`${p.operation} to ${p.url.host}: response body exceeds ${this.settings.max_body_megabytes} MB`),
            { operation: p.operation, url: p.safeUrl, attempts: attempt },
          );
        }
        const reason = this.clean(describeNetworkError(err));
        if (isRequestBug(err)) {
          throw new SiphonError('INTERNAL', `${p.operation} to ${p.url.host} could not be sent: ${reason}`, { operation: p.operation, url: p.safeUrl });
        }
        if (attempt >= maxAttempts) {
          throw new SiphonError(
            'PULL_NETWORK',
            `${p.operation} to ${p.url.host} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${reason}`,
            { operation: p.operation, url: p.safeUrl, attempts: attempt },
          );
        }
        const delayMs = this.backoff(attempt);
        this.logger.warn(`${p.operation} failed (attempt ${attempt}/${maxAttempts}): ${reason}; retrying in ${seconds(delayMs)} s`, {
          operation: p.operation,
          attempt,
          maxAttempts,
          delayMs,
          error: reason,
        });
        await this.sleep(delayMs, signal);
        continue;
      }

      const decision = classify(res);
      if (decision.kind === 'done') return res;

      const delayMs = this.retryDelay(res, decision, attempt, p.operation);
      // Even when giving up, tell the budget: the vendor asked everyone to wait.
      if (decision.rateLimited) this.budget.pauseUntil(this.clock.now() + delayMs);
      if (attempt >= maxAttempts) {
        this.logger.debug(`${p.operation} answered HTTP ${res.status} after ${attempt} attempts; giving up`, {
          operation: p.operation,
          status: res.status,
          attempts: attempt,
        });
        return res;
      }
      this.logger.warn(
        `${p.operation} answered HTTP ${res.status}${decision.rateLimited ? ' (rate limited)' : ''} (attempt ${attempt}/${maxAttempts}); retrying in ${seconds(delayMs)} s`,
        { operation: p.operation, status: res.status, attempt, maxAttempts, delayMs, rateLimited: decision.rateLimited },
      );
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

  private async send(p: Prepared, method: HttpRequest['method'], signal: AbortSignal | undefined, attempt: number): Promise<HttpResponse> {
    this.sent++;
    const res = await undiciRequest(p.url, {
      dispatcher: this.agent,
      method,
      headers: p.headers,
      body: p.body ?? null,
      signal: signal ?? null,
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
    return backoffDelayMs(attempt, this.settings.backoff_base_seconds * 1000, this.settings.backoff_max_seconds * 1000, this.random);
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
