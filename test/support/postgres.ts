// A real PostgreSQL server for tests (Debian's `postgresql` package; `bash .ci/run` installs it),
// in a fresh temp folder, listening on a free port of 127.0.0.1 only (no Unix socket). It has one
// role with a password, so URLs carry a secret and redaction is tested for real, and one database.
// PostgreSQL refuses to run as root: as root, the folder is given to Debian's `postgres` user and
// every server command runs as that user through `setpriv`, which execs (the child's pid is the
// server's own, so stop and kill signals reach it).
//
// stop() and start() keep the data (the "database down for a while" tests); kill() is a crash
// (SIGKILL); close() stops the server and removes the folder. With `tls`, the server also speaks
// TLS (`ssl = on`) with the certificate given; without it, it answers that it does not.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeTcpPort } from './free-port.js';

const run = promisify(execFile);

const ROLE = 'siphon_test';
const DATABASE = 'siphon';
const READY_TIMEOUT_MS = 60_000;

export interface TestPostgres {
  /** postgres://siphon_test:<password>@127.0.0.1:<port>/siphon?sslmode=disable */
  readonly url: string;
  readonly password: string;
  readonly port: number;
  readonly dataDir: string;
  /** The same server's URL for another database name (tests that want a clean database), another host name for 127.0.0.1 or another sslmode (default disable). */
  urlFor(database: string, connection?: { readonly host?: string; readonly sslmode?: string }): string;
  /** Runs one statement as the role (tests read what Siphon stored). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** A fast shutdown (SIGINT); the data stays. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** A crash: SIGKILL to the server. */
  kill(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/** The folder of initdb and postgres: Debian's newest version, else the PATH. */
async function binDirectory(): Promise<string> {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = (await readdir(root)).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  try {
    const { stdout } = await run('sh', ['-c', 'command -v initdb']);
    const path = stdout.trim();
    if (path) return path.slice(0, path.lastIndexOf('/'));
  } catch {
    // Not on the PATH either.
  }
  throw new Error('PostgreSQL not found: apt-get install postgresql (bash .ci/run does it)');
}

/** When running as root: the `postgres` user's ids, which the server runs as. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error('PostgreSQL cannot run as root and there is no `postgres` user: apt-get install postgresql creates it');
  }
}

/** The command line that runs `binary` as the server's user. */
function asServerUser(user: { uid: number; gid: number } | undefined, binary: string, args: string[]): [string, string[]] {
  if (!user) return [binary, args];
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', binary, ...args]];
}

export interface PostgresOptions {
  /** Serve TLS with this certificate and key (PEM). */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
}

/** `settings`: extra server settings (`-c name=value`), e.g. a preloaded library for the bench. */
export async function startPostgres(settings: Readonly<Record<string, string>> = {}, options: PostgresOptions = {}): Promise<TestPostgres> {
  const bin = await binDirectory();
  const user = await serverUser();
  const folder = await mkdtemp(join(tmpdir(), 'siphon-pg-'));
  const dataDir = join(folder, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const passwordFile = join(folder, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    await chown(folder, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  const [initdb, initArgs] = asServerUser(user, join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    ROLE,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  try {
    await run(initdb, initArgs);
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw new Error(`initdb failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  await rm(passwordFile, { force: true });
  const tlsSettings = options.tls ? await writeServerCertificate(folder, user, options.tls) : {};
  const port = await freeTcpPort();
  const server = new Server(bin, user, dataDir, port, password, { ...tlsSettings, ...settings });
  await server.start();
  await server.query(`CREATE DATABASE ${DATABASE}`, [], 'postgres');
  const urlFor = (database: string, connection: { readonly host?: string; readonly sslmode?: string } = {}): string =>
    `postgres://${ROLE}:${encodeURIComponent(password)}@${connection.host ?? '127.0.0.1'}:${port}/${database}?sslmode=${connection.sslmode ?? 'disable'}`;
  return {
    url: urlFor(DATABASE),
    password,
    port,
    dataDir,
    urlFor,
    query: <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => server.query<R>(sql, params, DATABASE),
    async createDatabase(name: string) {
      await server.query(`CREATE DATABASE ${name}`, [], 'postgres');
      return urlFor(name);
    },
    stop: () => server.stop('SIGINT'),
    start: () => server.start(),
    kill: () => server.stop('SIGKILL'),
    async close() {
      await server.stop('SIGINT');
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * The server's certificate and key as files beside the data, and the settings that turn TLS on.
 * PostgreSQL refuses a key that others may read: the key is the server user's, mode 0600.
 */
async function writeServerCertificate(
  folder: string,
  user: { uid: number; gid: number } | undefined,
  tls: { readonly certPem: string; readonly keyPem: string },
): Promise<Record<string, string>> {
  const certFile = join(folder, 'server.crt');
  const keyFile = join(folder, 'server.key');
  await writeFile(certFile, tls.certPem, { mode: 0o644 });
  await writeFile(keyFile, tls.keyPem, { mode: 0o600 });
  if (user) {
    await chown(certFile, user.uid, user.gid);
    await chown(keyFile, user.uid, user.gid);
  }
  return { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile };
}

class Server {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly dataDir: string,
    private readonly port: number,
    private readonly password: string,
    private readonly settings: Readonly<Record<string, string>>,
  ) {}

  async start(): Promise<void> {
    if (this.child) return;
    const [command, args] = asServerUser(this.user, join(this.bin, 'postgres'), [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // The tests never crash the machine, only processes: durability across an OS crash is not tested.
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
      ...Object.entries(this.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ]);
    this.output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      // Only the tail matters for an error message.
      this.output = (this.output + chunk.toString('utf8')).slice(-4_000);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    await this.waitReady(child);
  }

  async stop(signal: 'SIGINT' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    await this.exited;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[], database: string): Promise<pg.QueryResult<R>> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.port, user: ROLE, password: this.password, database });
    await client.connect();
    try {
      return await client.query<R>(sql, params);
    } finally {
      await client.end();
    }
  }

  /** Polls until the server accepts a login (the server logs to stderr; the last lines explain a failure). */
  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.child !== child) throw new Error(`postgres exited during start-up: ${this.output}`);
      try {
        await this.query('SELECT 1', [], 'postgres');
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS / 1000} s: ${err instanceof Error ? err.message : String(err)}\n${this.output}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
