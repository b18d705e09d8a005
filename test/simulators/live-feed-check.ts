// The live-feed check of the simulators with one event log: started with no history and a
// fast feed, a simulator must gain events on its own, and close() must stop the feed.

import assert from 'node:assert/strict';

interface FedSimulator {
  events(): unknown[];
  close(): Promise<void>;
}

export async function assertLiveFeedAddsEvents(start: () => Promise<FedSimulator>, want = 10): Promise<void> {
  const sim = await start();
  try {
    const deadline = Date.now() + 60_000;
    while (sim.events().length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(sim.events().length >= want);
  } finally {
    await sim.close();
  }
}
