// Okta's simulator kit: what `siphon demo`, `siphon simulate okta`, the conformance suite and
// the bench need of the System Log simulator (/api/v1/logs, /oauth2/v1/token). Inputs read it
// with an SSWS API token; the service app's client id and private key are in the description.

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { chosenStreams, renderInput, rfc3339, streamOptions } from '../common/input-yaml.js';
import { addRecentAndLate, BENCH_START_AGO_MS, benchHistory, commonControls, CONFORMANCE_HISTORY_MS, conformanceHistory, generatedLogOptions } from '../common/kit-parts.js';
import { startOktaSimulator } from './index.js';
import type { OktaSimulator } from './types.js';

const TOKEN_ENV = 'OKTA_API_TOKEN';
/** Okta keeps 90 days: the bare client asks for all of it. */
const BASELINE_FROM_AGO_MS = 89 * 86_400_000;

/** `baselineFrom`: where the bare client's polling request starts (ms since the epoch). */
function simulated(sim: OktaSimulator, baselineFrom = Date.now() - BASELINE_FROM_AGO_MS): SimulatedVendor {
  const token = sim.apiTokens[0] ?? '';
  return {
    url: sim.url,
    port: sim.port,
    description: {
      vendor: 'okta',
      url: sim.url,
      port: sim.port,
      api_token: token,
      client_id: sim.serviceApp.clientId,
      key_id: sim.serviceApp.keyId,
      scope: sim.serviceApp.grantedScopes.join(' '),
      private_key_pem: sim.privateKeyPem ?? null,
    },
    banner: `Okta System Log simulator (/api/v1/logs, /oauth2/v1/token) listening on ${sim.url} (faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
    inputYaml: (block: InputBlock) =>
      renderInput(block, {
        type: 'okta',
        settings: { okta_url: sim.url, credentials: { api_token: `\${env:${TOKEN_ENV}}` } },
        streams: Object.fromEntries(
          chosenStreams(block, ['system_log']).map((stream) => [
            stream,
            {
              start_time_value: rfc3339(block.startMs),
              ...streamOptions(block, { pageSize: 'page_size' }),
              ...(block.showcase ? { obfuscation: [{ path: 'client.ipAddress', method: 'mask' }] } : {}),
            },
          ]),
        ),
      }),
    env: { [TOKEN_ENV]: token },
    secrets: [token],
    expectedKeys: () => new Map([['system_log', sim.events().map((e) => String(e['uuid']))]]),
    keyOf: (_stream, event) => String(event['uuid']),
    // The late ones are published earlier but written now: polling serves them after what was delivered.
    addEvents: () => addRecentAndLate(sim),
    rateLimitNext: (n) => sim.faults.rateLimitNext(n, { retryAfterSeconds: 1 }),
    revokeCredentials: () => {
      sim.faults.revokeApiTokens();
      sim.faults.expireAccessTokensNow();
      sim.faults.rotateServiceAppKey();
    },
    baselineArgs: () => [sim.url, token, rfc3339(baselineFrom)],
    ...commonControls(sim),
  };
}

export const oktaKit: SimulatorKit = {
  name: 'okta',
  displayName: 'Okta',
  async start(options) {
    const sim = await startOktaSimulator({
      ...(options.secret === undefined ? {} : { apiTokens: [options.secret] }),
      ...generatedLogOptions(options),
    });
    return simulated(sim);
  },
  conformance: {
    historyMs: CONFORMANCE_HISTORY_MS,
    pageSize: 40,
    // Polling serves events in the order Okta wrote them, late ones included: the order is exact.
    order: 'exact',
    revokedMessage: /\[SetupError 100\] Okta refused the API token \(HTTP 401 E0000011: Invalid token provided\)/,
    async start() {
      return simulated(await startOktaSimulator({ history: conformanceHistory(900) }));
    },
  },
  bench: {
    title: (events) => `Okta System Log, ${events} events over 7 days (pages of 1,000, API token)`,
    async start(events) {
      const { from, history } = benchHistory(events);
      const sim = await startOktaSimulator({ history, rateLimit: false });
      return simulated(sim, from - 60_000);
    },
    input: { startMs: Date.now() - BENCH_START_AGO_MS, pageSize: 1000, rateLimit: false },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
