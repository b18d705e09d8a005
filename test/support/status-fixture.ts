// A StatusProvider with a fixed status document, for the status server, the status page and
// `siphon status` (the collector's own provider is tested with the collector), and a small
// HTTP client that returns status, headers and body.

import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readiness, StatusDocument, StatusProvider, StreamStatus } from '../../src/telemetry/status-types.js';

export class FixedStatusProvider implements StatusProvider {
  readiness_: Readiness = { ready: true, reasons: [] };
  /** Called before each status document is given out (a test may stop the server there). */
  onStatus: (() => void) | undefined;
  /** When set, status() throws it (a provider fault). */
  fault: Error | undefined;
  /** When set, metrics() calls it and never answers (a provider that hangs). */
  private onHangingMetrics: (() => void) | undefined;
  statusCalls = 0;

  constructor(public document: StatusDocument) {}

  status(): StatusDocument {
    this.statusCalls += 1;
    this.onStatus?.();
    if (this.fault) throw this.fault;
    return this.document;
  }
  readiness(): Readiness {
    return this.readiness_;
  }
  /** From now on metrics() never answers; resolves once a request is held so. */
  hangMetrics(): Promise<void> {
    return new Promise((resolve) => (this.onHangingMetrics = resolve));
  }
  async metrics(): Promise<{ contentType: string; body: string }> {
    if (this.onHangingMetrics) {
      this.onHangingMetrics();
      await new Promise(() => {});
    }
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '# HELP siphon_events_delivered_total Events delivered.\nsiphon_events_delivered_total 42\n' };
  }
}

function iso(nowMs: number, agoMs: number): string {
  return new Date(nowMs - agoMs).toISOString();
}

export function stream(nowMs: number, o: Partial<StreamStatus> & Pick<StreamStatus, 'input' | 'service' | 'state'>): StreamStatus {
  return {
    type: 'onepassword',
    tag: 'auth.agilebits.onepassword.audit',
    message: 'Pulling.',
    last_success_at: iso(nowMs, 4_000),
    last_event_at: iso(nowMs, 3_000),
    last_error: null,
    events_delivered: 1_500,
    lag_seconds: 3,
    checkpoint_at: iso(nowMs, 4_000),
    next_poll_at: iso(nowMs, -5_000),
    backfill: null,
    ...o,
  };
}

/** A vendor error that quotes markup: the page must show it as text, never run it. */
export const HOSTILE_MESSAGE =
  'The vendor answered <script>document.documentElement.dataset.pwned="script"</script><img src=x onerror="document.documentElement.dataset.pwned=\'img\'">';

/** Several streams in different states (one failing with a hostile message), and two outputs. */
export function sampleDocument(nowMs = Date.now()): StatusDocument {
  return {
    collector: { name: 'acme-prod', version: '0.1.0', started_at: iso(nowMs, 5 * 3_600_000) },
    streams: [
      stream(nowMs, { input: 'onepassword', service: 'audit', state: 'healthy' }),
      stream(nowMs, {
        input: 'onepassword',
        service: 'item_usage',
        state: 'backfilling',
        lag_seconds: 7_500,
        backfill: { from: iso(nowMs, 30 * 86_400_000), to: iso(nowMs, 0), position: iso(nowMs, 10 * 86_400_000), percent: 66.7, eta_seconds: 7_500 },
      }),
      stream(nowMs, {
        input: 'lastpass',
        service: 'events',
        type: 'lastpass',
        tag: 'auth.lastpass.audit',
        state: 'failed',
        message: 'The vendor rejected the credentials.',
        last_success_at: iso(nowMs, 7_200_000),
        lag_seconds: 7_300,
        last_error: { code: 'SetupError 100', message: HOSTILE_MESSAGE, at: iso(nowMs, 60_000) },
      }),
      stream(nowMs, {
        input: 'lark',
        service: 'audit',
        type: 'lark',
        tag: 'saas.lark.audit',
        state: 'throttled',
        lag_seconds: 65,
        last_error: { code: 'PullError 302', message: 'Too many requests', at: iso(nowMs, 30_000) },
      }),
      stream(nowMs, { input: 'kiteworks', service: 'activities', type: 'kiteworks', tag: 'saas.kiteworks.activities', state: 'stale', lag_seconds: 90_000 }),
      stream(nowMs, { input: 'kiteworks_eu', service: 'activities', type: 'kiteworks', tag: 'saas.kiteworks.activities', state: 'starting', last_success_at: null, lag_seconds: null, events_delivered: 0 }),
    ],
    outputs: [
      { name: 'devo_eu', type: 'devo', state: 'healthy', queue_events: 12, last_error: null },
      { name: 'syslog_1', type: 'syslog', state: 'failing', queue_events: 10_000, last_error: { code: 'OutputError 401', message: 'connect ECONNREFUSED 10.0.0.5:514', at: iso(nowMs, 5_000) } },
    ],
  };
}

/** Every stream healthy. */
export function healthyDocument(nowMs = Date.now()): StatusDocument {
  return {
    collector: { name: 'acme-prod', version: '0.1.0', started_at: iso(nowMs, 60_000) },
    streams: [
      stream(nowMs, { input: 'onepassword', service: 'audit', state: 'healthy' }),
      stream(nowMs, { input: 'onepassword', service: 'item_usage', state: 'healthy', lag_seconds: 7_500 }),
    ],
    outputs: [{ name: 'file_1', type: 'file', state: 'healthy', queue_events: 0, last_error: null }],
  };
}

export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  /** For https: the CA to trust. */
  ca?: string;
  agent?: Agent;
}

/** One request; resolves with the whole answer. */
export function fetchText(url: string, o: FetchOptions = {}): Promise<Fetched> {
  const secure = url.startsWith('https:');
  return new Promise<Fetched>((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: o.method ?? 'GET',
      headers: o.headers ?? {},
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.agent ? { agent: o.agent } : { agent: false }),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.end();
  });
}
