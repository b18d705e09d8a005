// The replicas table: who is alive. Each replica registers with an identity unique across
// hosts (host name, pid, start time) and renews its heartbeat with its leases; a replica is
// live while its row has not expired by the database's clock.

import { hostname } from 'node:os';
import type { Database } from '../state/postgres/database.js';

export interface ReplicaIdentity {
  /** host:pid:start (base 36): unique, readable in the status and in SQL. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

/** This process's identity. */
export function replicaIdentity(startedAtMs: number = Date.now(), host: string = hostname(), pid: number = process.pid): ReplicaIdentity {
  return { id: `${host}:${pid}:${startedAtMs.toString(36)}`, host, pid };
}

/** A live replica and the number of inputs it holds. */
export interface ReplicaShare {
  readonly id: string;
  readonly held: number;
}

export class ReplicaTable {
  constructor(private readonly db: Database) {}

  /** Registers the replica, or renews its heartbeat (its row lives `leaseSeconds` past the database's now()). */
  async heartbeat(replica: ReplicaIdentity, leaseSeconds: number): Promise<void> {
    await this.db.control.query(
      `INSERT INTO ${this.db.table('replicas')} (id, host, pid, started_at, heartbeat_at, expires_at)
       VALUES ($1, $2, $3, now(), now(), now() + make_interval(secs => $4))
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = EXCLUDED.expires_at`,
      [replica.id, replica.host, replica.pid, leaseSeconds],
    );
  }

  /**
   * Every live replica (heartbeat not expired; this one included once registered) with how many
   * unexpired leases it holds: what balance needs to see a replica left without its share.
   */
  async liveShares(): Promise<ReplicaShare[]> {
    const { rows } = await this.db.control.query<{ id: string; held: string }>(
      `SELECT r.id, count(l.unit) AS held FROM ${this.db.table('replicas')} r
       LEFT JOIN ${this.db.table('leases')} l ON l.owner = r.id AND l.expires_at > now()
       WHERE r.expires_at > now() GROUP BY r.id`,
    );
    return rows.map((r) => ({ id: r.id, held: Number(r.held) }));
  }

  /** Forgets replicas dead for long (`keepSeconds` past their expiry): the table stays small. */
  async prune(keepSeconds: number): Promise<void> {
    await this.db.control.query(`DELETE FROM ${this.db.table('replicas')} WHERE expires_at < now() - make_interval(secs => $1)`, [keepSeconds]);
  }

  /** A graceful exit: the others count one replica fewer at once. */
  async leave(replica: ReplicaIdentity): Promise<void> {
    await this.db.control.query(`DELETE FROM ${this.db.table('replicas')} WHERE id = $1`, [replica.id]);
  }
}
