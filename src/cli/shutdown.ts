// SIGINT/SIGTERM stop gracefully: the first signal aborts pulling (queued events get the
// shutdown deadline to reach the outputs, and their pages are committed); a second one forces the exit.
import type { CliIo } from './io.js';

export function abortOnSignals(io: CliIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      io.err(`Received ${name}: stopping (queued events are delivered and committed, within the shutdown deadline; press Ctrl-C again to force)`);
      controller.abort(new Error(`stopped by ${name}`));
    } else {
      io.err(`Received ${name} again: exiting now`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
