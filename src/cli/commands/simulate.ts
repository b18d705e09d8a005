// `siphon simulate <vendor> [--port N]`: one vendor simulator on its own, until Ctrl-C.
import { EXIT } from '../../core/errors.js';
import { startKiteworksSimulator } from '../../simulators/kiteworks/index.js';
import { startLarkSimulator } from '../../simulators/lark/index.js';
import { startLastPassSimulator } from '../../simulators/lastpass/index.js';
import { startOnePasswordSimulator } from '../../simulators/onepassword/index.js';
import type { CliIo } from '../io.js';

export interface SimulateOptions {
  port: number;
  token?: string;
  events?: number;
  liveEventsPerSecond: number;
  rateLimit: boolean;
  signal: AbortSignal;
}

interface RunningSimulator {
  /** Printed on stdout as one JSON line, for scripts and tests. */
  readonly description: Record<string, unknown>;
  /** Printed on stderr, for people. */
  readonly banner: string;
  close(): Promise<void>;
}

const SIMULATORS = {
  async onepassword(options: SimulateOptions): Promise<RunningSimulator> {
    const n = options.events;
    const sim = await startOnePasswordSimulator({
      port: options.port,
      tokens: options.token ? [{ token: options.token, features: ['auditevents', 'itemusages', 'signinattempts'] }] : undefined,
      initialEvents: n === undefined ? undefined : { auditevents: n, itemusages: n, signinattempts: n },
      liveEventsPerSecond: options.liveEventsPerSecond,
      rateLimit: options.rateLimit ? undefined : false,
    });
    return {
      description: { vendor: 'onepassword', url: sim.url, port: sim.port, tokens: sim.tokens },
      banner: `1Password Events API simulator listening on ${sim.url} (faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
      close: () => sim.close(),
    };
  },
  async lastpass(options: SimulateOptions): Promise<RunningSimulator> {
    const sim = await startLastPassSimulator({
      port: options.port,
      provisioningHash: options.token,
      initialEvents: options.events,
      liveEventsPerSecond: options.liveEventsPerSecond,
    });
    return {
      description: {
        vendor: 'lastpass',
        url: sim.url,
        port: sim.port,
        company_id: sim.companyId,
        provisioning_hash: sim.provisioningHash,
        time_zone: sim.timeZone,
      },
      banner:
        `LastPass Enterprise API simulator listening on ${sim.url}/enterpriseapi.php (account zone ${sim.timeZone}; ` +
        `faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
      close: () => sim.close(),
    };
  },
  async lark(options: SimulateOptions): Promise<RunningSimulator> {
    const sim = await startLarkSimulator({
      port: options.port,
      appSecret: options.token,
      initialEvents: options.events,
      liveEventsPerSecond: options.liveEventsPerSecond,
      rateLimit: options.rateLimit ? undefined : false,
    });
    return {
      description: { vendor: 'lark', url: sim.url, port: sim.port, app_id: sim.appId, app_secret: sim.appSecret },
      banner:
        `Lark Open Platform simulator (tenant_access_token, admin/v1/audit_infos) listening on ${sim.url} ` +
        `(faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
      close: () => sim.close(),
    };
  },
  async kiteworks(options: SimulateOptions): Promise<RunningSimulator> {
    const sim = await startKiteworksSimulator({
      port: options.port,
      ...(options.token ? { client: { clientSecret: options.token } } : {}),
      initialEvents: options.events,
      liveEventsPerSecond: options.liveEventsPerSecond,
      rateLimit: options.rateLimit ? undefined : false,
    });
    const c = sim.client;
    return {
      description: {
        vendor: 'kiteworks',
        url: sim.url,
        port: sim.port,
        client_id: c.clientId,
        client_secret: c.clientSecret,
        signature_key: c.signatureKey,
        user_email: c.users?.[0],
        redirect_uri: c.redirectUri,
        refresh_token: sim.issueRefreshToken(),
      },
      banner: `Kiteworks simulator (/oauth/token, /rest/admin/activities) listening on ${sim.url} (faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats). Ctrl-C stops it.`,
      close: () => sim.close(),
    };
  },
} as const;

export const SIMULATED_VENDORS = Object.keys(SIMULATORS) as Array<keyof typeof SIMULATORS>;

function isVendor(name: string): name is keyof typeof SIMULATORS {
  return Object.hasOwn(SIMULATORS, name);
}

export async function runSimulator(vendor: string, options: SimulateOptions, io: CliIo): Promise<number> {
  if (!isVendor(vendor)) {
    io.err(`Unknown simulator "${vendor}". Available: ${SIMULATED_VENDORS.join(', ')}`);
    return EXIT.FAILURE;
  }
  const simulator = await SIMULATORS[vendor](options);
  io.out(JSON.stringify(simulator.description));
  io.err(simulator.banner);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await simulator.close();
  return EXIT.OK;
}
