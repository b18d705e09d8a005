// Kiteworks through the shared connector conformance suite (signature flow, events shape).
import { startKiteworksSimulator } from '../../src/simulators/kiteworks/index.js';
import { conformanceSuite, type ConformanceSimulator } from './suite.js';

const HOUR_MS = 3_600_000;

conformanceSuite({
  name: 'kiteworks',
  pageSize: 40,
  // Late activities land before ones already delivered: compared as a set.
  unordered: true,
  revokedMessage: /\[SetupError 100\] Kiteworks refused the signature flow \(HTTP 400 invalid_client/,
  async start(): Promise<ConformanceSimulator> {
    const now = Date.now();
    const sim = await startKiteworksSimulator({ history: [{ from: now - 48 * HOUR_MS, to: now - 60_000, count: 900 }] });
    const client = sim.client;
    const start = new Date(now - 49 * HOUR_MS).toISOString().slice(0, 19);
    return {
      env: { KW_CLIENT_SECRET: client.clientSecret, KW_SIGNATURE_KEY: client.signatureKey ?? '' },
      secrets: [client.clientSecret, client.signatureKey ?? ''],
      inputYaml: ({ pageSize, rateLimitPerMinute }) => `  kiteworks:
    id: 5001
    api_base_url: ${sim.url}
    credentials:
      client_id: ${client.clientId}
      client_secret: "\${env:KW_CLIENT_SECRET}"
      signature_key: "\${env:KW_SIGNATURE_KEY}"
      user_email: ${client.users?.[0] ?? ''}
      redirect_uri: ${client.redirectUri}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
${rateLimitPerMinute ? `    rate_limit: {requests_per_minute: ${rateLimitPerMinute}}\n` : ''}    services:
      admin: {historical_poll_datetime: "${start}Z", event_fetch_limit_in_items: ${pageSize}, lag_in_seconds: 0}
`,
      expectedKeys: () => new Map([['admin', sim.events('events').map((e) => String(e['id']))]]),
      keyOf: (_service, event) => String(event['id']),
      addEvents: () => {
        sim.addEvents(30);
        sim.addEvents(10, { late: true });
      },
      slowResponses: (ms) => sim.faults.slowResponses(ms),
      rateLimitNext: (n) => sim.faults.rateLimitNext(n),
      requestTimes: () => sim.stats().requestTimes,
      revokeCredentials: () => void sim.faults.rotateClientSecret(),
      resetFaults: () => sim.faults.reset(),
      close: () => sim.close(),
    };
  },
});
