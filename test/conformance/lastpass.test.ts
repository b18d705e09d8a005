// LastPass through the shared connector conformance suite. Its events have no ids: keys are
// the content, numbered among identical events (the suite's contentKeyed mode).
import { startLastPassSimulator, type LastPassEvent } from '../../src/simulators/lastpass/index.js';
import { conformanceSuite, type ConformanceSimulator } from './suite.js';

const HOUR_MS = 3_600_000;

/** The content of an event as served (the field order is the API's). */
export function lastPassContent(event: Record<string, unknown>): string {
  const { Time, Username, IP_Address, Action, Data } = event;
  return JSON.stringify([Time, Username, IP_Address, Action, Data]);
}

conformanceSuite({
  name: 'lastpass',
  pageSize: 40,
  contentKeyed: true,
  revokedMessage: /\[SetupError 102\] Failed to fetch data from http:\/\/127\.0\.0\.1:\d+\/enterpriseapi\.php\. Source is not pullable\..*Authorization Error/,
  async start(): Promise<ConformanceSimulator> {
    const now = Date.now();
    const sim = await startLastPassSimulator({
      pageSize: 40,
      // Two days of history, ending a little before now; identical same-second events included.
      history: [{ from: now - 48 * HOUR_MS, to: now - 60_000, count: 1_000 }],
      identicalFraction: 0.05,
    });
    const hash = sim.provisioningHash;
    const start = new Date(now - 49 * HOUR_MS).toISOString().slice(0, 19).replace('T', ' ');
    return {
      env: { LASTPASS_PROVISIONING_HASH: hash },
      secrets: [hash],
      inputYaml: ({ rateLimitPerMinute }) => `  lastpass:
    id: 10001
    override_api_base_url: ${sim.url}
    credentials: {company_id: ${sim.companyId}, provisioning_hash: "\${env:LASTPASS_PROVISIONING_HASH}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    rate_limit: {requests_per_minute: ${rateLimitPerMinute ?? 6000}}
    services:
      reporting: {start_time_in_utc: "${start}", time_zone: ${sim.timeZone}, lag_in_seconds: 0, backfill_window_in_seconds: 43200}
`,
      expectedKeys: () => new Map([['reporting', sim.events().map((e: LastPassEvent) => lastPassContent({ ...e }))]]),
      keyOf: (_service, event) => lastPassContent(event),
      addEvents: () => {
        sim.addEvents(30);
        sim.addEvents(10, { late: true });
        sim.addEvents(2, { identical: true });
      },
      slowResponses: (ms) => sim.faults.slowResponses(ms),
      rateLimitNext: (n) => sim.faults.rateLimitNext(n, { retryAfterSeconds: 1 }),
      requestTimes: () => sim.stats().requestTimes,
      revokeCredentials: () => sim.faults.revokeCredentials(),
      resetFaults: () => sim.faults.reset(),
      close: () => sim.close(),
    };
  },
});
