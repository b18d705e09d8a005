// `http` output: POSTs events to an HTTP(S) receiver, as NDJSON or as a Splunk HEC batch.
// A write is acknowledged only when every POST it took was answered 2xx (HEC: code 0). A
// write is one POST whenever it fits the batch limits; when it must be cut and POST k fails,
// the write rejects and the pipeline sends the whole batch again later, so the POSTs before k
// arrive twice (at-least-once).

import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger, Output, OutputContext, OutputDefinition, OutputRecord, ProxyServer } from '../../core/contracts.js';
import { anySignal } from '../../core/abort.js';
import { SiphonError } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { SIPHON_VERSION } from '../../core/version.js';
import { readPemFiles } from '../net/tls-files.js';
import { chunkLines, eventLines, hecPrefix, ndjsonPrefix, type LinePrefix } from './body.js';
import { checkHec, checkNdjson, safeUrl, type CheckTarget } from './check.js';
import { DeliveryFailure, judgeStatus, withRetries, type PostRetries, type Verdict } from './delivery.js';
import { hecUrls, judgeHecAnswer, type HecUrls } from './hec.js';
import { authorizationHeader, httpOutputSchema, httpOutputSecrets, PROXY_SETTING, type HttpOutputSettings } from './settings.js';
import { configuredProxy } from '../../config/proxy.js';
import { proxyLabel, proxyRoutes } from '../../http/proxy-routes.js';
import { Transport, type Answer } from './transport.js';

const gzipAsync = promisify(gzip);

/** Back-off between retries: 1 s doubling to 30 s, with jitter; Retry-After honoured up to 2 minutes. */
const DEFAULT_POLICY: Omit<PostRetries, 'maxRetries'> = {
  backoff: { initialMs: 1_000, maxMs: 30_000, multiplier: 2, jitter: 0.5 },
  retryAfterCapMs: 120_000,
  random: Math.random,
};

export class HttpOutput implements Output {
  readonly type = 'http';
  private opening: Promise<Transport> | undefined;
  private closed = false;
  private closing = new AbortController();
  /** Request bodies as sent (compressed when gzip is on), every attempt that got an answer. */
  private sent = 0;
  private readonly logger: Logger;
  private readonly redactor = new Redactor();
  private readonly hec: HecUrls | undefined;
  private readonly target: URL;
  private readonly prefix: LinePrefix;
  private readonly judge: (answer: Answer, redactor: Redactor) => Verdict;
  /** Headers of every request; POSTs add their content type and encoding. */
  private readonly headers: Record<string, string>;
  private readonly policy: PostRetries;

  constructor(
    readonly name: string,
    private readonly settings: HttpOutputSettings,
    private readonly ctx: OutputContext,
  ) {
    this.logger = ctx.logger;
    this.redactor.add(...httpOutputSecrets(settings));
    this.policy = { ...DEFAULT_POLICY, maxRetries: settings.max_retries };
    if (settings.mode === 'splunk_hec') {
      this.hec = hecUrls(settings.url);
      this.target = this.hec.event;
      this.prefix = hecPrefix({ host: settings.hostname ?? hostname(), index: settings.index });
      this.judge = judgeHecAnswer;
    } else {
      this.target = new URL(settings.url);
      this.prefix = ndjsonPrefix;
      this.judge = judgeStatus;
    }
    // Names in lower case, so a `User-Agent` in the settings replaces ours rather than doubling it.
    const headers: Record<string, string> = { 'user-agent': `siphon/${SIPHON_VERSION}` };
    for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
    const auth = authorizationHeader(settings);
    if (auth !== undefined) headers['authorization'] = auth;
    this.headers = headers;
  }

  /** Per batch (the pipeline retries a failed write with the same array): how many of its POSTs were accepted. */
  private readonly acceptedPosts = new WeakMap<readonly OutputRecord[], number>();

  get bytesSent(): number {
    return this.sent;
  }

  async open(): Promise<void> {
    if (this.closed) {
      this.closed = false;
      this.closing = new AbortController();
    }
    await this.ready();
  }

  async write(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void> {
    if (records.length === 0) return;
    // Retries stop when the output closes or the caller's signal aborts; a request in flight only for the latter.
    const stop = anySignal(this.closing.signal, signal);
    try {
      await this.post(records, stop.signal, signal);
    } finally {
      stop.dispose();
    }
  }

  private async post(records: readonly OutputRecord[], retrySignal: AbortSignal, requestSignal: AbortSignal | undefined): Promise<void> {
    if (this.closed) throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name} is closed`, { output: this.name });
    const transport = await this.ready();
    const lines = eventLines(records, this.prefix);
    const chunks = chunkLines(lines, this.settings.batch_max_events, this.settings.batch_max_bytes);
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': this.hec ? 'application/json' : 'application/x-ndjson',
      ...(this.settings.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    // The pipeline retries a failed write with the very same records: POSTs it already had
    // accepted are not sent again.
    const alreadyAccepted = this.acceptedPosts.get(records) ?? 0;
    for (const [k, chunk] of chunks.entries()) {
      if (k < alreadyAccepted) continue;
      const text = lines.slice(chunk.start, chunk.end).join('');
      const body = this.settings.gzip ? await gzipAsync(text) : Buffer.from(text, 'utf8');
      const what = `${chunks.length === 1 ? 'POST' : `POST ${k + 1} of ${chunks.length}`} to ${safeUrl(this.target)}`;
      try {
        const attempt = async (): Promise<Answer> => {
          const answer = await transport.send('POST', this.target, headers, body, requestSignal);
          this.sent += body.length;
          return answer;
        };
        await withRetries(what, attempt, (answer) => this.judge(answer, this.redactor), {
          policy: this.policy,
          clock: this.ctx.clock,
          logger: this.logger,
          signal: retrySignal,
        });
      } catch (err) {
        if (!(err instanceof DeliveryFailure)) throw err;
        throw this.writeFailed(what, chunk.end - chunk.start, k, err);
      }
      this.acceptedPosts.set(records, k + 1);
    }
    this.acceptedPosts.delete(records);
  }

  async check(): Promise<string> {
    const target: CheckTarget = { output: this.name, transport: await this.ready(), headers: this.headers, redactor: this.redactor, logger: this.logger };
    return this.hec ? checkHec(target, this.hec) : checkNdjson(target, this.target);
  }

  /**
   * Stops writes waiting to retry, lets requests in flight finish, then closes the connections;
   * when `signal` aborts (the stop's deadline), requests in flight are dropped with them.
   */
  async close(signal?: AbortSignal): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const opening = this.opening;
    this.opening = undefined;
    const transport = await opening?.catch(() => undefined);
    await transport?.close(signal);
  }

  /** The transport, made on first use: reading the TLS files is the part that can fail. */
  private ready(): Promise<Transport> {
    if (this.closed) return Promise.reject(new SiphonError('OUTPUT_UNAVAILABLE', `Output ${this.name} is closed`, { output: this.name }));
    const opening = (this.opening ??= this.makeTransport());
    // A missing file may be put in place before the next try: forget a failed opening.
    opening.catch(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    return opening;
  }

  private async makeTransport(): Promise<Transport> {
    const s = this.settings;
    const pem = await readPemFiles(this.name, this.ctx.baseDir, { ca: s.ca_file, cert: s.cert_file, key: s.key_file }, (which) => `config.${which}_file`);
    if (!s.verify_tls && this.target.protocol === 'https:') {
      this.logger.warn(`Output ${this.name}: verify_tls is false: the receiver's certificate is not checked, so anyone on the path can read and change the events`);
    }
    if (this.target.protocol === 'http:' && this.headers['authorization'] !== undefined) {
      this.logger.warn(`Output ${this.name}: credentials are sent in clear text to ${this.target.origin}: use https://`);
    }
    const routes = proxyRoutes(s.proxy === undefined ? undefined : configuredProxy(s.proxy, PROXY_SETTING), this.ctx.environmentProxies);
    const onFirstUse =
      routes.proxies.length === 0
        ? undefined
        : (origin: string, proxy: ProxyServer | undefined): void => {
            if (proxy !== undefined) this.logger.info(`Output ${this.name}: requests to ${origin} go through the proxy ${proxyLabel(proxy)}`);
            else if (s.proxy === undefined) this.logger.info(`Output ${this.name}: requests to ${origin} go direct (NO_PROXY, or no proxy variable for its scheme)`);
          };
    return new Transport(s.timeout_seconds * 1000, { ca: pem.ca, cert: pem.cert, key: pem.key, verify: s.verify_tls }, routes, onFirstUse);
  }

  private writeFailed(what: string, events: number, index: number, failure: DeliveryFailure): SiphonError {
    const attempts = failure.attempts > 1 ? ` after ${failure.attempts} attempts` : '';
    const earlier =
      index === 0
        ? ''
        : index === 1
          ? '; the POST before it was accepted and is not sent again when the batch is retried'
          : `; the ${index} POSTs before it were accepted and are not sent again when the batch is retried`;
    return new SiphonError(
      'OUTPUT_WRITE_FAILED',
      `Output ${this.name}: ${what} (${events} event${events === 1 ? '' : 's'}) failed${attempts}: ${failure.reason}${earlier}`,
      { output: this.name, url: safeUrl(this.target), attempts: failure.attempts, post: index + 1 },
    );
  }
}

export const httpOutputDefinition: OutputDefinition<HttpOutputSettings> = {
  type: 'http',
  schema: httpOutputSchema,
  create: (name, settings, ctx) => new HttpOutput(name, settings, ctx),
  secrets: httpOutputSecrets,
  defaultChannels: ['standard', 'internal'],
};
