// The `cluster` case (issue 15's scale figure): three `siphon run` replicas sharing the streams
// of many 1Password accounts through one PostgreSQL (leases, fenced checkpoints), against one
// simulator with rate limits off. Measured from outside: the database (checkpoint rows, lease
// updates, pg_stat_statements) and /proc of each replica.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { NODE_ARGS } from './child.js';
import { startSimulator, stop } from './long-cases.js';
import { cpuPercent, ProcessWatch } from './process-watch.js';

const SIPHON = 'bin/siphon.js';
const SERVICES_PER_ACCOUNT = 3;
const LEASE_SECONDS = 15;

export interface ClusterOptions {
  readonly streams: number;
  readonly replicas: number;
  readonly periodSeconds: number;
  /** Longest wait for every stream's first pull. */
  readonly firstPullTimeoutSeconds: number;
  /** The steady window measured once every stream has pulled. */
  readonly steadySeconds: number;
  /** New events per second on each of the simulator's streams (shared by every account): 0 leaves nothing to commit after the first pull. */
  readonly liveEventsPerSecond: number;
}

export interface ReplicaFigures {
  /** % of one core over the steady window. */
  readonly steadyCpuPercent: number;
  readonly peakRssMb: number;
  /** RSS at the end of the steady window. */
  readonly endRssMb: number;
  /** Inputs it held at the end. */
  readonly inputs: number;
}

export interface ClusterResult {
  readonly streams: number;
  readonly accounts: number;
  /** Since the replicas were spawned; undefined when some stream had not pulled by the timeout. */
  readonly firstPullSeconds: number | undefined;
  readonly replicas: readonly ReplicaFigures[];
  /** Lease rows extended per second (every held lease, every third of a lease). */
  readonly leaseRowsRenewedPerSecond: number;
  /** Renewal statements per second (one per replica per round). */
  readonly renewalStatementsPerSecond: number;
  /** Checkpoint commits (revision increments) in the steady window. */
  readonly committedPages: number;
  /** Every statement the replicas sent (pg_stat_statements calls, BEGIN and COMMIT included) per committed page. */
  readonly statementsPerPage: number;
  /** Transactions committed (pg_stat_database.xact_commit) per committed page. */
  readonly transactionsPerPage: number;
  readonly notes: string[];
}

/** What the database has counted so far. */
interface DatabaseCounters {
  readonly at: number;
  readonly statements: number;
  readonly renewalStatements: number;
  readonly transactions: number;
  readonly leaseUpdates: number;
  readonly revisions: number;
}

async function counters(pg: TestPostgres): Promise<DatabaseCounters> {
  // The bench's own few queries are counted too: negligible against thousands of commits.
  const statements = await pg.query<{ calls: string; renewals: string }>(
    `SELECT coalesce(sum(calls), 0)::text AS calls,
            coalesce(sum(calls) FILTER (WHERE query LIKE 'UPDATE %leases% AS l SET expires_at = now() +%'), 0)::text AS renewals
       FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'`,
  );
  const database = await pg.query<{ xact: string }>(`SELECT xact_commit::text AS xact FROM pg_stat_database WHERE datname = current_database()`);
  const leases = await pg.query<{ updates: string }>(`SELECT n_tup_upd::text AS updates FROM pg_stat_user_tables WHERE schemaname = 'siphon' AND relname = 'leases'`);
  const revisions = await pg.query<{ total: string }>(`SELECT coalesce(sum(revision), 0)::text AS total FROM siphon.checkpoints`);
  return {
    at: Date.now(),
    statements: Number(statements.rows[0]?.calls ?? 0),
    renewalStatements: Number(statements.rows[0]?.renewals ?? 0),
    transactions: Number(database.rows[0]?.xact ?? 0),
    leaseUpdates: Number(leases.rows[0]?.updates ?? 0),
    revisions: Number(revisions.rows[0]?.total ?? 0),
  };
}

/**
 * Streams whose first page is committed: a stream's row is written at revision 1 (empty) when it
 * starts, and each committed page adds one (with live events every pull commits a page).
 */
async function streamsPulled(pg: TestPostgres): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM siphon.checkpoints WHERE revision >= 2`).catch(() => ({ rows: [{ n: '0' }] }));
  return Number(rows[0]?.n ?? 0);
}

function replicaYaml(dir: string, inputs: string): string {
  return `globals:
  name: bench
  persistence: {type: postgres, config: {url: "\${env:BENCH_PG_URL}", schema: siphon}}
  cluster: {enabled: true, lease_seconds: ${LEASE_SECONDS}}
outputs:
  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}
inputs:
${inputs}`;
}

interface Replica {
  readonly child: ChildProcess;
  readonly watch: ProcessWatch;
  stderr: string;
  /** Warnings and errors logged in the steady window (each pull logs INFO lines: those are left out). */
  steadyLines: string[];
  inSteadyWindow: boolean;
}

function startReplica(config: string, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, [...NODE_ARGS, SIPHON, 'run', '--config', config], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid === undefined) throw new Error('siphon run did not start');
  const replica: Replica = { child, watch: new ProcessWatch(child.pid, 1000), stderr: '', steadyLines: [], inSteadyWindow: false };
  const log = process.env['SIPHON_BENCH_CLUSTER_LOG_DIR'] ? createWriteStream(join(process.env['SIPHON_BENCH_CLUSTER_LOG_DIR'], `replica-${child.pid}.log`)) : undefined;
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    log?.write(d);
    // The tail explains a failure.
    replica.stderr = (replica.stderr + d).slice(-4000);
    if (replica.inSteadyWindow) replica.steadyLines.push(...d.split('\n').filter((line) => line.trim() !== '' && !line.includes(' INFO ')));
  });
  return replica;
}

export async function runCluster(o: ClusterOptions): Promise<ClusterResult> {
  const accounts = Math.ceil(o.streams / SERVICES_PER_ACCOUNT);
  const streams = accounts * SERVICES_PER_ACCOUNT;
  const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-cluster-'));
  const pg = await startPostgres({ shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' });
  const replicas: Replica[] = [];
  // The 1Password simulator: three streams an account, a cursor API, rate limit off.
  const { child: simulator, description } = await startSimulator('onepassword', ['--live', String(o.liveEventsPerSecond), '--events', '5', '--no-rate-limit']);
  try {
    await pg.query('CREATE EXTENSION pg_stat_statements');
    const url = String(description['url']);
    const tokens = description['tokens'];
    const token = Array.isArray(tokens) && typeof tokens[0] === 'string' ? tokens[0] : '';
    const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
    const service = `{request_period_in_seconds: ${o.periodSeconds}, start_time_value: "${start}Z"}`;
    let inputs = '';
    for (let i = 0; i < accounts; i++) {
      inputs += `  op_${i}: {type: onepassword, base_url: ${url}, credentials: {token: "\${env:BENCH_OP_TOKEN}"}, rate_limit: {enabled: false}, services: {audit: ${service}, item_usage: ${service}, sign_in_attempts: ${service}}}\n`;
    }
    const env = { BENCH_OP_TOKEN: token, BENCH_PG_URL: pg.url };
    const started = Date.now();
    for (let r = 0; r < o.replicas; r++) {
      const replicaDir = join(dir, `replica-${r}`);
      await mkdir(replicaDir);
      const config = join(replicaDir, 'config.yaml');
      await writeFile(config, replicaYaml(replicaDir, inputs));
      replicas.push(startReplica(config, env));
    }

    let firstPullSeconds: number | undefined;
    const deadline = started + o.firstPullTimeoutSeconds * 1000;
    let rows = 0;
    while (Date.now() < deadline) {
      rows = await streamsPulled(pg);
      if (rows >= streams) {
        firstPullSeconds = (Date.now() - started) / 1000;
        break;
      }
      const dead = replicas.find((r) => r.child.exitCode !== null);
      if (dead) throw new Error(`a replica ended (exit ${dead.child.exitCode}): ${dead.stderr}`);
      await sleep(1000);
    }
    const notes: string[] = [];
    if (firstPullSeconds === undefined) notes.push(`only ${rows} of ${streams} streams had pulled after ${o.firstPullTimeoutSeconds} s`);

    const steadyFrom = Date.now() - started;
    // From here on, pg_stat_statements counts only the steady window (its top statements are reported).
    await pg.query('SELECT pg_stat_statements_reset()');
    const before = await counters(pg);
    for (const r of replicas) r.inSteadyWindow = true;
    await sleep(o.steadySeconds * 1000);
    const after = await counters(pg);
    for (const r of replicas) r.inSteadyWindow = false;
    const logged = replicas.flatMap((r) => r.steadyLines);
    notes.push(`warnings and errors logged in the steady window: ${logged.length}${logged.length > 0 ? `, e.g. ${[...new Set(logged.map((l) => l.slice(0, 240)))].slice(0, 3).join(' | ')}` : ''}`);
    const top = await pg.query<{ calls: string; query: string }>(
      `SELECT calls::text AS calls, regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY pg_stat_statements.calls DESC LIMIT 8`,
    );
    for (const row of top.rows) notes.push(`steady window: ${row.calls} x ${row.query.slice(0, 110)}`);
    const seconds = (after.at - before.at) / 1000;
    const pages = after.revisions - before.revisions;
    const owners = await pg.query<{ owner: string; n: string }>(`SELECT owner, count(*)::text AS n FROM siphon.leases WHERE expires_at > now() GROUP BY owner ORDER BY owner`);
    const fenced = replicas.filter((r) => r.stderr.includes('lost the stream')).length;
    if (fenced > 0) notes.push(`${fenced} replica(s) logged a lost stream`);
    notes.push(`inputs per live owner at the end: ${owners.rows.map((r) => r.n).join(' / ')}`);
    return {
      streams,
      accounts,
      firstPullSeconds,
      replicas: replicas.map((r) => ({
        steadyCpuPercent: cpuPercent(r.watch.since(steadyFrom)),
        peakRssMb: Math.max(...r.watch.samples.map((s) => s.rssMb)),
        endRssMb: r.watch.samples[r.watch.samples.length - 1]?.rssMb ?? Number.NaN,
        // The owner id is host:pid:start.
        inputs: Number(owners.rows.find((row) => row.owner.split(':')[1] === String(r.child.pid))?.n ?? 0),
      })),
      leaseRowsRenewedPerSecond: (after.leaseUpdates - before.leaseUpdates) / seconds,
      renewalStatementsPerSecond: (after.renewalStatements - before.renewalStatements) / seconds,
      committedPages: pages,
      statementsPerPage: pages > 0 ? (after.statements - before.statements) / pages : Number.NaN,
      transactionsPerPage: pages > 0 ? (after.transactions - before.transactions) / pages : Number.NaN,
      notes,
    };
  } finally {
    for (const r of replicas) r.watch.stop();
    await Promise.all([...replicas.map((r) => stop(r.child)), stop(simulator)]);
    await pg.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The report's lines (a table per replica, then the database's figures). */
export function clusterReport(r: ClusterResult): string[] {
  const lines = [
    '',
    `cluster: ${r.replicas.length} replicas, ${r.streams} streams (${r.accounts} accounts x ${SERVICES_PER_ACCOUNT}), lease ${LEASE_SECONDS} s`,
    `time until every stream's first committed pull: ${r.firstPullSeconds === undefined ? 'not reached' : `${r.firstPullSeconds.toFixed(0)} s`}`,
    '',
    '| replica | inputs at end | steady CPU (% of a core) | peak RSS (MB) | RSS at end (MB) |',
    '|---------|---------------|--------------------------|---------------|-----------------|',
    ...r.replicas.map(
      (x, i) =>
        `| ${String(i + 1).padStart(7)} | ${String(x.inputs).padStart(13)} | ${x.steadyCpuPercent.toFixed(1).padStart(24)} | ${x.peakRssMb.toFixed(1).padStart(13)} | ${x.endRssMb.toFixed(1).padStart(15)} |`,
    ),
    '',
    `lease renewals: ${r.renewalStatementsPerSecond.toFixed(2)} statements/s, ${r.leaseRowsRenewedPerSecond.toFixed(0)} lease rows updated/s`,
    `PostgreSQL per committed page (steady window, ${r.committedPages} pages): ${r.statementsPerPage.toFixed(2)} statements (pg_stat_statements calls, renewals included), ${r.transactionsPerPage.toFixed(2)} transactions (xact_commit)`,
    ...r.notes.map((n) => `cluster: ${n}`),
  ];
  return lines;
}
