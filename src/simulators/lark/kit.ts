// Lark's simulator kit: what `siphon demo`, `siphon simulate lark`, the conformance suite and
// the bench need of the Open Platform simulator (tenant_access_token, admin/v1/audit_infos).

import type { InputBlock, SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { addRecentAndLate, BENCH_START_AGO_MS, benchHistory, commonControls, CONFORMANCE_HISTORY_MS, conformanceHistory, generatedLogOptions } from '../common/kit-parts.js';
import { chosenStreams, renderInput, rfc3339, streamOptions } from '../common/input-yaml.js';
import { startLarkSimulator } from './index.js';
import type { LarkSimulator } from './types.js';

const SECRET_ENV = 'LARK_APP_SECRET';

/** `baseline`: the time range the bare client asks for (epoch seconds). */
function simulated(sim: LarkSimulator, baseline: { oldest: number; latest: number } = { oldest: 0, latest: Math.floor(Date.now() / 1000) }): SimulatedVendor {
  // The secret the block names; rotating it makes it stale, which is the point.
  const secret = sim.appSecret;
  return {
    url: sim.url,
    port: sim.port,
    description: { vendor: 'lark', url: sim.url, port: sim.port, app_id: sim.appId, app_secret: secret },
    banner:
      `Lark Open Platform simulator (tenant_access_token, admin/v1/audit_infos) listening on ${sim.url} ` +
      `(faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
    inputYaml: (block: InputBlock) =>
      renderInput(block, {
        type: 'lark',
        settings: { override_api_base_url: sim.url, credentials: { app_id: sim.appId, app_secret: `\${env:${SECRET_ENV}}` } },
        streams: Object.fromEntries(
          chosenStreams(block, ['audit_infos']).map((stream) => [
            stream,
            { initial_start_time_in_utc_value: rfc3339(block.startMs), ...streamOptions(block, { pageSize: 'page_size', lag: 'lag_in_seconds' }) },
          ]),
        ),
      }),
    env: { [SECRET_ENV]: secret },
    secrets: [secret],
    expectedKeys: () => new Map([['audit_infos', sim.events().map((e) => String(e['unique_id']))]]),
    keyOf: (_stream, event) => String(event['unique_id']),
    addEvents: () => addRecentAndLate(sim),
    rateLimitNext: (n) => sim.faults.rateLimitNext(n, { resetSeconds: 1 }),
    revokeCredentials: () => void sim.faults.rotateSecret(),
    baselineArgs: () => [sim.url, sim.appId, secret, String(baseline.oldest), String(baseline.latest)],
    ...commonControls(sim),
  };
}

export const larkKit: SimulatorKit = {
  name: 'lark',
  displayName: 'Lark',
  async start(options) {
    const sim = await startLarkSimulator({
      ...(options.secret === undefined ? {} : { appSecret: options.secret }),
      ...generatedLogOptions(options),
    });
    return simulated(sim);
  },
  conformance: {
    historyMs: CONFORMANCE_HISTORY_MS,
    pageSize: 40,
    // Windows are served newest first: compared as a set.
    order: 'unordered',
    revokedMessage: /\[SetupError 100\] HTTP error occurred while generating auth token from Lark server \(HTTP 400, code 10014/,
    async start() {
      return simulated(await startLarkSimulator({ history: conformanceHistory(900) }));
    },
  },
  bench: {
    title: (events) => `Lark audit_infos, ${events} events over 7 days (pages of 200, the API's maximum)`,
    async start(events) {
      const { from: start, to: end, history } = benchHistory(events);
      const sim = await startLarkSimulator({ history, rateLimit: false });
      return simulated(sim, { oldest: Math.floor(start / 1000) - 60, latest: Math.floor(end / 1000) + 60 });
    },
    input: { startMs: Date.now() - BENCH_START_AGO_MS, rateLimit: false },
    baseline: new URL('./baseline.js', import.meta.url),
  },
};
