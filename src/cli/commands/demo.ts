// `siphon demo`: the embedded default. Starts every vendor simulator on 127.0.0.1, writes
// a configuration for them (console + file outputs, its own state folder) and runs the
// collector, so a newcomer sees events and statistics flowing without any account.
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { EXIT } from '../../core/errors.js';
import { loadConfigText } from '../../config/load.js';
import { formatProblem } from '../../config/format.js';
import { builtinRegistries } from '../../app/registry.js';
import { writeFileAll } from '../../fs/write-all.js';
import { startKiteworksSimulator } from '../../simulators/kiteworks/index.js';
import { startLarkSimulator } from '../../simulators/lark/index.js';
import { startLastPassSimulator } from '../../simulators/lastpass/index.js';
import { startOnePasswordSimulator } from '../../simulators/onepassword/index.js';
import type { LogFormat } from '../../telemetry/logger.js';
import { DEFAULT_STATUS_PORT } from '../../telemetry/status-types.js';
import type { Redactor } from '../../core/redact.js';
import type { CliIo } from '../io.js';
import { runCollector } from './run.js';

export interface DemoOptions {
  once: boolean;
  dir: string;
  logFormat?: LogFormat;
  signal: AbortSignal;
  /** The redactor `io` prints through; the demo's secrets are registered with it once its configuration is loaded. */
  redactor: Redactor;
}

const DEMO_TOKEN = 'demo-events-token-not-a-secret';
const DEMO_LASTPASS_HASH = 'demo-provisioning-hash-not-a-secret';
const DEMO_LARK_SECRET = 'demo-lark-app-secret-not-a-secret';

export interface DemoSimulators {
  onePasswordUrl: string;
  lastPass: { url: string; companyId: number; timeZone: string };
  lark: { url: string; appId: string };
  kiteworks: { url: string; clientId: string; userEmail: string; redirectUri: string };
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) this long ago. */
function utcAgo(ms: number): string {
  return new Date(Date.now() - ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function demoConfigYaml(sims: DemoSimulators, dir: string, statusListen = `127.0.0.1:${DEFAULT_STATUS_PORT}`): string {
  return `# Written by \`siphon demo\`: the collector against its built-in simulators.
globals:
  name: siphon-demo
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
  memory_report_interval_seconds: 60
  status_server: {listen: "${statusListen}"}
outputs:
  console_1: {type: console, config: {max_event_chars: 160}}
  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}
inputs:
  onepassword:
    id: 10001
    base_url: ${sims.onePasswordUrl}
    credentials:
      token: \${env:SIPHON_DEMO_OP_TOKEN}
    services:
      audit: {start_time_value: ${new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 19)}Z, request_period_in_seconds: 10}
      item_usage: {request_period_in_seconds: 10, obfuscation: [{path: client.ip_address, method: mask}]}
      sign_in_attempts: {request_period_in_seconds: 10}
  lastpass:
    id: 10002
    override_api_base_url: ${sims.lastPass.url}
    credentials:
      company_id: ${sims.lastPass.companyId}
      provisioning_hash: \${env:SIPHON_DEMO_LP_HASH}
    services:
      reporting:
        start_time_in_utc: "${utcAgo(3 * 86_400_000)}"
        time_zone: ${sims.lastPass.timeZone}
        request_period_in_seconds: 10
        lag_in_seconds: 5
        obfuscation: [{path: IP_Address, method: mask}]
  lark:
    id: 10003
    override_api_base_url: ${sims.lark.url}
    credentials:
      app_id: ${sims.lark.appId}
      app_secret: \${env:SIPHON_DEMO_LARK_SECRET}
    services:
      audit_infos:
        initial_start_time_in_utc_value: "${utcAgo(3 * 86_400_000)}"
        request_period_in_seconds: 10
        lag_in_seconds: 5
  kiteworks:
    id: 10004
    api_base_url: ${sims.kiteworks.url}
    credentials:
      client_id: ${sims.kiteworks.clientId}
      client_secret: \${env:SIPHON_DEMO_KW_SECRET}
      signature_key: \${env:SIPHON_DEMO_KW_SIGNATURE_KEY}
      user_email: ${sims.kiteworks.userEmail}
      redirect_uri: ${sims.kiteworks.redirectUri}
    services:
      admin:
        historical_poll_datetime: "${new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 19)}Z"
        request_period_in_seconds: 10
        lag_in_seconds: 5
`;
}

/** The status server's address: the usual port when it is free, else any free one (a second demo). */
async function statusListen(): Promise<string> {
  const free = await new Promise<boolean>((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen(DEFAULT_STATUS_PORT, '127.0.0.1', () => probe.close(() => resolveFree(true)));
  });
  return `127.0.0.1:${free ? DEFAULT_STATUS_PORT : 0}`;
}

export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const dir = resolve(options.dir);
  // A fresh state folder each time: the simulators generate a new history on every start.
  await rm(join(dir, 'state'), { recursive: true, force: true });
  await rm(join(dir, 'events.ndjson'), { force: true });
  await mkdir(dir, { recursive: true });

  const onePassword = await startOnePasswordSimulator({
    tokens: [{ token: DEMO_TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
    liveEventsPerSecond: options.once ? 0 : 1,
  });
  const lastPass = await startLastPassSimulator({
    provisioningHash: DEMO_LASTPASS_HASH,
    historyMs: 3 * 86_400_000,
    liveEventsPerSecond: options.once ? 0 : 1,
  });
  const lark = await startLarkSimulator({
    appSecret: DEMO_LARK_SECRET,
    historyMs: 3 * 86_400_000,
    liveEventsPerSecond: options.once ? 0 : 1,
  });
  const kiteworks = await startKiteworksSimulator({ historyMs: 3 * 86_400_000, liveEventsPerSecond: options.once ? 0 : 1 });
  const kw = kiteworks.client;
  try {
    const yaml = demoConfigYaml(
      { onePasswordUrl: onePassword.url, lastPass, lark, kiteworks: { url: kiteworks.url, clientId: kw.clientId, userEmail: kw.users?.[0] ?? '', redirectUri: kw.redirectUri } },
      dir,
      await statusListen(),
    );
    const configPath = join(dir, 'config.yaml');
    try {
      await writeFileAll(configPath, yaml);
    } catch (err) {
      io.err(`siphon: cannot write the demo configuration ${configPath}: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.FAILURE;
    }
    io.err(`Siphon demo: 1Password simulator at ${onePassword.url}, LastPass simulator at ${lastPass.url}, Lark simulator at ${lark.url}, Kiteworks simulator at ${kiteworks.url}; configuration written to ${configPath}`);
    io.err(`Events go to the console and to ${join(dir, 'events.ndjson')}. ${options.once ? '' : 'Press Ctrl-C to stop.'}`);
    const result = loadConfigText(yaml, configPath, dir, builtinRegistries, {
      env: {
        ...process.env,
        // The demo talks only to its simulators on this machine: a proxy set for real work must not catch it.
        no_proxy: '*',
        SIPHON_DEMO_OP_TOKEN: DEMO_TOKEN,
        SIPHON_DEMO_LP_HASH: DEMO_LASTPASS_HASH,
        SIPHON_DEMO_LARK_SECRET: DEMO_LARK_SECRET,
        SIPHON_DEMO_KW_SECRET: kw.clientSecret,
        SIPHON_DEMO_KW_SIGNATURE_KEY: kw.signatureKey ?? '',
      },
    });
    if (!result.ok) {
      for (const problem of result.problems) io.err(formatProblem(problem, configPath));
      return EXIT.CONFIG;
    }
    options.redactor.add(...result.config.secrets);
    return await runCollector(
      result.config,
      {
        once: options.once,
        logFormat: options.logFormat,
        signal: options.signal,
        redactor: options.redactor,
        onStatusServer: (url) => io.err(`Status page: ${url}/ (metrics at ${url}/metrics; \`siphon status --url ${url}\` in another terminal)`),
      },
      io,
    );
  } finally {
    await Promise.all([onePassword.close(), lastPass.close(), lark.close(), kiteworks.close()]);
  }
}
