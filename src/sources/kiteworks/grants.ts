// The form bodies of Kiteworks' server-to-server OAuth flows: the signature flow's computed
// authorization code and the JWT bearer assertion. Pure functions of their inputs (and the
// clock and randomness they are given), so they can be checked on their own.

import { createHmac, randomInt, randomUUID, type KeyObject } from 'node:crypto';
import { signJwt } from '../common/jwt.js';

const SEP = '|@@|';

/** The signature flow's `code`: ids, time, a nonce, and an HMAC-SHA1 of them with the signature key. */
export function signatureFlowCode(o: { clientId: string; userEmail: string; signatureKey: string; nowMs: number; nonce?: number }): string {
  const timestamp = Math.floor(o.nowMs / 1000);
  const nonce = o.nonce ?? randomInt(1, 1_000_000);
  const base = [o.clientId, o.userEmail, timestamp, nonce].join(SEP);
  const signature = createHmac('sha1', o.signatureKey).update(base).digest('hex');
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [b64(o.clientId), b64(o.userEmail), timestamp, nonce, signature].join(SEP);
}

/** A JWT bearer assertion (RS256/RS512) for the JWT flow: short-lived, single-use (jti). */
export function jwtAssertion(o: { clientId: string; userEmail: string; audience: string; privateKey: KeyObject; algorithm: 'RS256' | 'RS512'; nowMs: number }): string {
  const now = Math.floor(o.nowMs / 1000);
  const claims = { iss: o.clientId, sub: o.userEmail, aud: o.audience, iat: now, nbf: now - 60, exp: now + 300, jti: randomUUID() };
  return signJwt({ algorithm: o.algorithm, claims, privateKey: o.privateKey });
}
