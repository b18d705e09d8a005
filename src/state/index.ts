// Entry point of the state stores: pick one from the configuration, and the state a
// service starts from.

import type { ServiceState, StateStore } from '../core/contracts.js';
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

/** The state of a service that has pulled nothing yet. */
export function emptyServiceState(startSetting: string | null, nowIso: string): ServiceState {
  return {
    '@persistence_version': 1,
    start_setting: startSetting,
    cursor: null,
    dedup: [],
    newest_event_time: null,
    events_delivered: 0,
    updated_at: nowIso,
    revision: 0,
  };
}
