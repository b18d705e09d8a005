// A signed JSON Web Token (RFC 7519, compact form), for OAuth client assertions and JWT
// bearer grants: RSA (RS256/384/512) and ECDSA (ES256/384/512) keys. Only what a token
// endpoint needs: a header with the algorithm (and the key id), the claims, the signature.

import { sign, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512';

export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

const DIGEST: Record<JwtAlgorithm, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(o: { algorithm: JwtAlgorithm; keyId?: string; claims: Record<string, unknown>; privateKey: KeyObject }): string {
  const header = encode({ alg: o.algorithm, typ: 'JWT', ...(o.keyId !== undefined ? { kid: o.keyId } : {}) });
  const body = `${header}.${encode(o.claims)}`;
  // ECDSA signatures in a JWT are the raw r|s pair (RFC 7518 3.4), not DER.
  const signature = o.algorithm.startsWith('ES')
    ? sign(DIGEST[o.algorithm], Buffer.from(body), { key: o.privateKey, dsaEncoding: 'ieee-p1363' })
    : sign(DIGEST[o.algorithm], Buffer.from(body), o.privateKey);
  return `${body}.${signature.toString('base64url')}`;
}
