// 1Password's simulator kit: what `siphon demo`, `siphon simulate onepassword`, the
// conformance suite and the bench need of the Events API simulator.

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { commonControls } from '../common/kit-parts.js';
import { chosenStreams, renderInput, rfc3339, streamOptions } from '../common/input-yaml.js';
import { startOnePasswordSimulator } from './index.js';
import type { OnePasswordEventKind, OnePasswordSimulator } from './types.js';

const STREAMS: Readonly<Record<string, OnePasswordEventKind>> = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' };
const ALL_FEATURES: OnePasswordEventKind[] = ['auditevents', 'itemusages', 'signinattempts'];
const TOKEN_ENV = 'ONEPASSWORD_EVENTS_TOKEN';
const DAY_MS = 86_400_000;

function simulated(sim: OnePasswordSimulator, token: string): SimulatedVendor {
  return {
    url: sim.url,
    port: sim.port,
    description: { vendor: 'onepassword', url: sim.url, port: sim.port, tokens: sim.tokens },
    banner: `1Password Events API simulator listening on ${sim.url} (faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
    inputYaml: (block: InputBlock) =>
      renderInput(block, {
        type: 'onepassword',
        settings: { base_url: sim.url, credentials: { token: `\${env:${TOKEN_ENV}}` } },
        streams: Object.fromEntries(
          chosenStreams(block, Object.keys(STREAMS)).map((stream) => [
            stream,
            {
              start_time_value: rfc3339(block.startMs),
              ...streamOptions(block, { pageSize: 'page_size' }),
              ...(block.showcase && stream === 'item_usage' ? { obfuscation: [{ path: 'client.ip_address', method: 'mask' }] } : {}),
            },
          ]),
        ),
      }),
    env: { [TOKEN_ENV]: token },
    secrets: [token],
    expectedKeys: () => new Map(Object.entries(STREAMS).map(([stream, kind]) => [stream, sim.events(kind).map((e) => String(e['uuid']))])),
    keyOf: (_stream, event) => String(event['uuid']),
    addEvents: () => {
      sim.addEvents('auditevents', 25);
      sim.addEvents('itemusages', 30, { late: true });
      sim.addEvents('signinattempts', 5);
    },
    rateLimitNext: (n) => sim.faults.rateLimitNext(n, { retryAfterSeconds: 1 }),
    revokeCredentials: () => sim.faults.revokeToken(token),
    baselineArgs: () => [sim.url, token, 'itemusages'],
    ...commonControls(sim),
  };
}

/** The bench's simulator: `events` item usages over 100 days, no rate limit; `sim` too, for the soak's own checks. */
export async function startBenchSimulator(events: number): Promise<{ vendor: SimulatedVendor; sim: OnePasswordSimulator }> {
  const token = 'bench-token-0123456789';
  const sim = await startOnePasswordSimulator({
    tokens: [{ token, features: ALL_FEATURES }],
    initialEvents: { auditevents: 0, itemusages: events, signinattempts: 0 },
    historyMs: 100 * DAY_MS,
    rateLimit: false,
  });
  return { vendor: simulated(sim, token), sim };
}

function newToken(): string {
  return `op-sim-${Math.random().toString(36).slice(2)}-token`;
}

export const onePasswordKit: SimulatorKit = {
  name: 'onepassword',
  displayName: '1Password',
  async start(options) {
    const token = options.secret ?? newToken();
    const n = options.events;
    const sim = await startOnePasswordSimulator({
      ...(options.port === undefined ? {} : { port: options.port }),
      tokens: [{ token, features: ALL_FEATURES }],
      ...(n === undefined ? {} : { initialEvents: { auditevents: n, itemusages: n, signinattempts: n } }),
      ...(options.historyMs === undefined ? {} : { historyMs: options.historyMs }),
      liveEventsPerSecond: options.liveEventsPerSecond ?? 0,
      ...(options.rateLimit === false ? { rateLimit: false } : {}),
    });
    return simulated(sim, token);
  },
  conformance: {
    historyMs: 7 * DAY_MS,
    pageSize: 50,
    order: 'exact',
    revokedMessage: /\[SetupError 100\] The 1Password token was rejected/,
    async start() {
      const token = newToken();
      const sim = await startOnePasswordSimulator({
        tokens: [{ token, features: ALL_FEATURES }],
        initialEvents: { auditevents: 230, itemusages: 610, signinattempts: 140 },
      });
      return simulated(sim, token);
    },
  },
  bench: {
    title: (events) => `1Password item usage, ${events} events (pages of 1,000)`,
    start: async (events) => (await startBenchSimulator(events)).vendor,
    input: { startMs: Date.parse('2000-01-01T00:00:00Z'), pageSize: 1000, rateLimit: false, streams: ['item_usage'] },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
