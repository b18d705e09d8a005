// What an answer means for a POST of events, and the retries within one write: 429, 5xx and
// network failures are tried again with exponential back-off and jitter (Retry-After wins);
// any other status fails the write at once, so the pipeline sends the batch again later.

import type { Clock, Logger } from '../../core/contracts.js';
import { excerpt as redactedExcerpt, type Redactor } from '../../core/redact.js';
import { retryDelayMs, type RetryPolicy } from '../../core/retry-policy.js';
import { parseRetryAfterMs } from '../../http/retry-after.js';
import { AttemptFailure, type Answer } from './transport.js';

export type Verdict = { kind: 'ok' } | { kind: 'retry'; reason: string } | { kind: 'fail'; reason: string };

/** Longest excerpt of an answer's body put in a message. */
const MAX_EXCERPT_CHARS = 300;

/** The start of an answer's body for a message: one line, secrets hidden (before the cut), at most 300 characters. */
export function excerpt(body: string, redactor: Redactor): string {
  return redactedExcerpt(body, redactor, { maxChars: MAX_EXCERPT_CHARS });
}

/** `HTTP 400: {"error":"bad"}`, or `HTTP 400` for an empty body. */
export function statusText(answer: Answer, redactor: Redactor, note = ''): string {
  const body = excerpt(answer.body, redactor);
  return `HTTP ${answer.status}${note}${body === '' ? '' : `: ${body}`}`;
}

/** The verdict on a status alone: 2xx delivered; 429 and 5xx worth another try; anything else final. */
export function judgeStatus(answer: Answer, redactor: Redactor): Verdict {
  const { status } = answer;
  if (status >= 200 && status <= 299) return { kind: 'ok' };
  if (status === 429) return { kind: 'retry', reason: statusText(answer, redactor, ' (too many requests)') };
  if (status >= 500 && status <= 599) return { kind: 'retry', reason: statusText(answer, redactor) };
  if (status === 401 || status === 403) return { kind: 'fail', reason: statusText(answer, redactor, ' (credentials rejected)') };
  if (status === 413) return { kind: 'fail', reason: statusText(answer, redactor, ' (request too large: lower batch_max_bytes)') };
  return { kind: 'fail', reason: statusText(answer, redactor) };
}

/** How one POST is tried again. */
export interface PostRetries {
  readonly maxRetries: number;
  /** The wait between attempts when the receiver sends no Retry-After. */
  readonly backoff: RetryPolicy;
  /** A Retry-After longer than this is cut to it (the write holds its pipeline while it waits). */
  readonly retryAfterCapMs: number;
  readonly random: () => number;
}

export interface RetryContext {
  readonly policy: PostRetries;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the output closes or its write is dropped: no new attempt starts. */
  readonly signal: AbortSignal;
}

/** Why a POST failed for good, after `attempts` attempts. */
export class DeliveryFailure extends Error {
  constructor(
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(reason);
    this.name = 'DeliveryFailure';
  }
}

/**
 * Runs `attempt` until `judge` accepts its answer, retrying what may pass on another try.
 * `what` names the request in warnings ("POST 2 of 3 to https://host/path").
 */
export async function withRetries(what: string, attempt: () => Promise<Answer>, judge: (answer: Answer) => Verdict, ctx: RetryContext): Promise<Answer> {
  const { policy, clock, logger, signal } = ctx;
  const maxAttempts = policy.maxRetries + 1;
  for (let n = 1; ; n++) {
    if (signal.aborted) throw new DeliveryFailure('the output is closing', n - 1);
    let reason: string;
    let delayMs: number;
    try {
      const answer = await attempt();
      const verdict = judge(answer);
      if (verdict.kind === 'ok') return answer;
      if (verdict.kind === 'fail') throw new DeliveryFailure(verdict.reason, n);
      reason = verdict.reason;
      delayMs = retryAfter(answer, clock, policy, logger, what) ?? retryDelayMs(policy.backoff, n, policy.random);
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      if (!err.retryable) throw new DeliveryFailure(err.detail, n);
      reason = err.detail;
      delayMs = retryDelayMs(policy.backoff, n, policy.random);
    }
    // Stopping: no new attempt, and no warning about one.
    if (signal.aborted) throw new DeliveryFailure(`${reason}; the output is stopping`, n);
    if (n >= maxAttempts) throw new DeliveryFailure(reason, n);
    logger.warn(`${what} failed (attempt ${n} of ${maxAttempts}): ${reason}; retrying in ${(delayMs / 1000).toFixed(2)} s`, { attempt: n, maxAttempts, delayMs });
    try {
      await clock.sleep(delayMs, signal);
    } catch {
      throw new DeliveryFailure(`${reason}; the output closed while waiting to retry`, n);
    }
  }
}

function retryAfter(answer: Answer, clock: Clock, policy: PostRetries, logger: Logger, what: string): number | undefined {
  const ms = parseRetryAfterMs(answer.headers['retry-after'], clock.now());
  if (ms === undefined || ms <= policy.retryAfterCapMs) return ms;
  logger.warn(`${what}: Retry-After asks for ${Math.round(ms / 1000)} s; waiting ${Math.round(policy.retryAfterCapMs / 1000)} s at most`);
  return policy.retryAfterCapMs;
}
