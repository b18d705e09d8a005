// Lark through the shared connector conformance suite. Windows are served newest first, so
// delivery is compared as a set (unordered mode); keys are unique_id.
import { startLarkSimulator } from '../../src/simulators/lark/index.js';
import { conformanceSuite, type ConformanceSimulator } from './suite.js';

const HOUR_MS = 3_600_000;

conformanceSuite({
  name: 'lark',
  pageSize: 40,
  unordered: true,
  revokedMessage: /\[SetupError 100\] HTTP error occurred while generating auth token from Lark server \(HTTP 400, code 10014/,
  async start(): Promise<ConformanceSimulator> {
    const now = Date.now();
    const sim = await startLarkSimulator({ history: [{ from: now - 48 * HOUR_MS, to: now - 60_000, count: 900 }] });
    const secret = sim.appSecret;
    const start = new Date(now - 49 * HOUR_MS).toISOString().slice(0, 19);
    return {
      env: { LARK_APP_SECRET: secret },
      secrets: [secret],
      inputYaml: ({ pageSize, rateLimitPerMinute }) => `  lark:
    id: 964383
    override_api_base_url: ${sim.url}
    credentials: {app_id: ${sim.appId}, app_secret: "\${env:LARK_APP_SECRET}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
${rateLimitPerMinute ? `    rate_limit: {requests_per_minute: ${rateLimitPerMinute}}\n` : ''}    services:
      audit_infos: {initial_start_time_in_utc_value: "${start}Z", page_size: ${pageSize}, lag_in_seconds: 0}
`,
      expectedKeys: () => new Map([['audit_infos', sim.events().map((e) => String(e['unique_id']))]]),
      keyOf: (_service, event) => String(event['unique_id']),
      addEvents: () => {
        sim.addEvents(30);
        sim.addEvents(10, { late: true });
      },
      slowResponses: (ms) => sim.faults.slowResponses(ms),
      rateLimitNext: (n) => sim.faults.rateLimitNext(n, { resetSeconds: 1 }),
      requestTimes: () => sim.stats().requestTimes,
      revokeCredentials: () => void sim.faults.rotateSecret(),
      resetFaults: () => sim.faults.reset(),
      close: () => sim.close(),
    };
  },
});
