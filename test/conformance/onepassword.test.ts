// 1Password through the shared connector conformance suite.
import { startOnePasswordSimulator, type OnePasswordEventKind } from '../../src/simulators/onepassword/index.js';
import { conformanceSuite, type ConformanceSimulator } from './suite.js';

const SERVICES: Record<string, OnePasswordEventKind> = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' };

conformanceSuite({
  name: 'onepassword',
  pageSize: 50,
  revokedMessage: /\[SetupError 100\] The 1Password token was rejected/,
  async start(): Promise<ConformanceSimulator> {
    const token = `op-conformance-${Math.random().toString(36).slice(2)}-token`;
    const sim = await startOnePasswordSimulator({
      tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 230, itemusages: 610, signinattempts: 140 },
    });
    return {
      env: { OP_EVENTS_TOKEN: token },
      secrets: [token],
      inputYaml: ({ pageSize, rateLimitPerMinute }) => `  onepassword:
    id: 10001
    base_url: ${sim.url}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
${rateLimitPerMinute ? `    rate_limit: {requests_per_minute: ${rateLimitPerMinute}}\n` : ''}    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${pageSize}}
      item_usage: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${pageSize}}
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${pageSize}}
`,
      expectedKeys: () => new Map(Object.entries(SERVICES).map(([service, kind]) => [service, sim.events(kind).map((e) => String(e['uuid']))])),
      keyOf: (_service, event) => String(event['uuid']),
      addEvents: () => {
        sim.addEvents('auditevents', 25);
        sim.addEvents('itemusages', 30, { late: true });
        sim.addEvents('signinattempts', 5);
      },
      slowResponses: (ms) => sim.faults.slowResponses(ms),
      rateLimitNext: (n) => sim.faults.rateLimitNext(n, { retryAfterSeconds: 1 }),
      requestTimes: () => sim.stats().requestTimes,
      revokeCredentials: () => sim.faults.revokeToken(token),
      resetFaults: () => sim.faults.reset(),
      close: () => sim.close(),
    };
  },
});
