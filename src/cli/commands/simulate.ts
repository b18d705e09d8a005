// `siphon simulate <vendor> [--port N]`: one vendor simulator on its own, until Ctrl-C.
import { EXIT } from '../../core/errors.js';
import { startOnePasswordSimulator } from '../../simulators/onepassword/index.js';
import type { CliIo } from '../io.js';

export interface SimulateOptions {
  port: number;
  token?: string;
  events?: number;
  liveEventsPerSecond: number;
  rateLimit: boolean;
  signal: AbortSignal;
}

export const SIMULATED_VENDORS = ['onepassword'] as const;

export async function runSimulator(vendor: string, options: SimulateOptions, io: CliIo): Promise<number> {
  if (vendor !== 'onepassword') {
    io.err(`Unknown simulator "${vendor}". Available: ${SIMULATED_VENDORS.join(', ')}`);
    return EXIT.FAILURE;
  }
  const n = options.events;
  const simulator = await startOnePasswordSimulator({
    port: options.port,
    tokens: options.token ? [{ token: options.token, features: ['auditevents', 'itemusages', 'signinattempts'] }] : undefined,
    initialEvents: n === undefined ? undefined : { auditevents: n, itemusages: n, signinattempts: n },
    liveEventsPerSecond: options.liveEventsPerSecond,
    rateLimit: options.rateLimit ? undefined : false,
  });
  io.out(JSON.stringify({ vendor, url: simulator.url, port: simulator.port, tokens: simulator.tokens }));
  io.err(`1Password Events API simulator listening on ${simulator.url} (faults: POST ${simulator.url}/__sim/faults, stats: GET ${simulator.url}/__sim/stats). Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await simulator.close();
  return EXIT.OK;
}
