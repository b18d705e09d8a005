// A postgres:// URL read into what Siphon connects with and what messages may name. Kept apart
// from the connection (database.ts) so the configuration loader checks a URL without loading pg.

/** How the connection is protected (libpq's sslmode; `prefer` and `allow` fall back to plain text, so they are refused). */
export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
export const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];
/** A security product verifies by default: without `sslmode` in the URL, the server's certificate and name are checked. */
export const DEFAULT_SSL_MODE: SslMode = 'verify-full';

/** The URL's parts, for connecting and for messages (`where` never holds the password). */
export interface ParsedUrl {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly sslmode: SslMode;
  /** "host:port/database", what messages name. */
  readonly where: string;
}

/** Reads a postgres:// URL; throws a plain sentence (the configuration loader adds the code and the setting). */
export function parsePostgresUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('is not a URL (postgres://user:password@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error(`must start with postgres:// (got ${parsed.protocol}//)`);
  if (!parsed.hostname) throw new Error('names no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('names no database (postgres://user:password@host:5432/database)');
  const user = decodeURIComponent(parsed.username);
  if (!user) throw new Error('names no user (postgres://user:password@host:5432/database)');
  const mode = parsed.searchParams.get('sslmode') ?? DEFAULT_SSL_MODE;
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new Error(`has sslmode=${mode}; use one of ${SSL_MODES.join(', ')} (prefer and allow may silently fall back to an unencrypted connection)`);
  }
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'sslmode') throw new Error(`has the parameter ${key}, which Siphon does not use (only sslmode)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : 5432;
  return {
    host,
    port,
    user,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
    sslmode: mode as SslMode,
    where: `${parsed.port ? `${parsed.hostname}:${port}` : parsed.hostname}/${database}`,
  };
}

