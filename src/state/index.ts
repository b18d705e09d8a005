// Entry point of the state stores: pick one from the configuration, and the state a
// service starts from.

import type { StateStore } from '../core/contracts.js';
import { FilesystemStateStore } from './filesystem.js';
import { MemoryStateStore } from './memory.js';

export { FilesystemStateStore, type FilesystemStoreOptions } from './filesystem.js';
export { MemoryStateStore } from './memory.js';

export type StateStoreConfig = { type: 'filesystem'; directory: string } | { type: 'memory' };

/** Opens the configured store. `lock: false` (filesystem) for read-only commands. */
export function openStateStore(config: StateStoreConfig, opts: { lock?: boolean } = {}): Promise<StateStore> {
  if (config.type === 'memory') return Promise.resolve(new MemoryStateStore());
  return FilesystemStateStore.open(config.directory, opts);
}
