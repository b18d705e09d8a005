// Lark errors, numbered and worded as Devo's Lark collector documents them (SetupError
// 100-104, PullError 300-301), on top of Siphon's catalogue codes (which decide the exit code
// and whether another attempt can help).

import { SiphonError, type ErrorCode } from '../../core/errors.js';

/** Setup (the first token and the test request) or pulling. */
export type LarkPhase = 'setup' | 'pull';

/** What went wrong, in the terms of Devo's table. */
export type LarkFailure =
  /** The token endpoint refused the app ID or secret. */
  | 'token-refused'
  /** The token endpoint could not be reached or answered something unreadable. */
  | 'token-error'
  /** The token endpoint answered an unexpected status. */
  | 'token-status'
  /** audit_infos answered an HTTP/API error. */
  | 'api-http'
  /** audit_infos could not be reached or answered something unreadable. */
  | 'api-error'
  /** The app lacks admin:audit_info:readonly (or the tenant lacks the feature). */
  | 'api-permission'
  /** The token was refused twice in a row while pulling. */
  | 'api-auth'
  /** Still rate limited after every retry. */
  | 'api-rate-limited';

const SEED_TEXT: Record<LarkFailure, string> = {
  'token-refused': 'HTTP error occurred while generating auth token from Lark server',
  'token-error': 'Some error occurred while generating auth token from Lark server. Error details:',
  'token-status': 'Unable to generate auth token with status code as',
  'api-http': 'HTTP error occurred while fetching audit infos from Lark server',
  'api-error': 'Some error occurred while fetching audit infos from Lark server. Error details:',
  'api-permission': 'HTTP error occurred while fetching audit infos from Lark server',
  'api-auth': 'HTTP error occurred while fetching audit infos from Lark server',
  'api-rate-limited': 'HTTP error occurred while fetching audit infos from Lark server',
};

/** [code, Devo number] per phase. */
function classify(failure: LarkFailure, phase: LarkPhase): [ErrorCode, number] {
  if (phase === 'setup') {
    switch (failure) {
      case 'token-refused':
        return ['SETUP_AUTH_FAILED', 100];
      case 'token-error':
        return ['SETUP_UNREACHABLE', 101];
      case 'token-status':
        return ['SETUP_NOT_PULLABLE', 102];
      case 'api-permission':
        return ['SETUP_FEATURE_MISSING', 103];
      case 'api-auth':
        return ['SETUP_AUTH_FAILED', 103];
      case 'api-http':
      case 'api-rate-limited':
        return ['SETUP_NOT_PULLABLE', 103];
      case 'api-error':
        return ['SETUP_UNREACHABLE', 104];
    }
  }
  switch (failure) {
    case 'token-refused':
    case 'api-auth':
    case 'api-permission':
      return ['PULL_AUTH_LOST', 300];
    case 'token-status':
    case 'api-http':
      return ['PULL_HTTP_ERROR', 300];
    case 'api-rate-limited':
      return ['PULL_RATE_LIMITED', 300];
    case 'token-error':
    case 'api-error':
      return ['PULL_MALFORMED_RESPONSE', 301];
  }
}

/** Refusals that another attempt cannot cure: wrong credentials, a missing permission. */
const PERMANENT: ReadonlySet<LarkFailure> = new Set(['token-refused', 'api-permission', 'api-auth']);

export function larkError(failure: LarkFailure, phase: LarkPhase, detail: string, details: Record<string, unknown> = {}, cause?: unknown): SiphonError {
  const [code, devoId] = classify(failure, phase);
  return new SiphonError(code, `${SEED_TEXT[failure]} ${detail}`, details, { devoId, permanent: PERMANENT.has(failure), cause });
}
