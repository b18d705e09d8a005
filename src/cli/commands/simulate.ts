// `siphon simulate <vendor> [--port N]`: one vendor simulator on its own, until Ctrl-C.
// The vendors are those of the plug-in list (src/app/vendors.ts).
import { VENDORS } from '../../app/registry.js';
import { EXIT } from '../../core/errors.js';
import type { CliIo } from '../io.js';

export interface SimulateOptions {
  port: number;
  token?: string;
  events?: number;
  liveEventsPerSecond: number;
  rateLimit: boolean;
  signal: AbortSignal;
}

/** The names `siphon simulate` takes: each vendor's connector type. */
export const SIMULATED_VENDORS = VENDORS.map((vendor) => vendor.type);

export async function runSimulator(name: string, options: SimulateOptions, io: CliIo): Promise<number> {
  const vendor = VENDORS.find((v) => v.type === name);
  if (!vendor) {
    io.err(`Unknown simulator "${name}". Available: ${SIMULATED_VENDORS.join(', ')}`);
    return EXIT.FAILURE;
  }
  const kit = await vendor.simulator();
  const simulator = await kit.start({
    port: options.port,
    ...(options.token ? { secret: options.token } : {}),
    ...(options.events === undefined ? {} : { events: options.events }),
    liveEventsPerSecond: options.liveEventsPerSecond,
    rateLimit: options.rateLimit,
  });
  // The input block that reads it (a day back, polling every 10 s) and the environment it needs: paste both.
  const input = simulator.inputYaml({ name: vendor.type, startMs: Date.now() - 86_400_000, requestPeriodSeconds: 10 });
  io.out(JSON.stringify({ ...simulator.description, input_yaml: input, env: simulator.env }));
  io.err(simulator.banner);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await simulator.close();
  return EXIT.OK;
}
