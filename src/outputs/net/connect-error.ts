// What went wrong when connecting to a receiver, in words an operator can act on. Node and
// OpenSSL report the same few failures under many codes; `siphon check` and the delivery
// warnings show one of these reasons with the address.

import { SiphonError } from '../../core/errors.js';

export type ConnectFailure =
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'reset'
  | 'hostname-mismatch'
  | 'server-untrusted'
  | 'client-cert-rejected'
  | 'not-tls'
  | 'bad-local-files'
  | 'closed'
  /** The HTTP proxy in between refused or could not be reached. */
  | 'proxy'
  | 'other';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'INVALID_CA',
]);

/** Alerts a server sends about the client's certificate (or its absence). */
const CERTIFICATE_ALERT = /ALERT_(CERTIFICATE|BAD_CERTIFICATE|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE|DECRYPT_ERROR)/;

/** Classifies a socket or TLS error. */
export function classifyConnectError(err: unknown): { failure: ConnectFailure; detail: string } {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  const message = e instanceof Error ? e.message : String(err);
  if (code === 'ECONNREFUSED') return { failure: 'refused', detail: 'connection refused (nothing listens there, or a firewall rejects it)' };
  if (code === 'ETIMEDOUT' || code === 'SIPHON_CONNECT_TIMEOUT') return { failure: 'timeout', detail: message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', detail: `host name not found (${code})` };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', detail: `connection reset by the receiver (${code})` };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { failure: 'hostname-mismatch', detail: `host-name mismatch: ${e.reason ?? message}` };
  if (UNTRUSTED.has(code)) return { failure: 'server-untrusted', detail: `the server's certificate is not trusted (${code}); check \`chain\`/\`ca\`` };
  if (CERTIFICATE_ALERT.test(code)) {
    return { failure: 'client-cert-rejected', detail: `certificate rejected by the server: TLS alert "${alertName(code)}"; check \`cert\`, \`key\` and that the receiver trusts their CA` };
  }
  if (/ALERT/.test(code)) return { failure: 'other', detail: `the receiver ended the TLS session with the alert "${alertName(code)}" (${code})` };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return { failure: 'not-tls', detail: `the receiver does not answer in TLS on this port (${code})` };
  }
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return { failure: 'bad-local-files', detail: 'the client certificate and its key do not match; check `cert` and `key`' };
  if (code.startsWith('ERR_OSSL_PEM_') || code === 'ERR_OSSL_UNSUPPORTED' || code === 'ERR_OSSL_ASN1_WRONG_TAG') {
    return { failure: 'bad-local-files', detail: `a certificate or key file is not valid PEM (${code}); check \`cert\`, \`key\` and the CA file` };
  }
  if (code === CLIENT_CERT_REFUSED) return { failure: 'client-cert-rejected', detail: message };
  if (code === 'SIPHON_CLOSED') return { failure: 'closed', detail: message };
  return { failure: 'other', detail: code ? `${message} (${code})` : message };
}

/** How a receiver that refuses our client certificate is named, and the settings to check. */
export interface TlsRefusalWords {
  /** "relay", "daemon". */
  readonly receiver: string;
  /** The settings of the client certificate, its key and the CA file, as the output calls them. */
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export const DEFAULT_REFUSAL_WORDS: TlsRefusalWords = { receiver: 'receiver', cert: 'cert', key: 'key', ca: 'ca' };

const CLIENT_CERT_REFUSED = 'SIPHON_CLIENT_CERT_REFUSED';

/**
 * The receiver ended the session within moments of a completed TLS handshake. Under TLS 1.3 a
 * server judges the client certificate after the handshake has completed on the client's
 * side, so its refusal arrives as whatever the receiver does next: an alert ("certificate
 * required", "unknown ca"), a bare close, a reset, or, when a balancer in front answers with
 * an unencrypted alert, OpenSSL's "bad record type". All of them mean the same to an operator.
 * `cause`: the error seen, or undefined for a close without one.
 */
export function refusedAfterHandshake(cause: unknown, words: TlsRefusalWords, clientCertificate: boolean): NodeJS.ErrnoException {
  return refusal(`the ${words.receiver} closed the session right after the TLS handshake, ${likelyCause(words, clientCertificate)} (seen: ${seen(cause)})`, cause);
}

/**
 * An error before the handshake completed, in the same words when it is about our certificate:
 * an alert about it (TLS 1.2 refuses inside the handshake), or a reset while we offer one (a
 * receiver that closes once it has judged it). Other errors are returned as they are.
 */
export function duringHandshake(err: unknown, words: TlsRefusalWords, clientCertificate: boolean): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (CERTIFICATE_ALERT.test(code)) {
    return refusal(`the ${words.receiver} refused the TLS handshake with the alert "${alertName(code)}", ${likelyCause(words, clientCertificate)}`, err);
  }
  if (clientCertificate && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return refusal(`the ${words.receiver} cut the connection during the TLS handshake (${code}), ${likelyCause(words, clientCertificate)}`, err);
  }
  return err;
}

function likelyCause(words: TlsRefusalWords, clientCertificate: boolean): string {
  return clientCertificate
    ? `most likely refusing our client certificate; check \`${words.cert}\`, \`${words.key}\` and \`${words.ca}\``
    : `most likely because it requires a client certificate and none is configured; set \`${words.cert}\` and \`${words.key}\``;
}

function refusal(message: string, cause: unknown): NodeJS.ErrnoException {
  const err = codedError(CLIENT_CERT_REFUSED, message);
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** What the receiver did, in a few words: `the alert "certificate required"`, `ERR_SSL_BAD_RECORD_TYPE`, `a close without an alert`. */
function seen(cause: unknown): string {
  if (cause === undefined) return 'a close without an alert';
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  if (/ALERT/.test(code)) return `the alert "${alertName(code)}"`;
  return code !== '' ? code : cause instanceof Error ? cause.message : String(cause);
}

/** "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" -> "certificate required". */
function alertName(code: string): string {
  const m = /ALERT_(.+)$/.exec(code);
  return (m?.[1] ?? code).toLowerCase().replace(/_/g, ' ');
}

/** An error with a code, as the socket layer raises them (for the timeouts Siphon makes itself). */
export function codedError(code: string, message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}

/** The OUTPUT_UNAVAILABLE error for a failed connection, naming the output, the address and the reason. */
export function connectError(output: string, address: string, err: unknown): SiphonError {
  const { failure, detail } = classifyConnectError(err);
  return new SiphonError('OUTPUT_UNAVAILABLE', `Output ${output}: ${address}: ${detail}`, { output, address, failure }, { cause: err });
}
