// The service app's private key (read from private_key_file when the configuration loaded) and
// the JWT algorithm it signs with: Okta takes RSA keys (RS256/384/512) and EC keys on P-256,
// P-384 and P-521 (ES256, ES384, ES512, one curve each). The file is PEM, or the JWK that
// Okta's "Generate new key" offers (its `kid` then names the key). A key that cannot sign as
// configured is a configuration error naming the setting; its content never reaches a message.

import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { FileSetting } from '../../config/fields.js';
import { SiphonError } from '../../core/errors.js';
import type { JwtAlgorithm } from '../common/jwt.js';

/** The curve each ES algorithm signs with (node's names). */
const CURVE_OF: Readonly<Record<string, JwtAlgorithm>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export interface SigningKey {
  readonly key: KeyObject;
  readonly algorithm: JwtAlgorithm;
  /** The `kid` of a JWK file. */
  readonly keyId: string | undefined;
}

export function signingKey(file: FileSetting, configured: JwtAlgorithm | undefined, setting: string): SigningKey {
  const fail = (why: string): never => {
    throw new SiphonError('CONFIG_INVALID_VALUE', `${setting}.private_key_file: cannot use ${file.path} (${why})`);
  };
  let key: KeyObject;
  const jwk = readJwk(file.text);
  try {
    key = jwk ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPrivateKey(file.text);
  } catch (err) {
    const what = jwk ? 'not a private JWK' : 'not a PEM private key';
    return fail(err instanceof Error && 'code' in err ? `${what}: ${String(err.code)}` : what);
  }
  const keyId = typeof jwk?.['kid'] === 'string' && jwk['kid'] !== '' ? jwk['kid'] : undefined;
  const own = key.asymmetricKeyType === 'rsa' ? 'RS256' : key.asymmetricKeyType === 'ec' ? CURVE_OF[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (own === undefined) {
    const kind = key.asymmetricKeyType === 'ec' ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}` : `a${key.asymmetricKeyType === 'ed25519' ? 'n' : ''} ${key.asymmetricKeyType ?? 'unknown'} key`;
    return fail(`it holds ${kind}; Okta takes RSA keys, or EC keys on P-256, P-384 or P-521`);
  }
  if (configured === undefined) return { key, algorithm: own, keyId };
  const fits = own === 'RS256' ? configured.startsWith('RS') : configured === own;
  if (!fits) {
    const holds = own === 'RS256' ? 'an RSA key' : `an EC key for ${own}`;
    fail(`${setting}.jwt_algorithm is ${configured}, but the file holds ${holds}`);
  }
  return { key, algorithm: configured, keyId };
}

/** The file as a JWK (a JSON object), or undefined when it is not JSON (PEM). */
function readJwk(text: string): JsonWebKey | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonWebKey) : undefined;
  } catch {
    return undefined;
  }
}
