// An input's heartbeat: a small event with its own tag, sent to the outputs every N seconds,
// so a SIEM can alert on its absence (the one alarm that still fires when the collector,
// its host or its network is gone). It is not a vendor event: nothing is checkpointed.

import type { Clock, OutputRecord } from './contracts.js';
import type { Delivery } from './delivery.js';

export interface HeartbeatOptions {
  input: string;
  tag: string;
  intervalMs: number;
  collectorName: string;
  version: string;
  /** What the heartbeat says of the input's streams (their states), read when it is sent. */
  describe: () => Record<string, unknown>;
  delivery: Pick<Delivery, 'submit'>;
  clock: Clock;
}

export class Heartbeat {
  constructor(private readonly o: HeartbeatOptions) {}

  /** One heartbeat every interval until `signal` aborts; each waits for the outputs before the next. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, intervalMs } = this.o;
    while (!signal.aborted) {
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
      try {
        const submission = await this.o.delivery.submit([this.record()]);
        await submission.acked;
      } catch {
        // Outputs refusing (at a stop's deadline): the next beat tries again, or the stop ends it.
      }
    }
  }

  private record(): OutputRecord {
    const { input, tag, collectorName, version, clock } = this.o;
    const event = { siphon_heartbeat: { collector: collectorName, version, input, at: new Date(clock.now()).toISOString(), streams: this.o.describe() } };
    return { tag, input, service: 'heartbeat', event, eventJson: JSON.stringify(event) };
  }
}
