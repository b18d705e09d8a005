// The benchmark cases: one per connector. Each starts its simulator, then names the bare
// baseline to run against it and the Siphon configuration that pulls the same events.
import { join } from 'node:path';
import { startKiteworksSimulator } from '../src/simulators/kiteworks/index.js';
import { startLarkSimulator } from '../src/simulators/lark/index.js';
import { startLastPassSimulator } from '../src/simulators/lastpass/index.js';
import { startOnePasswordSimulator } from '../src/simulators/onepassword/index.js';

export interface RunningCase {
  /** What the table's title says. */
  readonly title: string;
  readonly events: number;
  /** The baseline child: script and arguments; it writes its NDJSON to the file given last. */
  readonly baseline: { script: string; args: string[] };
  /** Siphon's configuration (one file output at `<dir>/events.ndjson`). */
  siphonConfig(dir: string): string;
  close(): Promise<void>;
}

export interface BenchCase {
  readonly name: string;
  start(events: number): Promise<RunningCase>;
}

const DAY_MS = 86_400_000;

function globalsAndOutput(dir: string): string {
  return `globals:
  name: bench
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
outputs:
  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}
`;
}

const onePassword: BenchCase = {
  name: 'onepassword',
  async start(events) {
    const token = 'bench-token-0123456789';
    const sim = await startOnePasswordSimulator({
      tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 0, itemusages: events, signinattempts: 0 },
      historyMs: 100 * DAY_MS,
      rateLimit: false,
    });
    return {
      title: `1Password item usage, ${events} events (pages of 1,000)`,
      events,
      baseline: { script: 'dist/bench/baseline.js', args: [sim.url, token, 'itemusages'] },
      siphonConfig: (dir) => `${globalsAndOutput(dir)}inputs:
  onepassword:
    base_url: ${sim.url}
    credentials: {token: ${token}}
    rate_limit: {enabled: false}
    services:
      item_usage: {start_time_value: 2000-01-01T00:00:00Z, page_size: 1000}
`,
      close: () => sim.close(),
    };
  },
};

const lastPass: BenchCase = {
  name: 'lastpass',
  async start(events) {
    const end = Date.now() - DAY_MS;
    const start = end - 7 * DAY_MS;
    const sim = await startLastPassSimulator({ history: [{ from: start, to: end, count: events }], rateLimit: false });
    const from = new Date(start - DAY_MS).toISOString().slice(0, 19).replace('T', ' ');
    return {
      title: `LastPass reporting, ${events} events over 7 days (pages of 10,000; Siphon in its default one-day windows)`,
      events,
      baseline: { script: 'dist/bench/baseline-lastpass.js', args: [sim.url, String(sim.companyId), sim.provisioningHash, sim.timeZone] },
      siphonConfig: (dir) => `${globalsAndOutput(dir)}inputs:
  lastpass:
    override_api_base_url: ${sim.url}
    credentials: {company_id: ${sim.companyId}, provisioning_hash: ${sim.provisioningHash}}
    rate_limit: {enabled: false}
    services:
      reporting: {start_time_in_utc: "${from}", time_zone: ${sim.timeZone}}
`,
      close: () => sim.close(),
    };
  },
};

const lark: BenchCase = {
  name: 'lark',
  async start(events) {
    const end = Date.now() - DAY_MS;
    const start = end - 7 * DAY_MS;
    const sim = await startLarkSimulator({ history: [{ from: start, to: end, count: events }], rateLimit: false });
    return {
      title: `Lark audit_infos, ${events} events over 7 days (pages of 200, the API's maximum)`,
      events,
      baseline: { script: 'dist/bench/baseline-lark.js', args: [sim.url, sim.appId, sim.appSecret, String(Math.floor(start / 1000) - 60), String(Math.floor(end / 1000) + 60)] },
      siphonConfig: (dir) => `${globalsAndOutput(dir)}inputs:
  lark:
    override_api_base_url: ${sim.url}
    credentials: {app_id: ${sim.appId}, app_secret: ${sim.appSecret}}
    rate_limit: {enabled: false}
    services:
      audit_infos: {initial_start_time_in_utc_value: "${new Date(start - DAY_MS).toISOString().slice(0, 19)}Z"}
`,
      close: () => sim.close(),
    };
  },
};

const kiteworks: BenchCase = {
  name: 'kiteworks',
  async start(events) {
    const end = Date.now() - DAY_MS;
    const start = end - 7 * DAY_MS;
    const sim = await startKiteworksSimulator({ history: [{ from: start, to: end, count: events }], rateLimit: false });
    const c = sim.client;
    const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    return {
      title: `Kiteworks admin activities, ${events} events over 7 days (pages of 1,000, signature flow)`,
      events,
      baseline: { script: 'dist/bench/baseline-kiteworks.js', args: [sim.url, c.clientId, c.clientSecret, sim.issueRefreshToken(), iso(start - 60_000), iso(end + 60_000)] },
      siphonConfig: (dir) => `${globalsAndOutput(dir)}inputs:
  kiteworks:
    api_base_url: ${sim.url}
    credentials: {client_id: ${c.clientId}, client_secret: ${c.clientSecret}, signature_key: ${c.signatureKey ?? ''}, user_email: ${c.users?.[0] ?? ''}, redirect_uri: ${c.redirectUri}}
    rate_limit: {enabled: false}
    services:
      admin: {historical_poll_datetime: "${iso(start - DAY_MS)}"}
`,
      close: () => sim.close(),
    };
  },
};

export const BENCH_CASES: readonly BenchCase[] = [onePassword, lastPass, lark, kiteworks];
