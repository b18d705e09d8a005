// The error catalogue. Every error Siphon reports carries one of these codes, in the
// form the Devo collector documentation uses ("InitVariablesError 3"), so operators
// can look it up in docs/errors.md. test/errors-doc.test.ts keeps that page and this
// table in step.

export type ErrorFamily =
  | 'InitVariablesError'
  | 'SetupError'
  | 'PrePullError'
  | 'PullError'
  | 'OutputError'
  | 'InternalError';

export interface CatalogueEntry {
  readonly family: ErrorFamily;
  readonly id: number;
  /** What it means, for docs/errors.md. */
  readonly cause: string;
  /** What the operator should do. */
  readonly solution: string;
}

function entry(family: ErrorFamily, id: number, cause: string, solution: string): CatalogueEntry {
  return { family, id, cause, solution };
}

export const ERROR_CATALOGUE = {
  // Configuration (exit code 2).
  CONFIG_MISSING: entry('InitVariablesError', 1, 'A mandatory setting is missing.', 'Add the setting; see docs/configuration.md.'),
  CONFIG_WRONG_TYPE: entry('InitVariablesError', 2, 'A setting has the wrong type (for example a list where a string is expected).', 'Fix the value to the documented type.'),
  CONFIG_EMPTY_STRING: entry('InitVariablesError', 3, 'A setting is present but is an empty string.', 'Give the setting a value or remove it.'),
  CONFIG_BAD_DATE: entry('InitVariablesError', 4, 'A start-time setting is not a valid date (RFC 3339 or "YYYY-MM-DD HH:MM:SS" in UTC).', 'Write the date as 2024-05-01T00:00:00Z or 2024-05-01 00:00:00.'),
  CONFIG_FUTURE_DATE: entry('InitVariablesError', 5, 'A start-time setting is in the future.', 'Use a date in the past.'),
  CONFIG_UNKNOWN_KEY: entry('InitVariablesError', 6, 'A setting is not known at this place (often a typo).', 'Check the spelling against docs/configuration.md.'),
  CONFIG_INVALID_VALUE: entry('InitVariablesError', 7, 'A setting has a value outside what is allowed (range, list of choices, URL form).', 'Use one of the documented values.'),
  CONFIG_SECRET_UNRESOLVED: entry('InitVariablesError', 8, 'A ${env:NAME} or ${file:PATH} reference could not be resolved.', 'Set the environment variable or make the file readable.'),
  CONFIG_SYNTAX: entry('InitVariablesError', 9, 'The configuration file cannot be read or is not valid YAML.', 'Fix the file at the reported line and column.'),
  CONFIG_UNKNOWN_CONNECTOR: entry('InitVariablesError', 10, 'An input names a connector type or a service that Siphon does not have.', 'Use one of the connector types and services listed in docs/configuration.md.'),
  // Setup: authentication and reachability (exit code 3).
  SETUP_AUTH_FAILED: entry('SetupError', 100, 'The vendor rejected the credentials (bad, expired or revoked token).', 'Issue a new token or fix the credentials.'),
  SETUP_FEATURE_MISSING: entry('SetupError', 101, 'The credentials are valid but lack the permission (feature, scope) a service needs.', 'Grant the permission to the token, or disable the service.'),
  SETUP_NOT_PULLABLE: entry('SetupError', 102, 'A test request to the vendor failed, so the source is not pullable.', 'Check the base URL, network access and the reported cause.'),
  SETUP_UNREACHABLE: entry('SetupError', 103, 'The vendor could not be reached (DNS, connection refused, TLS, timeout).', 'Check the base URL, proxies and firewalls.'),
  // Persistence (exit code 1 unless at setup).
  PERSISTENCE_UNREADABLE: entry('PrePullError', 200, 'The saved state of a service cannot be read or is corrupt. Siphon never restarts from scratch silently.', 'Inspect the file named in the message; restore it or run `siphon state reset`.'),
  PERSISTENCE_WRITE_FAILED: entry('PrePullError', 201, 'The state of a service, or the delivery journal of an output, could not be saved (disk full, permissions).', 'Free space or fix permissions; the events will be pulled again, not lost.'),
  PERSISTENCE_CONFLICT: entry('PrePullError', 202, 'Another process changed the state of the same service at the same time.', 'Run one collector per service, or use a shared store with distinct services.'),
  // The status server (exit code 1: the collector does not start without the server it was told to run).
  STATUS_SERVER_UNAVAILABLE: entry('PrePullError', 203, 'The status server (globals.status_server) could not start: its address is in use, is not one of this machine\'s, or needs privileges, or its TLS certificate or key cannot be read or used.', 'Choose another `listen` address (port 0 picks a free one) or stop the program holding it; check the certificate and key files named in the message.'),
  // PostgreSQL persistence and the cluster.
  PERSISTENCE_UNAVAILABLE: entry('PrePullError', 204, 'The PostgreSQL database of `persistence.type: postgres` cannot be used: unreachable, login refused, TLS verification failed, or its schema is newer than this Siphon.', 'Check the URL (host, port, database, user), the password, sslmode and ca_file; the message names the server and the cause, never the password. Streams pause and resume when the database is back.'),
  PERSISTENCE_FENCED: entry('PrePullError', 205, 'A replica lost its claim on a stream (its lease expired while it was paused or cut off, and another replica took the stream), so its checkpoint was refused.', 'Nothing to do: the stream continues on the replica that holds it now. If it happens often, raise `cluster.lease_seconds` or look for long pauses (CPU starvation, network partitions).'),
  // Pulling (the stream retries; state does not move).
  PULL_HTTP_ERROR: entry('PullError', 300, 'The vendor API answered with an error status.', 'Usually transient; if it repeats, see the status and message in the log.'),
  PULL_MALFORMED_RESPONSE: entry('PullError', 301, 'The vendor API answered with a body Siphon cannot read.', 'Usually transient; if it repeats, report it with the logged request.'),
  PULL_RATE_LIMITED: entry('PullError', 302, 'The vendor kept answering "too many requests" after every retry.', 'Lower the request rate or wait; no data is lost.'),
  PULL_NETWORK: entry('PullError', 303, 'The request failed on the network (refused, reset, timeout) after every retry.', 'Check connectivity; the stream retries on the next cycle.'),
  PULL_AUTH_LOST: entry('PullError', 304, 'The vendor rejected the credentials while pulling (token revoked or expired).', 'Issue a new token; the stream resumes where it stopped.'),
  PULL_NO_PROGRESS: entry('PullError', 305, 'The vendor kept answering that more events follow, with no events and the same cursor, so pulling would ask for the same page for ever; the cycle stops after 3 such pages.', 'Usually a vendor-side fault that passes; the stream retries with back-off and the checkpoint stays. If it repeats, report the logged cursor to the vendor.'),
  // Outputs.
  OUTPUT_UNAVAILABLE: entry('OutputError', 400, 'An output could not be opened or reached.', 'Check the output settings (path, host, port, certificates).'),
  OUTPUT_WRITE_FAILED: entry('OutputError', 401, 'An output failed to accept events; nothing was acknowledged, so no checkpoint moved.', 'Fix the destination; delivery resumes where it stopped.'),
  // Anything else.
  INTERNAL: entry('InternalError', 900, 'An unexpected condition inside Siphon.', 'Report it with the log line.'),
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Exit codes of the CLI: 0 ok; 2 configuration invalid; 3 setup/auth/check failed; 1 anything else. */
export const EXIT = { OK: 0, FAILURE: 1, CONFIG: 2, SETUP: 3 } as const;

export function exitCodeFor(code: ErrorCode): number {
  const family = ERROR_CATALOGUE[code].family;
  if (family === 'InitVariablesError') return EXIT.CONFIG;
  if (family === 'SetupError') return EXIT.SETUP;
  return EXIT.FAILURE;
}

/**
 * "InitVariablesError 3". `devoId` replaces the number where a connector follows its Devo
 * collector's own table (Devo numbers errors per collector: Lark's "InitVariablesError 1" is
 * a badly written start time); the family, and so the exit code, stays the catalogue's.
 */
export function formatCode(code: ErrorCode, devoId?: number): string {
  const e = ERROR_CATALOGUE[code];
  return `${e.family} ${devoId ?? e.id}`;
}

/**
 * The one error type that crosses module boundaries. `message` is a plain sentence
 * that must never contain a secret (the logger redacts again as a second line of defence).
 */
export class SiphonError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for the log line: the setting path, the request, the HTTP status... */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * True when trying again cannot help (the vendor said the credentials are wrong), even
   * where the code is usually transient: setup and --once then give up at once.
   */
  readonly permanent: boolean;
  /** The number the connector's Devo collector table gives this error, when it has its own (see formatCode). */
  readonly devoId: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown; permanent?: boolean; devoId?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SiphonError';
    this.code = code;
    this.details = details;
    this.permanent = options?.permanent ?? false;
    this.devoId = options?.devoId;
  }

  /** "[SetupError 100] The token was rejected ..." */
  describe(): string {
    return `[${formatCode(this.code, this.devoId)}] ${this.message}`;
  }
}

/** Wraps anything thrown into a SiphonError without losing what it was. */
export function toSiphonError(err: unknown, fallback: ErrorCode = 'INTERNAL'): SiphonError {
  if (err instanceof SiphonError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SiphonError(fallback, message, {}, { cause: err });
}
