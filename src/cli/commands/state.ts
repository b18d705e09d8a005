// `siphon state show` and `siphon state reset`.
import type { StateStore } from '../../core/contracts.js';
import { EXIT, exitCodeFor, toSiphonError } from '../../core/errors.js';
import { describeState } from '../../core/checkpoint.js';
import type { SiphonConfig } from '../../config/types.js';
import { openStateStore } from '../../state/index.js';
import type { CliIo } from '../io.js';

/** Opens the configured store, runs `work`, closes it; errors become their exit code. */
async function withStore(config: SiphonConfig, lock: boolean, io: CliIo, work: (store: StateStore) => Promise<void>): Promise<number> {
  try {
    const store = await openStateStore(config.globals.persistence, { lock });
    try {
      await work(store);
    } finally {
      await store.close();
    }
    return EXIT.OK;
  } catch (err) {
    const error = toSiphonError(err);
    io.err(error.describe());
    return exitCodeFor(error.code);
  }
}

export function showState(config: SiphonConfig, io: CliIo, json: boolean): Promise<number> {
  return withStore(config, false, io, async (store) => {
    const keys = await store.list();
    if (keys.length === 0) io.out('No saved state.');
    for (const key of keys) {
      const state = await store.get(key);
      if (!state) continue;
      const summary = describeState(state);
      io.out(json ? JSON.stringify({ input: key.input, service: key.service, ...(JSON.parse(summary) as object) }) : `${key.input}/${key.service}: ${summary}`);
    }
  });
}

export function resetState(config: SiphonConfig, io: CliIo, input: string, service: string): Promise<number> {
  // Takes the lock: resetting under a running collector would be undone by its next commit.
  return withStore(config, true, io, async (store) => {
    const deleted = await store.delete({ input, service });
    io.out(deleted ? `State of ${input}/${service} deleted: it starts again from its configured start time.` : `No state saved for ${input}/${service}.`);
  });
}
