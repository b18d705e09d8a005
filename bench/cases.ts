// The benchmark cases: one per vendor (its plug-in record's bench setup, into a file), and
// one per network output (the 1Password case again, into a local receiver: those baselines
// frame 1Password pages). Each starts its simulator, then names the bare baseline to run
// against it, the Siphon inputs that pull the same events, and where both deliver.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPki } from '../test/support/certs.js';
import { VENDORS } from '../src/app/registry.js';
import type { SimulatorKit } from '../src/core/plugin.js';
import { onePasswordKit } from '../src/simulators/onepassword/kit.js';
import { devoDestination, fileDestination, syslogDestination, type Destination } from './destinations.js';

export interface RunningCase {
  /** What the table's title says. */
  readonly title: string;
  readonly events: number;
  /** The baseline child: script and arguments; the destination's arguments are appended. */
  readonly baseline: { script: string; args: string[] };
  /** Siphon's `inputs:` entries (YAML, indented by two spaces); globals and outputs are added by the runner. */
  readonly siphonInputs: string;
  /** The environment the inputs' `${env:...}` references need. */
  readonly env: Readonly<Record<string, string>>;
  /** Where both contenders deliver. */
  readonly destination: Destination;
  close(): Promise<void>;
}

export interface BenchCase {
  readonly name: string;
  start(events: number): Promise<RunningCase>;
}

/** The whole configuration of one Siphon run; `extraGlobals`: more `globals:` lines, indented by two spaces. */
export function siphonConfig(dir: string, outputs: string, inputs: string, extraGlobals = ''): string {
  return `globals:
  name: bench
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
${extraGlobals}outputs:
${outputs}inputs:
${inputs}`;
}

/** Where a case delivers, and what to clean up afterwards. */
interface PreparedDestination {
  readonly destination: Destination;
  close(): Promise<void>;
}

/** A vendor's bench setup, delivered to `prepare()`'s destination by `baselineScript` (default: the vendor's own baseline). */
async function startKit(kit: SimulatorKit, events: number, options: { title?: string; baselineScript?: string; prepare?: () => Promise<PreparedDestination> } = {}): Promise<RunningCase> {
  const sim = await kit.bench.start(events);
  const dest = options.prepare
    ? await options.prepare().catch(async (err: unknown) => {
        await sim.close();
        throw err;
      })
    : { destination: fileDestination, close: async (): Promise<void> => undefined };
  return {
    title: options.title ?? kit.bench.title(events),
    events,
    baseline: { script: options.baselineScript ?? fileURLToPath(kit.bench.baseline), args: sim.baselineArgs() },
    siphonInputs: sim.inputYaml({ name: kit.name, ...kit.bench.input }),
    env: sim.env,
    destination: dest.destination,
    close: async () => {
      await sim.close();
      await dest.close();
    },
  };
}

/** Every vendor of the plug-in list, its simulator kit loaded when its case runs. */
const vendorCases: BenchCase[] = VENDORS.map((vendor) => ({
  name: vendor.type,
  start: async (events) => startKit(await vendor.simulator(), events),
}));

/** The Devo output: TLS with a client certificate signed by a test CA, to a local relay look-alike. */
const devo: BenchCase = {
  name: 'devo',
  start: (events) =>
    startKit(onePasswordKit, events, {
      title: `1Password item usage to the devo_platform output (TLS, client certificate, ack close), ${events} events (pages of 1,000)`,
      baselineScript: 'dist/bench/baseline-devo.js',
      prepare: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-pki-'));
        const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
        const pki = await makeTestPki(dir).catch(async (err: unknown) => {
          await cleanup();
          throw err;
        });
        return { destination: devoDestination({ dir, ...pki }), close: cleanup };
      },
    }),
};

/** The syslog output: plain TCP, RFC 5424, octet counting, to a local daemon look-alike. */
const syslog: BenchCase = {
  name: 'syslog',
  start: (events) =>
    startKit(onePasswordKit, events, {
      title: `1Password item usage to the syslog output (TCP, RFC 5424, octet counting, ack close), ${events} events (pages of 1,000)`,
      baselineScript: 'dist/bench/baseline-syslog.js',
      prepare: async () => ({ destination: syslogDestination, close: async () => undefined }),
    }),
};

export const BENCH_CASES: readonly BenchCase[] = [...vendorCases, devo, syslog];
