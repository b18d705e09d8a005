// The state store in PostgreSQL: one row per service in `<schema>.checkpoints`, holding the
// same record as the filesystem store's file (src/state/record.ts) as json, so operators can
// read it with SQL, and its revision in a column of its own for compare-and-set. A put is one
// transaction: the cluster's fence (the claim check) first, then a write that only matches
// the expected revision, so two writers never both win. A record that does not check is an
// error, never a silent restart from scratch.

import type pg from 'pg';
import type { Checkpoint, StateKey, StateStore } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { checkServiceState, describeKey, nextRecord, resetCommand } from '../record.js';
import type { Database, Fence } from './database.js';
import { databaseFailure } from './errors.js';

export interface PostgresStoreOptions {
  /** The cluster's claim check, run in every put's transaction before the write. */
  readonly fence?: Fence;
  /** Close the database with the store (the store opened it). Default false: its opener closes it. */
  readonly ownsDatabase?: boolean;
}

interface Row {
  record: unknown;
  revision: string;
}

export class PostgresStateStore implements StateStore {
  readonly kind = 'postgres';
  private closed = false;
  private readonly fence: Fence | undefined;
  private readonly ownsDatabase: boolean;
  private readonly checkpoints: string;

  constructor(
    /** Shared with the delivery journals and the cluster (one pool per process). */
    readonly database: Database,
    options: PostgresStoreOptions = {},
  ) {
    this.fence = options.fence;
    this.ownsDatabase = options.ownsDatabase ?? false;
    this.checkpoints = database.table('checkpoints');
  }

  /** "host:port/database, schema siphon": where messages say the state is. */
  get where(): string {
    return `${this.database.where}, schema ${this.database.schema}`;
  }

  async get(key: StateKey): Promise<Checkpoint | undefined> {
    this.assertOpen();
    let rows: Row[];
    try {
      ({ rows } = await this.database.pool.query<Row>(`SELECT record, revision::text AS revision FROM ${this.checkpoints} WHERE input = $1 AND service = $2`, [
        key.input,
        key.service,
      ]));
    } catch (err) {
      throw databaseFailure(err, this.database.where, `read the state of ${describeKey(key)}`, 'PERSISTENCE_UNAVAILABLE');
    }
    const row = rows[0];
    return row === undefined ? undefined : this.check(key, row);
  }

  async put(key: StateKey, state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint> {
    this.assertOpen();
    const next = nextRecord(state, expectedRevision);
    if (!next.ok) {
      throw new SiphonError('INTERNAL', `Refusing to save an invalid state for ${describeKey(key)}: ${next.reason}.`, { where: this.where });
    }
    const record = JSON.stringify(next.state);
    const write = async (client: pg.PoolClient | pg.Pool): Promise<void> => {
      const written =
        expectedRevision === undefined
          ? await client.query(
              `INSERT INTO ${this.checkpoints} (input, service, record, revision) VALUES ($1, $2, $3::json, $4) ON CONFLICT (input, service) DO NOTHING`,
              [key.input, key.service, record, next.state.revision],
            )
          : // Under READ COMMITTED a concurrent update of the row makes this one wait, then re-check
            // the revision against the new row: exactly one of the writers from a revision matches.
            await client.query(
              `UPDATE ${this.checkpoints} SET record = $3::json, revision = $4, updated_at = now() WHERE input = $1 AND service = $2 AND revision = $5`,
              [key.input, key.service, record, next.state.revision, expectedRevision],
            );
      if (written.rowCount === 1) return;
      const found = await client.query<{ revision: string }>(`SELECT revision::text AS revision FROM ${this.checkpoints} WHERE input = $1 AND service = $2`, [
        key.input,
        key.service,
      ]);
      const revision = found.rows[0]?.revision;
      throw this.conflict(key, expectedRevision, revision === undefined ? undefined : Number(revision));
    };
    try {
      // Without a fence a single statement is atomic on its own: one round trip, no transaction.
      const fence = this.fence;
      if (fence === undefined) await write(this.database.pool);
      else
        await this.database.transaction(async (client) => {
          await fence(client, key);
          await write(client);
        });
    } catch (err) {
      throw databaseFailure(err, this.database.where, `save the state of ${describeKey(key)}`, 'PERSISTENCE_WRITE_FAILED');
    }
    // A fresh object: the caller never shares one with what the next get returns.
    return structuredClone(next.state);
  }

  async delete(key: StateKey): Promise<boolean> {
    this.assertOpen();
    try {
      const { rowCount } = await this.database.pool.query(`DELETE FROM ${this.checkpoints} WHERE input = $1 AND service = $2`, [key.input, key.service]);
      return rowCount === 1;
    } catch (err) {
      throw databaseFailure(err, this.database.where, `delete the state of ${describeKey(key)}`, 'PERSISTENCE_WRITE_FAILED');
    }
  }

  async list(): Promise<StateKey[]> {
    this.assertOpen();
    try {
      // COLLATE "C": byte order, the order the other stores list in, whatever the database's locale.
      const { rows } = await this.database.pool.query<{ input: string; service: string }>(
        `SELECT input, service FROM ${this.checkpoints} ORDER BY input COLLATE "C", service COLLATE "C"`,
      );
      return rows.map((r) => ({ input: r.input, service: r.service }));
    } catch (err) {
      throw databaseFailure(err, this.database.where, 'list the saved states', 'PERSISTENCE_UNAVAILABLE');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDatabase) await this.database.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new SiphonError('INTERNAL', `The state store in PostgreSQL at ${this.where} is closed.`);
  }

  /** The row's record, checked as a state file is; its revision must be the row's. */
  private check(key: StateKey, row: Row): Checkpoint {
    const checked = checkServiceState(row.record);
    if (!checked.ok) throw this.unreadable(key, checked.reason);
    if (String(checked.state.revision) !== row.revision) {
      throw this.unreadable(key, `"revision" is ${checked.state.revision} but the row's revision column is ${row.revision}`);
    }
    return checked.state;
  }

  private unreadable(key: StateKey, reason: string): SiphonError {
    return new SiphonError(
      'PERSISTENCE_UNREADABLE',
      `The state of ${describeKey(key)} in PostgreSQL at ${this.where} (table checkpoints) is corrupt: ${reason}. ` +
        `Siphon will not restart from scratch on its own: restore the row or run "${resetCommand(key)}".`,
      { where: this.database.where, schema: this.database.schema },
    );
  }

  private conflict(key: StateKey, expected: number | undefined, found: number | undefined): SiphonError {
    const show = (r: number | undefined): string => (r === undefined ? 'no record' : `revision ${r}`);
    return new SiphonError(
      'PERSISTENCE_CONFLICT',
      `The state of ${describeKey(key)} changed under this process: expected ${show(expected)}, found ${show(found)} in PostgreSQL at ${this.where}. Another Siphon may be writing the same state.`,
      { where: this.database.where, expected, found },
    );
  }
}
