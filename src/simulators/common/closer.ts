// close() for a simulator: stop adding events, end pending slow-response waits (so no
// request hangs on), then close the server. Repeat calls share the first close.

import type { Delays } from './delays.js';
import type { JsonServer } from './http-server.js';

export function simulatorCloser(stopFeed: () => void, delays: Delays, server: JsonServer): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= (async () => {
      stopFeed();
      delays.cancelAll();
      await server.close();
    })();
    return closed;
  };
}
