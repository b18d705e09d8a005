// The leases table: one row per unit (an input: all of an account's streams), with its owner,
// an epoch that grows by one at every claim, and an expiry judged by the database's clock. A
// claim takes free or expired units; a renewal extends the owner's unexpired leases of the
// same epoch; a release frees them (the next claim raises the epoch). Every statement is one
// round trip, whatever the number of units.

import type pg from 'pg';
import type { Database } from '../state/postgres/database.js';

export interface Lease {
  readonly unit: string;
  readonly epoch: number;
}

/** A unit as the status shows it. */
export interface LeaseView {
  readonly unit: string;
  readonly owner: string | null;
  readonly epoch: number;
  /** ISO time by the database's clock, or null when free. */
  readonly expiresAt: string | null;
  readonly expired: boolean;
}

export class LeaseTable {
  constructor(private readonly db: Database) {}

  /** Makes sure every unit has a row (a new input in the configuration starts free). */
  async ensure(units: readonly string[]): Promise<void> {
    await this.db.control.query(`INSERT INTO ${this.db.table('leases')} (unit, epoch) SELECT unnest($1::text[]), 0 ON CONFLICT (unit) DO NOTHING`, [units]);
  }

  /**
   * Claims up to `limit` of `units` that are free or expired, raising their epochs. Rows another
   * replica is claiming at this moment are skipped, not waited for; the update checks again that
   * each row is still claimable (it may have changed since the scan).
   */
  async claim(owner: string, units: readonly string[], limit: number, leaseSeconds: number): Promise<Lease[]> {
    if (limit <= 0 || units.length === 0) return [];
    const leases = this.db.table('leases');
    const { rows } = await this.db.control.query<{ unit: string; epoch: string }>(
      `WITH candidates AS (
         SELECT unit FROM ${leases}
         WHERE unit = ANY($2::text[]) AND (owner IS NULL OR expires_at <= now())
         ORDER BY random() LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE ${leases} AS l SET owner = $1, epoch = l.epoch + 1, expires_at = now() + make_interval(secs => $4)
       FROM candidates c
       WHERE l.unit = c.unit AND (l.owner IS NULL OR l.expires_at <= now())
       RETURNING l.unit, l.epoch`,
      [owner, units, limit, leaseSeconds],
    );
    return rows.map(toLease);
  }

  /** Extends the owner's unexpired leases of these epochs; returns the ones renewed (a missing one is lost). */
  async renew(owner: string, held: readonly Lease[], leaseSeconds: number): Promise<Lease[]> {
    if (held.length === 0) return [];
    const { rows } = await this.db.control.query<{ unit: string; epoch: string }>(
      `UPDATE ${this.db.table('leases')} AS l SET expires_at = now() + make_interval(secs => $4)
       FROM unnest($2::text[], $3::bigint[]) AS h(unit, epoch)
       WHERE l.unit = h.unit AND l.epoch = h.epoch AND l.owner = $1 AND l.expires_at > now()
       RETURNING l.unit, l.epoch`,
      [owner, held.map((l) => l.unit), held.map((l) => String(l.epoch)), leaseSeconds],
    );
    return rows.map(toLease);
  }

  /** Gives leases up (shutdown, surplus): free at once for any replica. */
  async release(owner: string, held: readonly Lease[]): Promise<void> {
    if (held.length === 0) return;
    await this.db.control.query(
      `UPDATE ${this.db.table('leases')} AS l SET owner = NULL, expires_at = NULL
       FROM unnest($2::text[], $3::bigint[]) AS h(unit, epoch)
       WHERE l.unit = h.unit AND l.epoch = h.epoch AND l.owner = $1`,
      [owner, held.map((l) => l.unit), held.map((l) => String(l.epoch))],
    );
  }

  /**
   * The fence, inside a commit's transaction: the lease row is locked in share mode (a claim by
   * another replica waits for the commit, or the commit sees its new epoch) and must still be
   * this owner's, at this epoch, unexpired by the database's clock.
   */
  async holds(client: pg.PoolClient, lease: Lease, owner: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `SELECT 1 FROM ${this.db.table('leases')} WHERE unit = $1 AND owner = $2 AND epoch = $3 AND expires_at > now() FOR SHARE`,
      [lease.unit, owner, String(lease.epoch)],
    );
    return rowCount === 1;
  }

  /** Every unit's lease, for the status and `siphon status`. */
  async list(): Promise<LeaseView[]> {
    const { rows } = await this.db.control.query<{ unit: string; owner: string | null; epoch: string; expires_at: Date | null; expired: boolean }>(
      `SELECT unit, owner, epoch, expires_at, coalesce(expires_at <= now(), true) AS expired FROM ${this.db.table('leases')} ORDER BY unit`,
    );
    return rows.map((r) => ({ unit: r.unit, owner: r.owner, epoch: Number(r.epoch), expiresAt: r.expires_at?.toISOString() ?? null, expired: r.expired }));
  }
}

/** bigint arrives as text from pg; epochs stay far below 2^53. */
function toLease(row: { unit: string; epoch: string }): Lease {
  return { unit: row.unit, epoch: Number(row.epoch) };
}
