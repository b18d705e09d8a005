// `siphon check` for the `http` output: requests that prove the receiver is reachable (and,
// where the protocol allows, that it accepts the credentials) without sending an event.
//  - ndjson: HEAD <url> with the output's headers. Any answer but 401/403 counts: many
//    receivers answer 404 or 405 to a HEAD on a POST endpoint, which still proves the
//    connection, TLS and the server.
//  - splunk_hec: GET <base>/services/collector/health (HEC is up and its queues have room),
//    then a POST without events to the event endpoint: HEC answers code 5 "No data" when the
//    token is valid, 401/403 when it is not.

import type { Logger } from '../../core/contracts.js';
import type { Redactor } from '../../core/redact.js';
import { SiphonError } from '../../core/errors.js';
import { statusText } from './delivery.js';
import { ACK_HINT, HEC_CHANNEL_MISSING, HEC_NO_DATA, hecReply, type HecUrls } from './hec.js';
import { AttemptFailure, type Answer, type Transport } from './transport.js';

export interface CheckTarget {
  readonly output: string;
  readonly transport: Transport;
  /** Every request's headers (authorization, the settings' `headers`, user agent). */
  readonly headers: Readonly<Record<string, string>>;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

/** scheme://host/path: no query string, no credentials. */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function unavailable(t: CheckTarget, url: URL, reason: string, details: Record<string, unknown> = {}): SiphonError {
  return new SiphonError('OUTPUT_UNAVAILABLE', `Output ${t.output}: ${safeUrl(url)}: ${reason}`, { output: t.output, url: safeUrl(url), ...details });
}

async function exchange(t: CheckTarget, method: 'GET' | 'HEAD' | 'POST', url: URL, extra: Record<string, string> = {}): Promise<Answer> {
  try {
    return await t.transport.send(method, url, { ...t.headers, ...extra }, method === 'POST' ? Buffer.alloc(0) : undefined);
  } catch (err) {
    if (err instanceof AttemptFailure) throw unavailable(t, url, err.detail, { failure: err.failure });
    throw err;
  }
}

function rejectedCredentials(t: CheckTarget, url: URL, answer: Answer): SiphonError {
  return new SiphonError(
    'OUTPUT_UNAVAILABLE',
    `Output ${t.output}: ${safeUrl(url)} rejected the credentials (${statusText(answer, t.redactor)})`,
    { output: t.output, url: safeUrl(url), status: answer.status },
    { permanent: true },
  );
}

/** Says what was proven, for the PASS line. */
export async function checkNdjson(t: CheckTarget, url: URL): Promise<string> {
  const answer = await exchange(t, 'HEAD', url);
  if (answer.status === 401 || answer.status === 403) throw rejectedCredentials(t, url, answer);
  return `${safeUrl(url)} answered HEAD with HTTP ${answer.status}`;
}

/** Says what was proven, for the PASS line. */
export async function checkHec(t: CheckTarget, urls: HecUrls): Promise<string> {
  const health = await exchange(t, 'GET', urls.health);
  if (health.status === 401 || health.status === 403) throw rejectedCredentials(t, urls.health, health);
  if (health.status < 200 || health.status > 299) {
    const hint = health.status === 404 ? ' (is this the HEC address, with HEC enabled?)' : health.status === 503 ? ' (HEC is unhealthy: its queues are full)' : '';
    throw unavailable(t, urls.health, `${statusText(health, t.redactor)}${hint}`, { status: health.status });
  }
  const probe = await exchange(t, 'POST', urls.event, { 'content-type': 'application/json' });
  const { code } = hecReply(probe.body);
  if (probe.status === 401 || probe.status === 403) throw rejectedCredentials(t, urls.event, probe);
  if (code === HEC_CHANNEL_MISSING) throw unavailable(t, urls.event, `${statusText(probe, t.redactor)} ${ACK_HINT}`, { status: probe.status });
  const accepted = (probe.status >= 200 && probe.status <= 299) || (probe.status === 400 && code === HEC_NO_DATA);
  if (!accepted) throw unavailable(t, urls.event, statusText(probe, t.redactor), { status: probe.status });
  return `${safeUrl(urls.health)} is healthy and ${safeUrl(urls.event)} accepts the token`;
}
