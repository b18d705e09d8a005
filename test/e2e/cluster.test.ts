// Three replicas of `siphon run` sharing four 1Password accounts through one PostgreSQL: every
// event exactly once across their outputs, an account pulled by one replica at a time (each
// simulator sits behind a front that notes the asking replica, named in its User-Agent), a
// kill -9 taken over within two lease periods, and a replica paused past its lease that wakes
// up to find the stream gone and says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { RecordingFront, type RecordedRequest } from '../support/recording-front.js';
import { waitUntil } from '../support/wait.js';
import { readDelivered, runSiphon, startSiphon, tempDir, writeConfig, type CliResult } from './harness.js';

const LEASE_SECONDS = 3;
const PAGE_SIZE = 50;
const KINDS = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' } as const;

interface Account {
  readonly name: string;
  readonly token: string;
  readonly sim: OnePasswordSimulator;
  readonly front: RecordingFront;
}

interface Replica {
  readonly dir: string;
  readonly child: ReturnType<typeof startSiphon>['child'];
  readonly done: Promise<CliResult>;
  stderr(): string;
}

let server: TestPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.close();
});

async function startAccounts(count: number): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const token = `op-cluster-token-${i}-7f3e9a1b2c4d5e6f`;
    const sim = await startOnePasswordSimulator({ tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }], initialEvents: { auditevents: 120, itemusages: 240, signinattempts: 120 }, seed: 11 + i });
    accounts.push({ name: `op_${i}`, token, sim, front: await RecordingFront.start(sim.url) });
  }
  return accounts;
}

function clusterYaml(accounts: readonly Account[]): string {
  const inputs = accounts
    .map(
      (a, i) => `  ${a.name}:
    type: onepassword
    base_url: ${a.front.url}
    credentials: {token: "\${env:OP_TOKEN_${i}}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    services:
${Object.keys(KINDS)
  .map((s) => `      ${s}: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${PAGE_SIZE}, request_period_in_seconds: 1}`)
  .join('\n')}`,
    )
    .join('\n');
  return `globals:
  name: cluster-e2e
  persistence: {type: postgres, config: {url: "\${env:SIPHON_POSTGRES_URL}", schema: siphon}}
  cluster: {enabled: true, lease_seconds: ${LEASE_SECONDS}}
  shutdown_timeout_seconds: 5
  status_server: {listen: "127.0.0.1:0"}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
${inputs}
`;
}

/** `tokens`: the token each replica sends per account (default: the account's own). */
async function startReplicas(count: number, accounts: readonly Account[], url: string, tokens = accounts.map((a) => a.token)): Promise<Replica[]> {
  const env: Record<string, string> = { SIPHON_POSTGRES_URL: url };
  tokens.forEach((token, i) => (env[`OP_TOKEN_${i}`] = token));
  const replicas: Replica[] = [];
  const root = await tempDir('siphon-cluster-');
  for (let i = 0; i < count; i++) {
    const dir = join(root, `replica-${i}`);
    await mkdir(dir);
    // The same configuration everywhere; each replica writes its own file.
    const config = await writeConfig(dir, clusterYaml(accounts));
    const { child, done, stderr } = startSiphon(['run', '--config', config], env);
    replicas.push({ dir, child, done, stderr });
  }
  return replicas;
}

/** Every replica's delivered uuids per stream ("input/service"), duplicates kept. */
async function deliveredAcross(replicas: readonly Replica[]): Promise<Map<string, string[]>> {
  const byStream = new Map<string, string[]>();
  for (const r of replicas) {
    for (const line of await readDelivered(join(r.dir, 'events.ndjson'))) {
      const key = `${line.input}/${line.service}`;
      const list = byStream.get(key) ?? [];
      list.push(String(line.event['uuid']));
      byStream.set(key, list);
    }
  }
  return byStream;
}

/** Missing and duplicated events across the replicas' outputs. */
async function tally(replicas: readonly Replica[], accounts: readonly Account[]): Promise<{ missing: number; duplicates: number }> {
  const delivered = await deliveredAcross(replicas);
  let missing = 0;
  let duplicates = 0;
  for (const a of accounts) {
    for (const [service, kind] of Object.entries(KINDS)) {
      const got = delivered.get(`${a.name}/${service}`) ?? [];
      const seen = new Set(got);
      duplicates += got.length - seen.size;
      missing += a.sim.events(kind).filter((e) => !seen.has(String(e['uuid']))).length;
    }
  }
  return { missing, duplicates };
}

function allDelivered(replicas: readonly Replica[], accounts: readonly Account[]): () => Promise<boolean> {
  return async () => (await tally(replicas, accounts)).missing === 0;
}

/** The replica that pulled an account last, and when. */
function lastAsker(account: Account): { replica: string; at: number } | undefined {
  const last = account.front.requests.filter(pulls).at(-1);
  return last && { replica: RecordingFront.replicaOf(last.userAgent), at: last.at };
}

/** Whether a request pulled events (not the setup's token check, which a replica makes for each account it claims). */
function pulls(r: RecordedRequest): boolean {
  return !r.path.includes('introspect');
}

/** The pid in a replica id (host:pid:start). */
function pidOf(replica: string): number {
  return Number(replica.split(':').at(-2));
}

/**
 * Whether two replicas ever pulled one account at the same moment: event requests in flight (the
 * front's times: arrival to complete answer), ignoring `except` (a replica paused by the test,
 * whose request in flight hangs until it wakes) and requests that arrived before `since`.
 */
function overlaps(account: Account, except?: string, since = 0): string[] {
  const found: string[] = [];
  const requests = account.front.requests.filter((r) => pulls(r) && RecordingFront.replicaOf(r.userAgent) !== except && r.at >= since).sort((x, y) => x.at - y.at);
  let owner: { replica: string; end: number } | undefined;
  for (const r of requests) {
    const replica = RecordingFront.replicaOf(r.userAgent);
    if (owner && owner.replica !== replica && r.at < owner.end) found.push(`${owner.replica} until ${owner.end}, ${replica} at ${r.at}`);
    if (!owner || owner.replica !== replica || r.end > owner.end) owner = { replica, end: Math.max(r.end, owner?.replica === replica ? owner.end : 0) };
  }
  return found;
}

async function stopAll(replicas: readonly Replica[]): Promise<CliResult[]> {
  for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
  return Promise.all(replicas.map((r) => r.done));
}

async function closeAccounts(accounts: readonly Account[]): Promise<void> {
  for (const a of accounts) {
    await a.front.close();
    await a.sim.close();
  }
}

test('three replicas share four accounts: every event exactly once, one replica per account at a time, all of them busy', async () => {
  const accounts = await startAccounts(4);
  const url = await server.createDatabase('cluster_three');
  const replicas = await startReplicas(3, accounts, url);
  try {
    await waitUntil('every initial event across the replicas', allDelivered(replicas, accounts), 120_000, 250);
    // Live events while they run.
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 30);
    await waitUntil('the live events too', allDelivered(replicas, accounts), 60_000, 250);
    assert.deepEqual(await tally(replicas, accounts), { missing: 0, duplicates: 0 });
    for (const a of accounts) assert.deepEqual(overlaps(a), [], `${a.name} was pulled by two replicas at once`);
    // Each replica's status names every stream's lease holder; its metrics count the replicas.
    const statusUrl = /Status server listening on (http:\/\/[\d.:]+)/.exec(replicas[0]!.stderr())?.[1];
    assert.ok(statusUrl, 'the status server listens');
    const status = await waitUntil('the status to show every lease held', async () => {
      const doc = (await (await fetch(`${statusUrl}/api/v1/status`)).json()) as { collector: { replica?: string }; streams: Array<{ input: string; owner?: string | null; lease_expires_at?: string | null }> };
      return doc.streams.every((s) => typeof s.owner === 'string' && typeof s.lease_expires_at === 'string') && doc;
    });
    assert.equal(status.streams.length, accounts.length * Object.keys(KINDS).length);
    assert.equal(pidOf(status.collector.replica ?? ''), replicas[0]!.child.pid);
    for (const a of accounts) assert.equal(new Set(status.streams.filter((s) => s.input === a.name).map((s) => s.owner)).size, 1, 'an account lives on one replica');
    const metrics = await (await fetch(`${statusUrl}/metrics`)).text();
    assert.match(metrics, /^siphon_cluster_replicas 3$/m);
    assert.match(metrics, /^siphon_streams_owned\{replica="[^"]+"\} \d+$/m);
    assert.match(metrics, /^siphon_fenced_commits_total 0$/m);
    // `siphon status` says the same in words: this replica, and per stream who holds it.
    const words = await runSiphon(['status', '--url', statusUrl]);
    assert.match(words.stdout, /^Replica \S+:\d+:\S+ of a cluster/m);
    assert.match(words.stdout, /held by \S+:\d+:\S+, lease expires in /);
    // Balanced: with 4 accounts on 3 replicas, none holds more than ceil(4/3) = 2 at the end.
    const owners = new Map<string, number>();
    for (const a of accounts) {
      const owner = lastAsker(a)?.replica ?? 'none';
      owners.set(owner, (owners.get(owner) ?? 0) + 1);
    }
    assert.ok([...owners.values()].every((n) => n <= 2), `unbalanced: ${JSON.stringify([...owners])}`);
    // A replica authenticates only the accounts it claimed, each once per claim.
    for (const replica of replicas) {
      const log = replica.stderr();
      const claimed = new Set([...log.matchAll(/claimed input (\S+) \(epoch/g)].map((m) => m[1]));
      const setUp = [...log.matchAll(/PullerSetup\((\S+?)\) -> .*Source is pullable/g)].map((m) => m[1]);
      assert.ok(setUp.length > 0, 'the replica set up the accounts it pulls');
      for (const input of setUp) assert.ok(claimed.has(input), `${input} was set up by a replica that never claimed it`);
    }
  } finally {
    const ends = await stopAll(replicas);
    await closeAccounts(accounts);
    for (const end of ends) assert.equal(end.code, 0, end.stderr.slice(-3_000));
  }
  // A graceful stop hands every lease back.
  const pool = await import('pg');
  const client = new pool.default.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ held: string }>(`SELECT count(*) AS held FROM siphon.leases WHERE owner IS NOT NULL`);
    assert.equal(rows[0]?.held, '0');
  } finally {
    await client.end();
  }
});

test('kill -9 of a replica: its accounts are taken over within two lease periods, nothing is missing', async () => {
  const accounts = await startAccounts(4);
  const url = await server.createDatabase('cluster_kill');
  const replicas = await startReplicas(3, accounts, url);
  try {
    await waitUntil('every initial event across the replicas', allDelivered(replicas, accounts), 120_000, 250);
    const victimAccount = accounts[0]!;
    const victim = lastAsker(victimAccount)!.replica;
    const victimProcess = replicas.find((r) => r.child.pid === pidOf(victim));
    assert.ok(victimProcess, `replica ${victim} is one of ours`);
    const orphaned = accounts.filter((a) => lastAsker(a)?.replica === victim);
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 60);
    const killedAt = Date.now();
    victimProcess.child.kill('SIGKILL');
    // Taken over: another replica asks each of its accounts (a claim waits for the lease to expire).
    const tookOver = await waitUntil(
      'the others to take its accounts over',
      () => orphaned.every((a) => a.front.requests.some((r) => r.at > killedAt && RecordingFront.replicaOf(r.userAgent) !== victim)) && Date.now(),
      2 * LEASE_SECONDS * 1000 + 10_000,
    );
    console.log(`# takeover after kill -9: ${tookOver - killedAt} ms (lease ${LEASE_SECONDS} s)`);
    const survivors = replicas.filter((r) => r !== victimProcess);
    await waitUntil('every event, including those added around the kill', allDelivered(replicas, accounts), 90_000, 250);
    const { missing, duplicates } = await tally(replicas, accounts);
    console.log(`# after kill -9: ${missing} missing, ${duplicates} duplicate(s) (at most the pages in flight)`);
    assert.equal(missing, 0);
    // The file output knows only its own file: a page the victim wrote but did not commit is pulled again by its successor.
    assert.ok(duplicates <= orphaned.length * Object.keys(KINDS).length * PAGE_SIZE * 2, `${duplicates} duplicates`);
    for (const a of accounts) for (const o of overlaps(a, victim)) assert.fail(`${a.name}: ${o}`);
    const ends = await stopAll(survivors);
    for (const end of ends) assert.equal(end.code, 0, end.stderr.slice(-3_000));
  } finally {
    await stopAll(replicas);
    await closeAccounts(accounts);
  }
});

test('a replica paused past its lease (SIGSTOP) wakes up without the stream: it logs that it lost it and delivers at most the page it held', async () => {
  const accounts = await startAccounts(3);
  const url = await server.createDatabase('cluster_pause');
  const replicas = await startReplicas(3, accounts, url);
  try {
    await waitUntil('every initial event across the replicas', allDelivered(replicas, accounts), 120_000, 250);
    const account = accounts[0]!;
    const paused = lastAsker(account)!.replica;
    const pausedProcess = replicas.find((r) => r.child.pid === pidOf(paused))!;
    assert.ok(pausedProcess);
    // Slow answers: the replica is likely to hold a request or a page when it is paused.
    account.sim.faults.slowResponses(500);
    for (const kind of Object.values(KINDS)) account.sim.addEvents(kind, 200);
    await waitUntil('the replica to be pulling the new events', () => account.front.requests.some((r) => RecordingFront.replicaOf(r.userAgent) === paused && r.at > Date.now() - 1_000));
    const pausedAt = Date.now();
    pausedProcess.child.kill('SIGSTOP');
    await waitUntil(
      'another replica to take the account over',
      () => account.front.requests.some((r) => r.at > pausedAt && RecordingFront.replicaOf(r.userAgent) !== paused),
      2 * LEASE_SECONDS * 1000 + 10_000,
    );
    pausedProcess.child.kill('SIGCONT');
    const wokeAt = Date.now();
    await waitUntil('the woken replica to say it lost the account', () => /lost (input|the stream) op_0/.test(pausedProcess.stderr()), 30_000);
    account.sim.faults.slowResponses(0);
    await waitUntil('every event', allDelivered(replicas, accounts), 90_000, 250);
    const { missing, duplicates } = await tally(replicas, accounts);
    console.log(`# after SIGSTOP/SIGCONT: ${missing} missing, ${duplicates} duplicate(s)`);
    assert.equal(missing, 0);
    assert.ok(duplicates <= PAGE_SIZE * Object.keys(KINDS).length, `${duplicates} duplicates: more than the pages held when paused`);
    // Once awake, it asks for that account again only if the balance gives it back, never beside its new holder.
    await waitUntil('a few more rounds', () => account.front.requests.filter((r) => r.at > wokeAt).length >= 6, 30_000);
    assert.deepEqual(overlaps(account, undefined, wokeAt), []);
  } finally {
    for (const r of replicas) r.child.kill('SIGCONT');
    await stopAll(replicas);
    await closeAccounts(accounts);
  }
});

test('PostgreSQL stopped under the replicas: they pause once their leases are unconfirmed, resume when it returns, nothing lost', async () => {
  const accounts = await startAccounts(3);
  const url = await server.createDatabase('cluster_outage');
  const replicas = await startReplicas(2, accounts, url);
  try {
    await waitUntil('every initial event', allDelivered(replicas, accounts), 120_000, 250);
    await server.stop();
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 40);
    // Leases are not assumed: each replica stops its streams once no renewal is confirmed for a lease.
    await waitUntil('both replicas to stop their streams for lack of the database', () => replicas.every((r) => /no renewal was confirmed within the lease/.test(r.stderr())), 60_000, 250);
    const pausedAt = Date.now();
    await waitUntil('the streams to be quiet', () => accounts.every((a) => a.front.requests.every((r) => r.end < pausedAt + 1_000)) && Date.now() > pausedAt + 1_500, 30_000, 250);
    assert.ok(accounts.every((a) => a.front.requests.every((r) => r.at < pausedAt + 1_000)), 'nothing pulled while the database is away');
    await server.start();
    await waitUntil('both replicas to reach the database again', () => replicas.every((r) => /PostgreSQL answers again after \d+ failed lease renewal/.test(r.stderr())), 60_000, 250);
    const backAt = Date.now();
    await waitUntil('every account pulled again', () => accounts.every((a) => a.front.requests.some((r) => r.at > backAt)), 60_000, 250);
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 40);
    await waitUntil('every event, once the database is back', allDelivered(replicas, accounts), 120_000, 250);
    const { missing, duplicates } = await tally(replicas, accounts);
    console.log(`# after the database outage: ${missing} missing, ${duplicates} duplicate(s) (pages written but not committed, pulled again by another replica)`);
    assert.equal(missing, 0);
    // At most the page each stream had in flight when the database went away.
    assert.ok(duplicates <= accounts.length * Object.keys(KINDS).length * PAGE_SIZE, `${duplicates} duplicates`);
    for (const a of accounts) assert.deepEqual(overlaps(a), []);
  } finally {
    await server.start();
    const ends = await stopAll(replicas);
    await closeAccounts(accounts);
    for (const end of ends) assert.equal(end.code, 0, end.stderr.slice(-3_000));
  }
});

test('a replica joins and takes its share between pages; one leaves gracefully and hands over at once; nothing lost', async () => {
  const accounts = await startAccounts(4);
  const url = await server.createDatabase('cluster_join');
  const replicas = await startReplicas(1, accounts, url);
  try {
    await waitUntil('every initial event on the first replica', allDelivered(replicas, accounts), 120_000, 250);
    const joinedAt = Date.now();
    replicas.push(...(await startReplicas(1, accounts, url)));
    const newcomer = replicas[1]!;
    // Fair share: 4 inputs over 2 replicas, 2 each.
    await waitUntil(
      'the newcomer to pull two accounts',
      () => accounts.filter((a) => a.front.requests.some((r) => r.at > joinedAt && pulls(r) && pidOf(RecordingFront.replicaOf(r.userAgent)) === newcomer.child.pid)).length === 2,
      60_000,
      250,
    );
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 40);
    await waitUntil('the new events', allDelivered(replicas, accounts), 60_000, 250);
    // The first replica leaves: the newcomer holds everything well before a lease could expire.
    const leftAt = Date.now();
    replicas[0]!.child.kill('SIGTERM');
    assert.equal((await replicas[0]!.done).code, 0);
    await waitUntil(
      'the newcomer to pull every account',
      () => accounts.every((a) => a.front.requests.some((r) => r.at > leftAt && pulls(r) && pidOf(RecordingFront.replicaOf(r.userAgent)) === newcomer.child.pid)),
      LEASE_SECONDS * 1000 + 10_000,
      100,
    );
    for (const a of accounts) for (const kind of Object.values(KINDS)) a.sim.addEvents(kind, 40);
    await waitUntil('every event', allDelivered(replicas, accounts), 60_000, 250);
    assert.deepEqual(await tally(replicas, accounts), { missing: 0, duplicates: 0 });
    for (const a of accounts) assert.deepEqual(overlaps(a), []);
  } finally {
    const ends = await stopAll(replicas);
    await closeAccounts(accounts);
    for (const end of ends) assert.equal(end.code, 0, end.stderr.slice(-3_000));
  }
});

test('an account whose token is refused stays claimed and waits for its setup; the replicas run on and deliver the others', async () => {
  const accounts = await startAccounts(3);
  const url = await server.createDatabase('cluster_refused');
  const refused = accounts[2]!;
  const replicas = await startReplicas(2, accounts, url, accounts.map((a) => (a === refused ? `${a.token}-revoked` : a.token)));
  const good = accounts.filter((a) => a !== refused);
  try {
    await waitUntil('every event of the accepted accounts', allDelivered(replicas, good), 120_000, 250);
    await waitUntil('a replica to say the refused account waits for its setup', () => replicas.some((r) => /\(op_2\) -> The input's streams wait for its setup/.test(r.stderr())), 60_000, 250);
    // Its status says why the account's streams do not pull.
    const holder = replicas.find((r) => /\(op_2\) -> The input's streams wait for its setup/.test(r.stderr()))!;
    const statusUrl = /Status server listening on (http:\/\/[\d.:]+)/.exec(holder.stderr())?.[1];
    assert.ok(statusUrl, 'the status server listens');
    const doc = (await (await fetch(`${statusUrl}/api/v1/status`)).json()) as { streams: Array<{ input: string; state: string; last_error: { code: string } | null }> };
    const refusedStreams = doc.streams.filter((st) => st.input === 'op_2');
    assert.equal(refusedStreams.length, 3);
    for (const st of refusedStreams) {
      assert.equal(st.state, 'failed', JSON.stringify(st));
      assert.match(st.last_error?.code ?? '', /SetupError/);
    }
    assert.deepEqual(await tally(replicas, good), { missing: 0, duplicates: 0 });
    for (const r of replicas) assert.equal(r.child.exitCode, null, 'a refused account stops no replica');
    // Held, not given back to wander between the replicas; nothing of it pulled.
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ owner: string | null }>(`SELECT owner FROM siphon.leases WHERE unit = 'op_2' AND expires_at > now()`);
      assert.ok(rows[0]?.owner, 'the refused account keeps its lease');
    } finally {
      await client.end();
    }
    assert.equal(refused.front.requests.filter(pulls).length, 0);
  } finally {
    const ends = await stopAll(replicas);
    await closeAccounts(accounts);
    for (const end of ends) assert.equal(end.code, 0, end.stderr.slice(-3_000));
  }
});
