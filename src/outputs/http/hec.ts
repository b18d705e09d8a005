// Splunk HTTP Event Collector specifics: its endpoints and its JSON replies
// ({"text":"Success","code":0}; any other code is a refusal, whatever the HTTP status).

import type { Redactor } from '../../core/redact.js';
import { excerpt, judgeStatus, type Verdict } from './delivery.js';
import type { Answer } from './transport.js';

const COLLECTOR = '/services/collector';
const EVENT_PATHS = [`${COLLECTOR}/event`, `${COLLECTOR}/event/1.0`];

/** HEC's reply code for a request without events: the token was accepted. */
export const HEC_NO_DATA = 5;
/** HEC's reply code when the token requires indexer acknowledgement (a channel). */
export const HEC_CHANNEL_MISSING = 10;

export const ACK_HINT = '(the token has indexer acknowledgement turned on, which this output does not use: turn it off for this token)';

export interface HecUrls {
  /** Where events go: `<url>/services/collector/event`, or `url` itself when it already ends so. */
  readonly event: URL;
  readonly health: URL;
}

export function hecUrls(url: string): HecUrls {
  const event = new URL(url);
  const path = event.pathname.replace(/\/+$/, '');
  const given = EVENT_PATHS.find((p) => path.endsWith(p));
  const base = given === undefined ? path : path.slice(0, -given.length);
  if (given === undefined) event.pathname = `${path}${COLLECTOR}/event`;
  const health = new URL(event.origin);
  health.pathname = `${base}${COLLECTOR}/health`;
  return { event, health };
}

export interface HecReply {
  readonly code?: number;
  readonly text?: string;
}

/** The reply's code and text, when the body is HEC's JSON. */
export function hecReply(body: string): HecReply {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { code, text } = parsed as Record<string, unknown>;
    return { ...(typeof code === 'number' ? { code } : {}), ...(typeof text === 'string' ? { text } : {}) };
  } catch {
    return {};
  }
}

/** Like judgeStatus, and a 2xx whose reply carries a code other than 0 is a refusal. */
export function judgeHecAnswer(answer: Answer, redactor: Redactor): Verdict {
  const verdict = judgeStatus(answer, redactor);
  const { code, text } = hecReply(answer.body);
  if (verdict.kind === 'fail' && code === HEC_CHANNEL_MISSING) return { kind: 'fail', reason: `${verdict.reason} ${ACK_HINT}` };
  if (verdict.kind !== 'ok') return verdict;
  if (code === undefined || code === 0) return verdict;
  return { kind: 'fail', reason: `HTTP ${answer.status} with HEC code ${code}${text === undefined ? '' : ` "${excerpt(text, redactor)}"`}` };
}
