// Kiteworks's simulator kit: what `siphon demo`, `siphon simulate kiteworks`, the conformance
// suite and the bench need of the simulator (/oauth/token, /rest/admin/activities), with the
// signature flow.

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { chosenStreams, renderInput, rfc3339, streamOptions } from '../common/input-yaml.js';
import { startKiteworksSimulator } from './index.js';
import type { KiteworksSimulator } from './types.js';

const SECRET_ENV = 'KITEWORKS_CLIENT_SECRET';
const SIGNATURE_ENV = 'KITEWORKS_SIGNATURE_KEY';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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
    addEvents: () => {
      sim.addEvents(30);
      sim.addEvents(10, { late: true });
    },
    slowResponses: (ms) => sim.faults.slowResponses(ms),
    rateLimitNext: (n) => sim.faults.rateLimitNext(n),
    requestTimes: () => sim.stats().requestTimes,
    revokeCredentials: () => void sim.faults.rotateClientSecret(),
    resetFaults: () => sim.faults.reset(),
    baselineArgs: () => [sim.url, client.clientId, client.clientSecret, sim.issueRefreshToken(), rfc3339(baseline.from), rfc3339(baseline.to)],
    close: () => sim.close(),
  };
}

export const kiteworksKit: SimulatorKit = {
  name: 'kiteworks',
  displayName: 'Kiteworks',
  async start(options) {
    const sim = await startKiteworksSimulator({
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.secret === undefined ? {} : { client: { clientSecret: options.secret } }),
      ...(options.events === undefined ? {} : { initialEvents: options.events }),
      ...(options.historyMs === undefined ? {} : { historyMs: options.historyMs }),
      liveEventsPerSecond: options.liveEventsPerSecond ?? 0,
      ...(options.rateLimit === false ? { rateLimit: false } : {}),
    });
    return simulated(sim);
  },
  conformance: {
    historyMs: 48 * HOUR_MS,
    pageSize: 40,
    // Late activities land before ones already delivered: compared as a set.
    order: 'unordered',
    revokedMessage: /\[SetupError 100\] Kiteworks refused the signature flow \(HTTP 400 invalid_client/,
    async start() {
      const now = Date.now();
      return simulated(await startKiteworksSimulator({ history: [{ from: now - 48 * HOUR_MS, to: now - 60_000, count: 900 }] }));
    },
  },
  bench: {
    title: (events) => `Kiteworks admin activities, ${events} events over 7 days (pages of 1,000, signature flow)`,
    async start(events) {
      const end = Date.now() - DAY_MS;
      const start = end - 7 * DAY_MS;
      const sim = await startKiteworksSimulator({ history: [{ from: start, to: end, count: events }], rateLimit: false });
      return simulated(sim, { from: start - 60_000, to: end + 60_000 });
    },
    input: { startMs: Date.now() - 9 * DAY_MS, rateLimit: false },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
