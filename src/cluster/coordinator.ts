// This replica's side of the cluster: it registers, renews its heartbeat and its leases every
// third of a lease, claims its fair share of the inputs (units) and hands the surplus over,
// starting and stopping their streams through the collector's UnitControl. Expiry is the
// database's business (now()); locally a claim is trusted only while the last confirmed
// renewal is younger than the lease by the monotonic clock, so a replica cut off from the
// database, or paused, stops pulling before another replica may take over.

import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { StreamClaim, UnitAssignment, UnitControl } from '../core/assignment.js';
import type { Logger, StateKey } from '../core/contracts.js';
import { SiphonError, toSiphonError } from '../core/errors.js';
import type { Database } from '../state/postgres/database.js';
import { LeaseTable, type Lease, type LeaseView } from './leases.js';
import { ReplicaTable, type ReplicaIdentity, type ReplicaShare } from './replicas.js';

/** What the cluster reports (metrics): implemented by the telemetry. */
export interface ClusterEvents {
  replicas(live: number): void;
  /** The units `replica` holds now. */
  owned(replica: string, units: readonly string[]): void;
  /** Every unit's lease as just read (the status shows owner and expiry per stream). */
  leases(replica: string, leases: readonly LeaseView[]): void;
  renewalFailed(): void;
  fencedCommit(): void;
}

export interface CoordinatorOptions {
  database: Database;
  replica: ReplicaIdentity;
  leaseSeconds: number;
  logger: Logger;
  events?: ClusterEvents;
  /** Milliseconds of a clock that never jumps (tests may drive it). */
  monotonic?: () => number;
}

interface Held {
  lease: Lease;
  /** Monotonic time the last claim or renewal that covered it was sent: the lease runs at least a lease from there. */
  confirmedAt: number;
  releasing: boolean;
}

/** Below this share of a lease left, a claim is no longer trusted to deliver a page. */
const SAFETY_FRACTION = 0.1;
/** Dead replicas' rows are kept this many leases past their expiry (operators see who left). */
const PRUNE_AFTER_LEASES = 100;

export class ClusterCoordinator implements UnitAssignment {
  private readonly leases: LeaseTable;
  private readonly replicas: ReplicaTable;
  private readonly held = new Map<string, Held>();
  /** Each unit's transitions (start, stop, release) run one after another. */
  private readonly transitions = new Map<string, Promise<void>>();
  private readonly monotonic: () => number;
  private readonly leaseMs: number;
  private consecutiveFailures = 0;
  /** Successful rounds so far. */
  private rounds = 0;
  private control: UnitControl | undefined;

  constructor(private readonly o: CoordinatorOptions) {
    this.leases = new LeaseTable(o.database);
    this.replicas = new ReplicaTable(o.database);
    this.monotonic = o.monotonic ?? (() => performance.now());
    this.leaseMs = o.leaseSeconds * 1000;
  }

  get replicaId(): string {
    return this.o.replica.id;
  }

  /** The units this replica holds now (claimed and not lost or released). */
  owned(): string[] {
    return [...this.held.keys()];
  }

  /** Every unit's lease as the database has it (status). */
  leaseViews(): Promise<LeaseView[]> {
    return this.leases.list();
  }

  /** The claim a stream of `unit` checks before each page goes to the outputs. */
  claimFor(unit: string): StreamClaim {
    return {
      valid: () => {
        const held = this.held.get(unit);
        return held !== undefined && this.monotonic() - held.confirmedAt < this.leaseMs * (1 - SAFETY_FRACTION);
      },
      lost: (reason) => this.lose(unit, reason.message),
    };
  }

  /**
   * The fence a commit runs inside its transaction: the stream's unit must still be this
   * replica's, at the epoch it claimed, unexpired by the database's clock.
   */
  readonly fence = async (client: pg.PoolClient, key: StateKey): Promise<void> => {
    const held = this.held.get(key.input);
    if (held === undefined || !(await this.leases.holds(client, held.lease, this.o.replica.id))) {
      this.o.events?.fencedCommit();
      throw new SiphonError(
        'PERSISTENCE_FENCED',
        `Replica ${this.o.replica.id} no longer holds ${key.input}${held ? ` (epoch ${held.lease.epoch})` : ''}: the checkpoint of ${key.input}/${key.service} is refused`,
        { input: key.input, service: key.service },
        { permanent: true },
      );
    }
  };

  async run(control: UnitControl, signal: AbortSignal): Promise<void> {
    this.control = control;
    const intervalMs = this.leaseMs / 3;
    let ready = false;
    let ticks = 0;
    while (!signal.aborted) {
      try {
        if (!ready) {
          await this.leases.ensure(control.units);
          ready = true;
        }
        // The first round only registers: replicas starting together then see each other
        // before claiming, instead of one claiming everything and handing most of it over.
        await this.tick(control, ticks > 0);
        ticks += 1;
      } catch (err) {
        this.failed(err);
      }
      try {
        await sleep(intervalMs, signal);
      } catch {
        break;
      }
    }
    await this.leave(control);
  }

  private async tick(control: UnitControl, claim: boolean): Promise<void> {
    const { replica, leaseSeconds } = this.o;
    const sentAt = this.monotonic();
    await this.replicas.heartbeat(replica, leaseSeconds);
    const held = [...this.held.values()];
    const renewed = new Set((await this.leases.renew(replica.id, held.map((h) => h.lease), leaseSeconds)).map((l) => `${l.unit}\u0000${l.epoch}`));
    for (const h of held) {
      if (this.held.get(h.lease.unit) !== h) continue;
      if (renewed.has(`${h.lease.unit}\u0000${h.lease.epoch}`)) h.confirmedAt = sentAt;
      else this.lose(h.lease.unit, 'its lease expired or was taken before it could be renewed');
    }
    if (this.consecutiveFailures > 0) {
      this.o.logger.info(`PostgreSQL answers again after ${this.consecutiveFailures} failed lease renewal(s)`);
      this.consecutiveFailures = 0;
    }
    const shares = await this.replicas.liveShares();
    const live = Math.max(1, shares.length);
    this.o.events?.replicas(live);
    if (claim) await this.balance(control, shares);
    this.o.events?.owned(replica.id, this.owned());
    // The whole table for the status: once a lease, not every round (thousands of inputs).
    if (this.o.events && this.rounds++ % 3 === 0) this.o.events.leases(replica.id, await this.leases.list());
    if (Math.random() < 0.05) await this.replicas.prune(leaseSeconds * PRUNE_AFTER_LEASES);
  }

  /**
   * Spreads the units evenly: each replica holds floor(units / live) or one more. It claims up to
   * the rounded-up share and hands over what is above it; and while a live replica holds fewer
   * than the rounded-down share (4 inputs over 3 replicas claimed 2/2/0), the fullest replicas
   * give one unit each, one hand-over at a time, so the starving one can claim them.
   */
  private async balance(control: UnitControl, shares: readonly ReplicaShare[]): Promise<void> {
    const live = Math.max(1, shares.length);
    const units = control.units.length;
    const fair = Math.ceil(units / live);
    const floor = Math.floor(units / live);
    const active = [...this.held.values()].filter((h) => !h.releasing);
    if (active.length > fair) {
      // The most recently claimed go first: the longest-held streams keep their warm state.
      for (const h of active.slice(fair)) this.handOver(h, `${live} replicas share ${units} inputs: this one keeps ${fair}`);
      return;
    }
    const missing = shares.reduce((sum, s) => sum + Math.max(0, floor - s.held), 0);
    if (missing > 0 && active.length > floor && active.length === this.held.size) {
      const me = this.o.replica.id;
      const donors = shares
        .filter((s) => s.held > floor)
        .sort((a, b) => b.held - a.held || a.id.localeCompare(b.id))
        .slice(0, missing);
      const last = active[active.length - 1];
      if (last && donors.some((d) => d.id === me)) {
        this.handOver(last, `${live} replicas share ${units} inputs and one holds fewer than ${floor}: this one gives one`);
        return;
      }
    }
    // While a replica is short of its share, the others claim no more than the rounded-down
    // share: what a donor gives is left for the one that needs it.
    const target = missing > 0 ? floor : fair;
    if (this.held.size >= target) return;
    const sentAt = this.monotonic();
    const free = control.units.filter((u) => !this.held.has(u));
    const claimed = await this.leases.claim(this.o.replica.id, free, target - this.held.size, this.o.leaseSeconds);
    for (const lease of claimed) {
      const h: Held = { lease, confirmedAt: sentAt, releasing: false };
      this.held.set(lease.unit, h);
      this.o.logger.info(`Replica ${this.o.replica.id} claimed input ${lease.unit} (epoch ${lease.epoch}): its streams start from their last checkpoint`);
      this.schedule(lease.unit, async () => {
        try {
          await control.start(lease.unit);
        } catch (err) {
          // Its state cannot be read (the database went away): give it back for a later claim.
          this.o.logger.warn(`Input ${lease.unit} could not start here: ${toSiphonError(err).message}; its claim is given up`);
          await this.release(h);
        }
      });
    }
  }

  /** Stops the unit's streams (their pages in flight delivered and committed), then frees its lease. */
  private handOver(h: Held, why: string): void {
    h.releasing = true;
    this.o.logger.info(`Replica ${this.o.replica.id} hands input ${h.lease.unit} over (${why})`);
    this.schedule(h.lease.unit, async () => {
      await this.control?.stop(h.lease.unit);
      await this.release(h);
    });
  }

  private async release(h: Held): Promise<void> {
    if (this.held.get(h.lease.unit) !== h) return;
    this.held.delete(h.lease.unit);
    // On failure the lease simply expires: the others wait one lease longer.
    await this.leases.release(this.o.replica.id, [h.lease]).catch(() => undefined);
  }

  /** The claim is gone (not renewed in time, or a commit was fenced): stop its streams at once, release nothing. */
  private lose(unit: string, why: string): void {
    const h = this.held.get(unit);
    if (h === undefined) return;
    this.held.delete(unit);
    this.o.logger.warn(`Replica ${this.o.replica.id} lost input ${unit} (epoch ${h.lease.epoch}): ${why}; its streams stop here`);
    this.schedule(unit, async () => {
      await this.control?.stop(unit);
    });
  }

  /** A failed round: counted; once no claim is confirmed within a lease, every stream stops. */
  private failed(err: unknown): void {
    this.consecutiveFailures += 1;
    this.o.events?.renewalFailed();
    const error = toSiphonError(err, 'PERSISTENCE_UNAVAILABLE');
    if (this.consecutiveFailures === 1) this.o.logger.warn(`Lease renewal failed: ${error.message}; streams pause if it keeps failing for ${this.o.leaseSeconds} s`);
    const now = this.monotonic();
    for (const h of [...this.held.values()]) {
      if (now - h.confirmedAt >= this.leaseMs) this.lose(h.lease.unit, `no renewal was confirmed within the lease of ${this.o.leaseSeconds} s (${error.message})`);
    }
  }

  /** Shutdown: every unit's streams stop (pages in flight delivered), then its lease is freed for the others at once. */
  private async leave(control: UnitControl): Promise<void> {
    const held = [...this.held.values()];
    for (const h of held) this.schedule(h.lease.unit, () => control.stop(h.lease.unit));
    await Promise.all(this.transitions.values());
    await this.leases.release(this.o.replica.id, held.filter((h) => this.held.get(h.lease.unit) === h).map((h) => h.lease)).catch(() => undefined);
    this.held.clear();
    await this.replicas.leave(this.o.replica).catch(() => undefined);
    this.o.events?.owned(this.o.replica.id, []);
  }

  /** Runs `work` after the unit's earlier transitions (a unit lost and claimed again starts after it stopped). */
  private schedule(unit: string, work: () => Promise<void>): void {
    const previous = this.transitions.get(unit) ?? Promise.resolve();
    const next = previous.then(work).catch((err: unknown) => {
      this.o.logger.warn(`Input ${unit}: ${toSiphonError(err).message}`);
    });
    this.transitions.set(unit, next);
    void next.then(() => {
      if (this.transitions.get(unit) === next) this.transitions.delete(unit);
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
