// `siphon state show` and `siphon state reset`.
import { EXIT, exitCodeFor, toSiphonError } from '../../core/errors.js';
import { describeState } from '../../core/service-runner.js';
import type { SiphonConfig } from '../../config/types.js';
import { openStateStore } from '../../state/index.js';
import type { CliIo } from '../io.js';

export async function showState(config: SiphonConfig, io: CliIo, json: boolean): Promise<number> {
  try {
    const store = await openStateStore(config.globals.persistence, { lock: false });
    try {
      const keys = await store.list();
      if (keys.length === 0) io.out('No saved state.');
      for (const key of keys) {
        const state = await store.get(key);
        if (!state) continue;
        io.out(json ? JSON.stringify({ input: key.input, service: key.service, ...JSON.parse(describeState(state)) }) : `${key.input}/${key.service}: ${describeState(state)}`);
      }
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

export async function resetState(config: SiphonConfig, io: CliIo, input: string, service: string): Promise<number> {
  try {
    // Takes the lock: resetting under a running collector would be undone by its next commit.
    const store = await openStateStore(config.globals.persistence, { lock: true });
    try {
      const deleted = await store.delete({ input, service });
      io.out(deleted ? `State of ${input}/${service} deleted: it starts again from its configured start time.` : `No state saved for ${input}/${service}.`);
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
