// Kiteworks's simulator kit: what `siphon demo`, `siphon simulate kiteworks`, the conformance
// suite and the bench need of the simulator (/oauth/token, /rest/admin/activities), with the
// signature flow.

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { addRecentAndLate, BENCH_START_AGO_MS, benchHistory, commonControls, CONFORMANCE_HISTORY_MS, conformanceHistory, generatedLogOptions } from '../common/kit-parts.js';
import { chosenStreams, renderInput, rfc3339, streamOptions } from '../common/input-yaml.js';
import { startKiteworksSimulator } from './index.js';
import type { KiteworksSimulator } from './types.js';

const SECRET_ENV = 'KITEWORKS_CLIENT_SECRET';
const SIGNATURE_ENV = 'KITEWORKS_SIGNATURE_KEY';

/** `baseline`: the time range the bare client asks for (ms since the epoch). */
function simulated(sim: KiteworksSimulator, baseline: { from: number; to: number } = { from: 0, to: Date.now() }): SimulatedVendor {
  // The client as registered now; rotating its secret makes these stale, which is the point.
  const client = sim.client;
  const signatureKey = client.signatureKey ?? '';
  const userEmail = client.users?.[0] ?? '';
  return {
    url: sim.url,
    port: sim.port,
    description: {
      vendor: 'kiteworks',
      url: sim.url,
      port: sim.port,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      signature_key: signatureKey,
      user_email: userEmail,
      redirect_uri: client.redirectUri,
      refresh_token: sim.issueRefreshToken(),
    },
    banner: `Kiteworks simulator (/oauth/token, /rest/admin/activities) listening on ${sim.url} (faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
    inputYaml: (block: InputBlock) =>
      renderInput(block, {
        type: 'kiteworks',
        settings: {
          api_base_url: sim.url,
          credentials: {
            client_id: client.clientId,
            client_secret: `\${env:${SECRET_ENV}}`,
            signature_key: `\${env:${SIGNATURE_ENV}}`,
            user_email: userEmail,
            redirect_uri: client.redirectUri,
          },
        },
        streams: Object.fromEntries(
          chosenStreams(block, ['admin']).map((stream) => [
            stream,
            { historical_poll_datetime: rfc3339(block.startMs), ...streamOptions(block, { pageSize: 'event_fetch_limit_in_items', lag: 'lag_in_seconds' }) },
          ]),
        ),
      }),
    env: { [SECRET_ENV]: client.clientSecret, [SIGNATURE_ENV]: signatureKey },
    secrets: [client.clientSecret, signatureKey],
    expectedKeys: () => new Map([['admin', sim.events('events').map((e) => String(e['id']))]]),
    keyOf: (_stream, event) => String(event['id']),
    addEvents: () => addRecentAndLate(sim),
    rateLimitNext: (n) => sim.faults.rateLimitNext(n),
    revokeCredentials: () => void sim.faults.rotateClientSecret(),
    baselineArgs: () => [sim.url, client.clientId, client.clientSecret, sim.issueRefreshToken(), rfc3339(baseline.from), rfc3339(baseline.to)],
    ...commonControls(sim),
  };
}

export const kiteworksKit: SimulatorKit = {
  name: 'kiteworks',
  displayName: 'Kiteworks',
  async start(options) {
    const sim = await startKiteworksSimulator({
      ...(options.secret === undefined ? {} : { client: { clientSecret: options.secret } }),
      ...generatedLogOptions(options),
    });
    return simulated(sim);
  },
  conformance: {
    historyMs: CONFORMANCE_HISTORY_MS,
    pageSize: 40,
    // Late activities land before ones already delivered: compared as a set.
    order: 'unordered',
    revokedMessage: /\[SetupError 100\] Kiteworks refused the signature flow \(HTTP 400 invalid_client/,
    async start() {
      return simulated(await startKiteworksSimulator({ history: conformanceHistory(900) }));
    },
  },
  bench: {
    title: (events) => `Kiteworks admin activities, ${events} events over 7 days (pages of 1,000, signature flow)`,
    async start(events) {
      const { from: start, to: end, history } = benchHistory(events);
      const sim = await startKiteworksSimulator({ history, rateLimit: false });
      return simulated(sim, { from: start - 60_000, to: end + 60_000 });
    },
    input: { startMs: Date.now() - BENCH_START_AGO_MS, rateLimit: false },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
