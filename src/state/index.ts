// Entry point of the state stores: pick one from the configuration, and the state a
// service starts from.

import type { StateStore } from '../core/contracts.js';
import { FilesystemStateStore } from './filesystem.js';
import { MemoryStateStore } from './memory.js';
import type { Fence } from './postgres/database.js';
import { parsePostgresUrl } from './postgres/url.js';

export { FilesystemStateStore, type FilesystemStoreOptions } from './filesystem.js';
export { MemoryStateStore } from './memory.js';

export type StateStoreConfig =
  | { type: 'filesystem'; directory: string }
  | { type: 'memory' }
  | { type: 'postgres'; url: string; schema: string; caFile?: string };

export interface OpenStateStoreOptions {
  /** Take the directory lock (filesystem; default true). false for read-only commands. */
  lock?: boolean;
  /** PostgreSQL: the cluster's claim check, run inside each put's transaction. */
  fence?: Fence;
}

/**
 * Opens the configured store. PostgreSQL's store opens the process's one pool (connects and
 * brings the schema up to date) and closes it with itself; pg is loaded only then.
 */
export async function openStateStore(config: StateStoreConfig, opts: OpenStateStoreOptions = {}): Promise<StateStore> {
  if (config.type === 'memory') return new MemoryStateStore();
  if (config.type === 'filesystem') return FilesystemStateStore.open(config.directory, opts);
  const [{ Database }, { PostgresStateStore }] = await Promise.all([import('./postgres/database.js'), import('./postgres/store.js')]);
  const database = await Database.open({ url: config.url, schema: config.schema, ...(config.caFile !== undefined ? { caFile: config.caFile } : {}) });
  return new PostgresStateStore(database, { ownsDatabase: true, ...(opts.fence ? { fence: opts.fence } : {}) });
}

/** Where the configured store keeps state, for messages: a folder, or the server and schema (never the password). */
export function describeStateStore(config: StateStoreConfig): string {
  if (config.type === 'memory') return 'memory';
  if (config.type === 'filesystem') return config.directory;
  return `PostgreSQL at ${parsePostgresUrl(config.url).where}, schema ${config.schema}`;
}
