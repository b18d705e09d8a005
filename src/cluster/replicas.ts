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

export class ReplicaTable {
  constructor(private readonly db: Database) {}

  /** Registers the replica, or renews its heartbeat (its row lives `leaseSeconds` past the database's now()). */
  async heartbeat(replica: ReplicaIdentity, leaseSeconds: number): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO ${this.db.table('replicas')} (id, host, pid, started_at, heartbeat_at, expires_at)
       VALUES ($1, $2, $3, now(), now(), now() + make_interval(secs => $4))
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = EXCLUDED.expires_at`,
      [replica.id, replica.host, replica.pid, leaseSeconds],
    );
  }

  /** Replicas whose heartbeat has not expired (this one included once registered); at least 1. */
  async liveCount(): Promise<number> {
    const { rows } = await this.db.pool.query<{ live: string }>(`SELECT count(*) AS live FROM ${this.db.table('replicas')} WHERE expires_at > now()`);
    return Math.max(1, Number(rows[0]?.live ?? 1));
  }

  /** Forgets replicas dead for long (`keepSeconds` past their expiry): the table stays small. */
  async prune(keepSeconds: number): Promise<void> {
    await this.db.pool.query(`DELETE FROM ${this.db.table('replicas')} WHERE expires_at < now() - make_interval(secs => $1)`, [keepSeconds]);
  }

  /** A graceful exit: the others count one replica fewer at once. */
  async leave(replica: ReplicaIdentity): Promise<void> {
    await this.db.pool.query(`DELETE FROM ${this.db.table('replicas')} WHERE id = $1`, [replica.id]);
  }
}
