// The connection to PostgreSQL that the state store, the delivery journal and the cluster's
// leases share: one pool per process, TLS verified unless the URL says otherwise, errors
// that name the server and database but never the password, and the schema brought up to
// date by versioned migrations at start-up (safe when many replicas start at once).

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { StateKey } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { parsePostgresUrl, type ParsedUrl } from './url.js';
import { describeConnectionError } from './errors.js';

export { describeConnectionError } from './errors.js';
export { DEFAULT_SSL_MODE, parsePostgresUrl, SSL_MODES, type ParsedUrl, type SslMode } from './url.js';

/**
 * Run inside a write's transaction, before the write, for each stream the write touches: the
 * cluster's claim check (it throws SiphonError PERSISTENCE_FENCED, permanent, when the replica no
 * longer holds the stream, and the transaction is rolled back).
 */
export type Fence = (client: pg.PoolClient, key: StateKey) => Promise<void>;

export interface PostgresConfig {
  /** postgres://user:password@host:port/database?sslmode=verify-full */
  readonly url: string;
  /** Where Siphon's tables live; created when missing. */
  readonly schema: string;
  /** A PEM bundle of the CA(s) that signed the server's certificate (default: the system's). */
  readonly caFile?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;

/** Connections of the cluster's control pool: a round's statements run one after another. */
const CONTROL_CONNECTIONS = 2;

/** The TLS options pg gets for a mode (false: no TLS). */
function tlsFor(url: ParsedUrl, ca: string | undefined): false | ConnectionOptions {
  if (url.sslmode === 'disable') return false;
  if (url.sslmode === 'require') return { rejectUnauthorized: false };
  const verified: ConnectionOptions = { rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}) };
  // verify-ca: the chain is checked, the host name is not (libpq's meaning). verify-full needs
  // nothing more: pg hands the host to tls.connect, which checks the certificate against it
  // (a name or an IP address), and sets the SNI name itself for names only (RFC 6066 forbids
  // an IP address there, and Node warns about one on every connection).
  return url.sslmode === 'verify-ca' ? { ...verified, checkServerIdentity: () => undefined } : verified;
}

/**
 * The pool every PostgreSQL user in the process shares. `pool` is pg's: its clients' queries
 * are plain SQL with the schema named (`Database.table('checkpoints')`), never interpolated values.
 */
export class Database {
  private constructor(
    readonly pool: pg.Pool,
    /**
     * The cluster's own connections (leases, heartbeats): a renewal must not wait behind the
     * streams' commits and state reads queued on `pool`, or a busy replica loses its claims.
     * Opened on first use, so a process without a cluster never connects it.
     */
    readonly control: pg.Pool,
    readonly schema: string,
    readonly where: string,
  ) {}

  /** Connects, brings the schema up to date and returns the shared pool. */
  static async open(config: PostgresConfig, options: { migrations?: readonly Migration[]; maxConnections?: number } = {}): Promise<Database> {
    const url = parsePostgresUrl(config.url);
    let ca: string | undefined;
    if (config.caFile !== undefined) {
      try {
        ca = readFileSync(config.caFile, 'utf8');
      } catch (err) {
        throw new SiphonError('PERSISTENCE_UNAVAILABLE', `The CA file ${config.caFile} for PostgreSQL at ${url.where} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      }
      // Node takes a bundle without a certificate as an empty list of CAs: every server would
      // then be refused as untrusted, which hides that the file is the wrong one.
      if (url.sslmode !== 'disable' && url.sslmode !== 'require' && !PEM_CERTIFICATE.test(ca)) {
        throw new SiphonError(
          'PERSISTENCE_UNAVAILABLE',
          `The CA file ${config.caFile} for PostgreSQL at ${url.where} holds no PEM certificate (-----BEGIN CERTIFICATE-----): name the CA's certificate in PEM form`,
          { where: url.where, path: config.caFile },
          { permanent: true },
        );
      }
    }
    const connection = {
      host: url.host,
      port: url.port,
      user: url.user,
      ...(url.password !== undefined ? { password: url.password } : {}),
      database: url.database,
      ssl: tlsFor(url, ca),
      connectionTimeoutMillis: 10_000,
      // A broken network is noticed by TCP keep-alive, not by waiting for ever on a query.
      keepAlive: true,
      application_name: 'siphon',
    };
    const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10 });
    const control = new pg.Pool({ ...connection, max: CONTROL_CONNECTIONS });
    // An idle client's error (the server restarted) must not crash the process: the pool drops
    // that client and the next query opens a new one.
    pool.on('error', () => undefined);
    control.on('error', () => undefined);
    const database = new Database(pool, control, config.schema, url.where);
    try {
      await database.migrate(options.migrations ?? MIGRATIONS);
    } catch (err) {
      await Promise.all([pool.end(), control.end()]).catch(() => undefined);
      throw describeConnectionError(err, url.where);
    }
    return database;
  }

  /** A table's name qualified with the schema, quoted. */
  table(name: string): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(name)}`;
  }

  /** Runs `work` in one transaction on one client; rolls back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw describeConnectionError(err, this.where);
    }
    let broken = false;
    // A checked-out client has no error listener of the pool's: a connection lost between two
    // statements would otherwise be an uncaught 'error' event (the next query fails anyway).
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.removeListener('error', onError);
      // A client whose connection failed mid-transaction is not given back to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.control.end()]);
  }

  /**
   * Applies the migrations this database has not seen, in order, in one transaction under an
   * advisory lock: replicas starting together wait for each other instead of racing, and a
   * failed migration leaves nothing half done.
   */
  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      // CREATE SCHEMA IF NOT EXISTS can still collide when two sessions run it at once: the lock comes first.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`siphon:migrations:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('migrations')} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const applied = new Set((await client.query<{ version: number }>(`SELECT version FROM ${this.table('migrations')}`)).rows.map((r) => r.version));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql((name) => this.table(name)));
        await client.query(`INSERT INTO ${this.table('migrations')} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
      const newest = Math.max(0, ...applied);
      const known = Math.max(0, ...migrations.map((m) => m.version));
      if (newest > known) {
        throw new SiphonError(
          'PERSISTENCE_UNAVAILABLE',
          `PostgreSQL at ${this.where} holds schema ${this.schema} at version ${newest}, newer than this Siphon knows (${known}): run the newer Siphon, or another schema`,
          { where: this.where, schema: this.schema },
          { permanent: true },
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

/** "name" with any quote doubled: identifiers are never interpolated raw. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
