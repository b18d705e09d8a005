// The benchmark cases: one per connector (into a file), and one per network output (the
// 1Password case again, into a local receiver). Each starts its simulator, then names the
// bare baseline to run against it, the Siphon inputs that pull the same events, and where
// both deliver.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki } from '../test/support/certs.js';
import { startKiteworksSimulator } from '../src/simulators/kiteworks/index.js';
import { startLarkSimulator } from '../src/simulators/lark/index.js';
import { startLastPassSimulator } from '../src/simulators/lastpass/index.js';
import { startOnePasswordSimulator } from '../src/simulators/onepassword/index.js';
import { devoDestination, fileDestination, syslogDestination, type Destination } from './destinations.js';

export interface RunningCase {
  /** What the table's title says. */
  readonly title: string;
  readonly events: number;
  /** The baseline child: script and arguments; the destination's arguments are appended. */
  readonly baseline: { script: string; args: string[] };
  /** Siphon's `inputs:` entries (YAML, indented by two spaces); globals and outputs are added by the runner. */
  readonly siphonInputs: string;
  /** Where both contenders deliver. */
  readonly destination: Destination;
  close(): Promise<void>;
}

export interface BenchCase {
  readonly name: string;
  start(events: number): Promise<RunningCase>;
}

const DAY_MS = 86_400_000;

/** The whole configuration of one Siphon run. */
export function siphonConfig(dir: string, outputs: string, inputs: string): string {
  return `globals:
  name: bench
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
outputs:
${outputs}inputs:
${inputs}`;
}

/** Where a 1Password case delivers, and what to clean up afterwards. */
interface PreparedDestination {
  readonly destination: Destination;
  close(): Promise<void>;
}

/** 1Password item usage with pages of 1,000, rate limit off, delivered to `prepare()`'s destination. */
async function startOnePassword(events: number, title: string, baselineScript: string, prepare: () => Promise<PreparedDestination>): Promise<RunningCase> {
  const token = 'bench-token-0123456789';
  const sim = await startOnePasswordSimulator({
    tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }],
    initialEvents: { auditevents: 0, itemusages: events, signinattempts: 0 },
    historyMs: 100 * DAY_MS,
    rateLimit: false,
  });
  const dest = await prepare().catch(async (err: unknown) => {
    await sim.close();
    throw err;
  });
  return {
    title: `${title}, ${events} events (pages of 1,000)`,
    events,
    baseline: { script: baselineScript, args: [sim.url, token, 'itemusages'] },
    siphonInputs: `  onepassword:
    base_url: ${sim.url}
    credentials: {token: ${token}}
    rate_limit: {enabled: false}
    services:
      item_usage: {start_time_value: 2000-01-01T00:00:00Z, page_size: 1000}
`,
    destination: dest.destination,
    close: async () => {
      await sim.close();
      await dest.close();
    },
  };
}

const noCleanup = async (): Promise<void> => undefined;

const onePassword: BenchCase = {
  name: 'onepassword',
  start: (events) => startOnePassword(events, '1Password item usage', 'dist/bench/baseline.js', async () => ({ destination: fileDestination, close: noCleanup })),
};

/** The Devo output: TLS with a client certificate signed by a test CA, to a local relay look-alike. */
const devo: BenchCase = {
  name: 'devo',
  start: (events) =>
    startOnePassword(
      events,
      '1Password item usage to the devo_platform output (TLS, client certificate, ack close)',
      'dist/bench/baseline-devo.js',
      async () => {
        const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-pki-'));
        const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
        const pki = await makeTestPki(dir).catch(async (err: unknown) => {
          await cleanup();
          throw err;
        });
        return { destination: devoDestination({ dir, ...pki }), close: cleanup };
      },
    ),
};

/** The syslog output: plain TCP, RFC 5424, octet counting, to a local daemon look-alike. */
const syslog: BenchCase = {
  name: 'syslog',
  start: (events) =>
    startOnePassword(
      events,
      '1Password item usage to the syslog output (TCP, RFC 5424, octet counting, ack close)',
      'dist/bench/baseline-syslog.js',
      async () => ({ destination: syslogDestination, close: noCleanup }),
    ),
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
      destination: fileDestination,
      siphonInputs: `  lastpass:
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
      destination: fileDestination,
      siphonInputs: `  lark:
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
      destination: fileDestination,
      siphonInputs: `  kiteworks:
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

export const BENCH_CASES: readonly BenchCase[] = [onePassword, lastPass, lark, kiteworks, devo, syslog];
