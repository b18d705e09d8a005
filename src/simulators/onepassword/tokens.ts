// Bearer tokens the simulator accepts. Real Events API tokens are ES256 JWTs whose claims
// list the features ("1password.com/fts"); the default token has the same shape, so a
// client that peeks at the claims sees what it would see in production.

import { Prng } from '../common/prng.js';
import { randomUuid } from './ids.js';
import { secondsTime } from './timestamps.js';
import { EVENT_KINDS, type OnePasswordFeature, type SimulatorToken } from './types.js';

export interface TokenInfo {
  readonly token: string;
  readonly features: readonly OnePasswordFeature[];
  /** Introspection: the token's own uuid and when it was issued. */
  readonly uuid: string;
  readonly issuedAt: string;
}

const ISSUED_DAYS_AGO = 30;

export function buildTokens(configured: SimulatorToken[] | undefined, seed: number, nowMs: number, accountUuid: string): TokenInfo[] {
  const rng = Prng.derive(seed, 'tokens');
  const issuedMs = nowMs - ISSUED_DAYS_AGO * 86_400_000;
  const issuedAt = secondsTime(issuedMs);
  const list = configured ?? [{ token: jwtLike(rng, accountUuid, [...EVENT_KINDS], issuedMs), features: [...EVENT_KINDS] }];
  if (list.length === 0) throw new RangeError('tokens: at least one token is needed');
  return list.map((t) => {
    if (typeof t.token !== 'string' || t.token === '') throw new RangeError('tokens: a token must be a non-empty string');
    return { token: t.token, features: [...new Set(t.features)], uuid: randomUuid(rng), issuedAt };
  });
}

function jwtLike(rng: Prng, accountUuid: string, features: OnePasswordFeature[], issuedMs: number): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const header = { alg: 'ES256', kid: randomUuid(rng).toLowerCase(), typ: 'JWT' };
  const claims = {
    '1password.com/auuid': accountUuid,
    '1password.com/token': randomUuid(rng).toLowerCase(),
    '1password.com/fts': features,
    aud: ['events.1password.com'],
    iat: Math.floor(issuedMs / 1000),
    iss: 'com.1password.b5',
    sub: randomUuid(rng),
  };
  const signature = Buffer.from(Array.from({ length: 64 }, () => rng.int(256))).toString('base64url');
  return `${b64(header)}.${b64(claims)}.${signature}`;
}
