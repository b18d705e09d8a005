// LastPass's simulator kit: what `siphon demo`, `siphon simulate lastpass`, the conformance
// suite and the bench need of the Enterprise API simulator. Its events have no ids: keys are
// their content (numbered among identical events by the conformance suite).

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { addRecentAndLate, BENCH_START_AGO_MS, benchHistory, commonControls, CONFORMANCE_HISTORY_MS, conformanceHistory, generatedLogOptions } from '../common/kit-parts.js';
import { chosenStreams, renderInput, spaced, streamOptions } from '../common/input-yaml.js';
import { startLastPassSimulator } from './index.js';
import type { LastPassSimulator } from './types.js';

const HASH_ENV = 'LASTPASS_PROVISIONING_HASH';

/** The content of an event as served (the field order is the API's). */
function content(event: Readonly<Record<string, unknown>>): string {
  const { Time, Username, IP_Address, Action, Data } = event;
  return JSON.stringify([Time, Username, IP_Address, Action, Data]);
}

/** `extra`: stream settings a setup always adds (the conformance suite's narrow back-fill windows). */
function simulated(sim: LastPassSimulator, extra: { rateLimit?: number; stream?: Record<string, unknown> } = {}): SimulatedVendor {
  // The hash the block names; revoking it makes it stale, which is the point.
  const hash = sim.provisioningHash;
  return {
    url: sim.url,
    port: sim.port,
    description: { vendor: 'lastpass', url: sim.url, port: sim.port, company_id: sim.companyId, provisioning_hash: hash, time_zone: sim.timeZone },
    banner:
      `LastPass Enterprise API simulator listening on ${sim.url}/enterpriseapi.php (account zone ${sim.timeZone}; ` +
      `faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
    inputYaml: (block: InputBlock) =>
      renderInput(
        { ...block, rateLimit: block.rateLimit ?? extra.rateLimit },
        {
          type: 'lastpass',
          settings: { override_api_base_url: sim.url, credentials: { company_id: sim.companyId, provisioning_hash: `\${env:${HASH_ENV}}` } },
          streams: Object.fromEntries(
            chosenStreams(block, ['reporting']).map((stream) => [
              stream,
              {
                start_time_in_utc: spaced(block.startMs),
                time_zone: sim.timeZone,
                ...streamOptions(block, { lag: 'lag_in_seconds' }),
                ...extra.stream,
                ...(block.showcase ? { obfuscation: [{ path: 'IP_Address', method: 'mask' }] } : {}),
              },
            ]),
          ),
        },
      ),
    env: { [HASH_ENV]: hash },
    secrets: [hash],
    expectedKeys: () => new Map([['reporting', sim.events().map((e) => content({ ...e }))]]),
    keyOf: (_stream, event) => content(event),
    addEvents: () => {
      addRecentAndLate(sim);
      sim.addEvents(2, { identical: true });
    },
    rateLimitNext: (n) => sim.faults.rateLimitNext(n, { retryAfterSeconds: 1 }),
    revokeCredentials: () => void sim.faults.revokeCredentials(),
    baselineArgs: () => [sim.url, String(sim.companyId), hash, sim.timeZone],
    ...commonControls(sim),
  };
}

export const lastPassKit: SimulatorKit = {
  name: 'lastpass',
  displayName: 'LastPass',
  async start(options) {
    const sim = await startLastPassSimulator({
      ...(options.secret === undefined ? {} : { provisioningHash: options.secret }),
      ...generatedLogOptions(options),
    });
    return simulated(sim);
  },
  conformance: {
    historyMs: CONFORMANCE_HISTORY_MS,
    pageSize: 40,
    order: 'content',
    revokedMessage: /\[SetupError 102\] Failed to fetch data from http:\/\/127\.0\.0\.1:\d+\/enterpriseapi\.php\. Source is not pullable\..*Authorization Error/,
    async start() {
      const sim = await startLastPassSimulator({
        pageSize: 40,
        // Identical same-second events included.
        history: conformanceHistory(1_000),
        identicalFraction: 0.05,
      });
      // LastPass's default budget (60 a minute) would make the suite slow; half-day windows make many pages.
      return simulated(sim, { rateLimit: 6000, stream: { backfill_window_in_seconds: 43_200 } });
    },
  },
  bench: {
    title: (events) => `LastPass reporting, ${events} events over 7 days (pages of 10,000; Siphon in its default one-day windows)`,
    async start(events) {
      return simulated(await startLastPassSimulator({ history: benchHistory(events).history, rateLimit: false }));
    },
    input: { startMs: Date.now() - BENCH_START_AGO_MS, rateLimit: false },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
