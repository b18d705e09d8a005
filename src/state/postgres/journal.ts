// The delivery journal in PostgreSQL (`<schema>.delivered`): the keys an output acknowledged,
// per input and service, beside the checkpoints, so that every replica of a cluster knows what
// an output already got from a stream another replica pulled before. The same contract as the
// file journal (src/state/journal.ts): one statement per acknowledged write (a transaction
// after the cluster's fence when there is one), `forget` deletes a stream's keys, and the
// table keeps about the newest `keepEntries` keys per output (older ones are pruned now and
// then, not on every write). Look-ups ask only for the keys of the records in hand.

import type pg from 'pg';
import type { Logger, OutputRecord, StateKey, VendorEvent } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import type { DeliveryJournal } from '../journal.js';
import type { Database, Fence } from './database.js';
import { databaseFailure } from './errors.js';
import { recordKey } from '../../core/record-key.js';
import { SerialQueue } from '../../core/serial-queue.js';

export interface PostgresJournalOptions {
  readonly database: Database;
  /** The output's name: its rows in the table. */
  readonly output: string;
  /** How many of the newest keys the output keeps (about one delivery queue, see the runtime). */
  readonly keepEntries: number;
  readonly logger: Logger;
  /** The cluster's claim check, run for each stream of a write before its keys are noted. */
  readonly fence?: Fence;
}

/** The keyed records of a write, by stream, as the three parallel arrays unnest() reads. */
interface Keys {
  inputs: string[];
  services: string[];
  keys: string[];
}

export class PostgresDeliveryJournal implements DeliveryJournal {
  private readonly table: string;
  private readonly keepEntries: number;
  /** Keys noted since the last prune: the table is pruned once a quarter of `keepEntries` came in. */
  private sincePrune: number;
  /** A write failed: warned once, until a write succeeds again. */
  private failing = false;
  /** Notes and forgets run in order; a look-up waits for those queued before it. */
  private readonly queue = new SerialQueue();

  constructor(private readonly o: PostgresJournalOptions) {
    this.table = o.database.table('delivered');
    this.keepEntries = Math.max(1, o.keepEntries);
    // The first write prunes what an earlier run with a larger queue may have left.
    this.sincePrune = this.pruneEvery;
  }

  private get pruneEvery(): number {
    return Math.max(1, Math.ceil(this.keepEntries / 4));
  }

  private get where(): string {
    return `PostgreSQL at ${this.o.database.where}`;
  }

  async find(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>> {
    await this.queue.idle();
    const asked: Keys = { inputs: [], services: [], keys: [] };
    const keyAt: Array<string | undefined> = records.map((record) => {
      const key = recordKey(record, keyOf);
      if (key !== undefined) push(asked, record.input, record.service, key);
      return key;
    });
    const found = new Set<number>();
    if (asked.keys.length === 0) return found;
    let rows: Array<{ input: string; service: string; key: string }>;
    try {
      ({ rows } = await this.o.database.pool.query<{ input: string; service: string; key: string }>(
        `SELECT DISTINCT d.input, d.service, d.key FROM unnest($2::text[], $3::text[], $4::text[]) AS r(input, service, key)
         JOIN ${this.table} d ON d.output = $1 AND d.input = r.input AND d.service = r.service AND d.key = r.key`,
        [this.o.output, asked.inputs, asked.services, asked.keys],
      ));
    } catch (err) {
      throw databaseFailure(err, this.o.database.where, `read the delivery journal of output "${this.o.output}"`, 'PERSISTENCE_UNAVAILABLE');
    }
    if (rows.length === 0) return found;
    const held = new Set(rows.map((r) => entryId(r.input, r.service, r.key)));
    records.forEach((record, i) => {
      const key = keyAt[i];
      if (key !== undefined && held.has(entryId(record.input, record.service, storedKey(key)))) found.add(i);
    });
    return found;
  }

  record(records: readonly OutputRecord[]): Promise<void> {
    return this.queue.run(() => this.append(records));
  }

  forget(input: string, service: string): Promise<void> {
    return this.queue.run(async () => {
      const sql = `DELETE FROM ${this.table} WHERE output = $1 AND input = $2 AND service = $3`;
      const params = [this.o.output, input, service];
      const fence = this.o.fence;
      try {
        if (fence === undefined) await this.o.database.pool.query(sql, params);
        else
          await this.o.database.transaction(async (client) => {
            await fence(client, { input, service });
            await client.query(sql, params);
          });
      } catch (err) {
        throw databaseFailure(err, this.o.database.where, `note in the delivery journal of output "${this.o.output}" that ${input}/${service} starts afresh`, 'PERSISTENCE_WRITE_FAILED');
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.idle();
  }

  private async append(records: readonly OutputRecord[]): Promise<void> {
    const byStream = keysByStream(records);
    if (byStream.size === 0) return;
    let noted = 0;
    try {
      noted = this.o.fence === undefined ? await this.insert(this.o.database.pool, [...byStream.values()]) : await this.insertFenced(this.o.fence, byStream);
      if (this.failing) this.o.logger.info(`The delivery journal of output "${this.o.output}" in ${this.where} is written again`);
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        const error = databaseFailure(err, this.o.database.where, `note what output "${this.o.output}" acknowledged`, 'PERSISTENCE_WRITE_FAILED');
        this.o.logger.warn(
          `The delivery journal of output "${this.o.output}" cannot be written (${error.describe()}): the events are delivered, ` +
            'but if delivery is interrupted before their checkpoint is saved, this output gets them again',
        );
      }
      this.failing = true;
      return;
    }
    this.sincePrune += noted;
    if (this.sincePrune >= this.pruneEvery) await this.prune();
  }

  /**
   * One transaction: each stream's fence, then the keys of the streams still held. A stream the
   * replica lost is left out (its new owner decides what counts as delivered), the others noted.
   */
  private async insertFenced(fence: Fence, byStream: Map<string, { key: StateKey; keys: string[] }>): Promise<number> {
    return this.o.database.transaction(async (client) => {
      const held: Array<{ key: StateKey; keys: string[] }> = [];
      for (const stream of byStream.values()) {
        try {
          await fence(client, stream.key);
          held.push(stream);
        } catch (err) {
          if (!(err instanceof SiphonError) || err.code !== 'PERSISTENCE_FENCED') throw err;
          this.o.logger.warn(`${stream.keys.length} key(s) of ${stream.key.input}/${stream.key.service} are not noted in the delivery journal of output "${this.o.output}": ${err.message}`);
        }
      }
      return held.length === 0 ? 0 : this.insert(client, held);
    });
  }

  /** One INSERT for every stream of the write; a key noted before stays as it was. */
  private async insert(client: pg.Pool | pg.PoolClient, streams: ReadonlyArray<{ key: StateKey; keys: string[] }>): Promise<number> {
    const rows: Keys = { inputs: [], services: [], keys: [] };
    for (const { key, keys } of streams) for (const k of keys) push(rows, key.input, key.service, k);
    await client.query(
      `INSERT INTO ${this.table} (output, input, service, key) SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [this.o.output, rows.inputs, rows.services, rows.keys],
    );
    return rows.keys.length;
  }

  /** Deletes this output's keys older than the newest `keepEntries` (best effort: the next prune tries again). */
  private async prune(): Promise<void> {
    try {
      await this.o.database.pool.query(
        `DELETE FROM ${this.table} WHERE output = $1 AND seq <= (SELECT seq FROM ${this.table} WHERE output = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
        [this.o.output, this.keepEntries],
      );
      this.sincePrune = 0;
    } catch {
      // The table holds a few more keys until the next write prunes it.
    }
  }
}

function push(into: Keys, input: string, service: string, key: string): void {
  into.inputs.push(input);
  into.services.push(service);
  into.keys.push(storedKey(key));
}

/** Marks a key stored in its JSON form; no key is stored raw with it in front. */
const ENCODED = '\u0001';

/**
 * A key as the `key` column holds it. PostgreSQL text cannot hold a NUL character, which a
 * vendor's id may carry: such a key (and any starting with the marker, so that no two keys
 * meet) is stored as the marker and its JSON text, where NUL is the six characters \u0000.
 */
export function storedKey(key: string): string {
  return key.includes('\u0000') || key.startsWith(ENCODED) ? `${ENCODED}${JSON.stringify(key)}` : key;
}

function entryId(input: string, service: string, key: string): string {
  return `${input}\u0000${service}\u0000${key}`;
}

/** The keyed records of a write, grouped by stream (a write usually holds one or two). */
function keysByStream(records: readonly OutputRecord[]): Map<string, { key: StateKey; keys: string[] }> {
  const streams = new Map<string, { key: StateKey; keys: string[] }>();
  for (const record of records) {
    if (record.key === undefined) continue;
    const id = `${record.input}\u0000${record.service}`;
    let stream = streams.get(id);
    if (!stream) {
      stream = { key: { input: record.input, service: record.service }, keys: [] };
      streams.set(id, stream);
    }
    stream.keys.push(record.key);
  }
  return streams;
}
