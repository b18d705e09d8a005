// What a failed statement means for the operator. A lost or refused connection (the server is
// down, restarting, out of connection slots) is PERSISTENCE_UNAVAILABLE, transient: the stream
// backs off and tries again. Anything the server answered with an error of its own (disk full,
// permissions) is a failed write or read of that record. Messages name the server
// (host:port/database), never the password, and never a value from a record.

import { SiphonError, type ErrorCode } from '../../core/errors.js';

/** Why a connection failed, in the operator's words; the password never appears (pg does not put it in messages; the redactor is the second line). */
export function describeConnectionError(err: unknown, where: string): SiphonError {
  if (err instanceof SiphonError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const why =
    code === '28P01' || code === '28000'
      ? 'the server refused the user name or password'
      : code === '3D000'
        ? 'the database does not exist'
        : code === 'ECONNREFUSED'
          ? 'the connection was refused (is PostgreSQL running and listening there?)'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : (tlsRefusal(code, message) ?? message);
  return new SiphonError('PERSISTENCE_UNAVAILABLE', `PostgreSQL at ${where} cannot be used: ${why}`, { where, ...(code ? { cause: code } : {}) }, { cause: err });
}

/** OpenSSL's codes for a server certificate that no trusted authority vouches for (or one out of its dates). */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** A TLS failure in the operator's words and settings (sslmode, ca_file); undefined when the failure is not about TLS. */
function tlsRefusal(code: string | undefined, message: string): string | undefined {
  if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code)) {
    return `the server's certificate is not trusted (${message}); ca_file must name the PEM bundle of the authority that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate is not for the host in the URL (${message.trim()}); connect with a host name the certificate names`;
  }
  // pg's own words when the server answers the TLS request with "no" (its ssl setting is off); the error has no code.
  if (message === 'The server does not support SSL connections') {
    return 'the server does not offer TLS (its ssl setting is off); turn TLS on at the server, or write sslmode=disable if an unencrypted connection is acceptable there';
  }
  return undefined;
}

/** SQLSTATE classes and codes that mean "the connection, not the statement": 08 (connection), 57P01-03 (shutdown, starting), 53300 (too many connections). */
function isConnectionState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** The server's SQLSTATE, when the server answered (pg's DatabaseError); undefined for network and client errors. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * A failure of `what` ("save the state of input "x" service "y"") as a SiphonError: SiphonErrors
 * (the fence's, the connection's) pass through; a lost connection is PERSISTENCE_UNAVAILABLE;
 * the server's own refusal is `code`.
 */
export function databaseFailure(err: unknown, where: string, what: string, code: ErrorCode): SiphonError {
  if (err instanceof SiphonError) return err;
  const state = sqlState(err);
  if (state === undefined || isConnectionState(state)) return describeConnectionError(err, where);
  const message = err instanceof Error ? err.message : String(err);
  return new SiphonError(code, `Could not ${what} in PostgreSQL at ${where}: ${message} (SQLSTATE ${state})`, { where, sqlstate: state }, { cause: err });
}
