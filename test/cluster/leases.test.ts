// Leases on a real PostgreSQL: claims take free or expired units and raise the epoch, renewals
// keep only what is still held at its epoch, expiry is the database's clock, and the fence
// refuses a commit once another replica claimed the unit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '../../src/state/postgres/database.js';
import { LeaseTable } from '../../src/cluster/leases.js';
import { ClusterCoordinator } from '../../src/cluster/coordinator.js';
import { replicaIdentity, ReplicaTable } from '../../src/cluster/replicas.js';
import type { UnitControl } from '../../src/core/assignment.js';
import { SiphonError } from '../../src/core/errors.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { waitUntil } from '../support/wait.js';

let server: TestPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.close();
});

async function freshDatabase(name: string): Promise<Database> {
  return Database.open({ url: await server.createDatabase(name), schema: 'siphon' }, { maxConnections: 4 });
}

test('claims take free units once, raising the epoch; renewals keep only what is held at its epoch', async () => {
  const db = await freshDatabase('lease_claims');
  try {
    const leases = new LeaseTable(db);
    await leases.ensure(['a', 'b', 'c']);
    await leases.ensure(['a', 'b', 'c', 'd']); // a new input joins; the others keep their rows
    const first = await leases.claim('r1', ['a', 'b', 'c', 'd'], 2, 30);
    assert.equal(first.length, 2);
    assert.ok(first.every((l) => l.epoch === 1));
    const second = await leases.claim('r2', ['a', 'b', 'c', 'd'], 10, 30);
    assert.deepEqual(second.map((l) => l.unit).sort(), ['a', 'b', 'c', 'd'].filter((u) => !first.some((l) => l.unit === u)));
    assert.deepEqual(await leases.claim('r1', ['a', 'b', 'c', 'd'], 10, 30), [], 'nothing is free');
    assert.deepEqual((await leases.renew('r1', first, 30)).map((l) => l.unit).sort(), first.map((l) => l.unit).sort());
    // Another owner's leases, or a stale epoch, are not renewed.
    assert.deepEqual(await leases.renew('r1', second, 30), []);
    assert.deepEqual(await leases.renew('r1', first.map((l) => ({ ...l, epoch: l.epoch + 1 })), 30), []);
    // A released unit is free at once, and its next claim raises the epoch.
    const [given] = first;
    assert.ok(given);
    await leases.release('r1', [given]);
    const [taken] = await leases.claim('r2', [given.unit], 1, 30);
    assert.deepEqual(taken, { unit: given.unit, epoch: 2 });
    const views = await leases.list();
    assert.equal(views.find((v) => v.unit === given.unit)?.owner, 'r2');
  } finally {
    await db.close();
  }
});

test('a lease expires by the database clock; then another replica claims it and the old owner can neither renew nor commit', async () => {
  const db = await freshDatabase('lease_expiry');
  try {
    const leases = new LeaseTable(db);
    await leases.ensure(['acct']);
    const [mine] = await leases.claim('r1', ['acct'], 1, 0.3);
    assert.ok(mine);
    assert.equal(await db.transaction((client) => leases.holds(client, mine, 'r1')), true);
    assert.deepEqual(await leases.claim('r2', ['acct'], 1, 30), [], 'not before it expires');
    const theirs = await waitUntil('the lease to expire and be claimed', async () => (await leases.claim('r2', ['acct'], 1, 30))[0]);
    assert.equal(theirs.epoch, 2);
    assert.deepEqual(await leases.renew('r1', [mine], 30), []);
    assert.equal(await db.transaction((client) => leases.holds(client, mine, 'r1')), false);
    assert.equal(await db.transaction((client) => leases.holds(client, theirs, 'r2')), true);
  } finally {
    await db.close();
  }
});

/** A UnitControl that records which units run, as the collector's would start and stop their streams. */
function recordingControl(units: string[]): UnitControl & { readonly now: Set<string> } {
  const now = new Set<string>();
  return {
    units,
    now,
    running: () => [...now],
    start: (unit) => {
      now.add(unit);
      return Promise.resolve();
    },
    stop: (unit) => {
      now.delete(unit);
      return Promise.resolve();
    },
  };
}

function quietLogger(sink = new MemorySink()): ReturnType<typeof createLogger> {
  return createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
}

test('coordinators share the units fairly, a joining one takes its share, a leaving one hands over at once, and the fence follows the lease', async () => {
  const db = await freshDatabase('lease_coordinators');
  const units = ['u1', 'u2', 'u3', 'u4'];
  const stops = [new AbortController(), new AbortController()];
  const sinks = [new MemorySink(), new MemorySink()];
  const coordinators = [0, 1].map((i) => new ClusterCoordinator({ database: db, replica: replicaIdentity(Date.now(), `host${i}`, 1000 + i), leaseSeconds: 3, logger: quietLogger(sinks[i]) }));
  const controls = [recordingControl(units), recordingControl(units)];
  const [c0, c1] = coordinators as [ClusterCoordinator, ClusterCoordinator];
  const [k0, k1] = controls as [ReturnType<typeof recordingControl>, ReturnType<typeof recordingControl>];
  try {
    const run0 = c0.run(k0, stops[0]!.signal);
    await waitUntil('the first replica to hold every unit', () => k0.now.size === 4);
    const run1 = c1.run(k1, stops[1]!.signal);
    await waitUntil('two replicas to share four units two and two', () => k0.now.size === 2 && k1.now.size === 2, 30_000);
    assert.deepEqual([...k0.now, ...k1.now].sort(), units);

    // The fence passes for a unit held, and refuses one held by the other replica.
    const mine = c0.owned()[0]!;
    const theirs = c1.owned()[0]!;
    await db.transaction((client) => c0.fence(client, { input: mine, service: 's' }));
    await assert.rejects(
      db.transaction((client) => c0.fence(client, { input: theirs, service: 's' })),
      (err: unknown) => err instanceof SiphonError && err.code === 'PERSISTENCE_FENCED' && err.permanent,
    );
    assert.equal(c0.claimFor(mine).valid(), true);
    assert.equal(c0.claimFor(theirs).valid(), false);

    // A graceful exit hands every unit over at once (well within a lease).
    stops[0]!.abort();
    await run0;
    assert.equal(k0.now.size, 0);
    await waitUntil('the remaining replica to hold every unit', () => k1.now.size === 4, 10_000);
    stops[1]!.abort();
    await run1;
    const views = await c1.leaseViews();
    assert.ok(views.every((v) => v.owner === null), 'released on shutdown');
  } finally {
    for (const s of stops) s.abort();
    await db.close();
  }
});

test('a claim taken over while its holder is cut off: the holder fences its commit and loses the unit at its next renewal', async () => {
  const db = await freshDatabase('lease_takeover');
  const stop = new AbortController();
  const control = recordingControl(['acct']);
  const sink = new MemorySink();
  const coordinator = new ClusterCoordinator({ database: db, replica: replicaIdentity(Date.now(), 'paused', 1), leaseSeconds: 3, logger: quietLogger(sink) });
  try {
    const running = coordinator.run(control, stop.signal);
    await waitUntil('the unit to be claimed', () => control.now.has('acct'));
    // What a takeover after a pause looks like in the table: the lease expired and another replica claimed it.
    await db.pool.query(`UPDATE siphon.leases SET owner = 'other', epoch = epoch + 1, expires_at = now() + interval '30 seconds' WHERE unit = 'acct'`);
    await assert.rejects(
      db.transaction((client) => coordinator.fence(client, { input: 'acct', service: 'audit' })),
      (err: unknown) => err instanceof SiphonError && err.code === 'PERSISTENCE_FENCED',
    );
    await waitUntil('the unit to be stopped here', () => !control.now.has('acct'));
    assert.ok(sink.lines.some((l) => /lost input acct/.test(l)));
    stop.abort();
    await running;
    const [view] = await coordinator.leaseViews();
    assert.equal(view?.owner, 'other', 'a lost lease is not released by its old holder');
  } finally {
    stop.abort();
    await db.close();
  }
});

test('four units over three replicas end two, one and one: a replica left without its share gets one from the fullest', async () => {
  const db = await freshDatabase('lease_spread');
  const units = ['u1', 'u2', 'u3', 'u4'];
  const stops = [0, 1, 2].map(() => new AbortController());
  const coordinators = [0, 1, 2].map((i) => new ClusterCoordinator({ database: db, replica: replicaIdentity(Date.now(), `spread${i}`, 2000 + i), leaseSeconds: 3, logger: quietLogger() }));
  const controls = [0, 1, 2].map(() => recordingControl(units));
  const runs: Array<Promise<void>> = [];
  try {
    // Two replicas take everything between them first (two each), then a third joins with none.
    runs.push(coordinators[0]!.run(controls[0]!, stops[0]!.signal), coordinators[1]!.run(controls[1]!, stops[1]!.signal));
    await waitUntil('two replicas to hold two units each', () => controls[0]!.now.size === 2 && controls[1]!.now.size === 2, 30_000);
    runs.push(coordinators[2]!.run(controls[2]!, stops[2]!.signal));
    const sizes = (): number[] => controls.map((c) => c.now.size).sort();
    await waitUntil('the third replica to get its share', () => sizes().join() === '1,1,2', 30_000);
    assert.deepEqual([...controls[0]!.now, ...controls[1]!.now, ...controls[2]!.now].sort(), units, 'every unit held once');
  } finally {
    for (const s of stops) s.abort();
    await Promise.all(runs);
    await db.close();
  }
});

test('leases and heartbeats have connections of their own: a renewal goes through while every connection of the streams is busy', async () => {
  const db = await freshDatabase('lease_control');
  const busy: Array<{ release(): void }> = [];
  try {
    const leases = new LeaseTable(db);
    await leases.ensure(['a']);
    const claimed = await leases.claim('r1', ['a'], 1, 30);
    // Every connection of the pool the state store and the journals use is taken (maxConnections: 4).
    for (let i = 0; i < 4; i++) busy.push(await db.pool.connect());
    const queued = db.pool.query('SELECT 1');
    assert.equal(db.pool.waitingCount, 1, 'a state read now waits for a connection');
    assert.deepEqual(await leases.renew('r1', claimed, 30), claimed);
    await replicaHeartbeat(db);
    for (const client of busy.splice(0)) client.release();
    await queued;
  } finally {
    for (const client of busy) client.release();
    await db.close();
  }
});

/** A replica's heartbeat row, written through the cluster's connections. */
async function replicaHeartbeat(db: Database): Promise<void> {
  const replicas = new ReplicaTable(db);
  const me = replicaIdentity();
  await replicas.heartbeat(me, 30);
  assert.ok((await replicas.liveShares()).some((s) => s.id === me.id));
}
