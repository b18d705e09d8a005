// The long-running cases: the collector alone while it waits on vendors, as it spends most of
// its life. `steady`: every vendor of the plug-in list configured as in the demo, each
// simulator in its own `siphon simulate` process, caught up and polling every 10 s. `many`:
// 1,002 services (334 1Password accounts) against one simulator, polling every 30 s. Both
// are measured from outside (/proc), like an operator's monitoring would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { VENDORS } from '../src/app/registry.js';
import { freeTcpPort } from '../test/support/free-port.js';
import { siphonConfig } from './cases.js';
// SIPHON_BENCH_NODE_ARGS, as for the other cases: Node/V8 flags for the collector, not the simulators.
import { NODE_ARGS } from './child.js';
import { cpuPercent, median, ProcessWatch } from './process-watch.js';

const SIPHON = 'bin/siphon.js';

export interface LongCaseResult {
  readonly name: string;
  readonly services: number;
  /** RSS at the end of the run (MB). */
  readonly rssEndMb: number;
  readonly rssMedianMb: number;
  readonly rssPeakMb: number;
  /** CPU of the last part of the run, % of one core. */
  readonly idleCpuPercent: number;
  /** Extra lines for the report (handles, warnings). */
  readonly notes: string[];
}

/** `siphon simulate <vendor>` in its own process: its description line (URL, credentials, input block). */
export async function startSimulator(vendor: string, args: string[]): Promise<{ child: ChildProcess; description: Record<string, unknown> }> {
  const child = spawn(process.execPath, [SIPHON, 'simulate', vendor, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  child.stdout.resume();
  return { child, description: JSON.parse(line) as Record<string, unknown> };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = once(child, 'close');
  child.kill('SIGTERM');
  await closed;
}

/** The collector's configuration: one file output in `dir`. */
function collectorYaml(dir: string, extraGlobals: string, inputs: string): string {
  return siphonConfig(dir, `  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}\n`, inputs, extraGlobals);
}

/** Runs `siphon run` on `yaml` for `seconds`, sampling it every second; `during` runs meanwhile. */
async function watchCollector(
  dir: string,
  yaml: string,
  env: Record<string, string>,
  seconds: number,
  during: (elapsedMs: () => number) => Promise<void> = async () => undefined,
): Promise<{ watch: ProcessWatch; stderr: string }> {
  const config = join(dir, 'config.yaml');
  await writeFile(config, yaml);
  const child = spawn(process.execPath, [...NODE_ARGS, SIPHON, 'run', '--config', config], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 1_000_000 - stderr.length)));
  if (child.pid === undefined) throw new Error('siphon run did not start');
  const started = Date.now();
  const watch = new ProcessWatch(child.pid, 1000);
  try {
    await Promise.all([sleep(seconds * 1000), during(() => Date.now() - started)]);
  } finally {
    watch.stop();
    await stop(child);
  }
  if (watch.samples.length === 0) throw new Error(`siphon run ended at once: ${stderr.slice(-2000)}`);
  return { watch, stderr };
}

export async function runSteady(seconds: number): Promise<LongCaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-steady-'));
  const simulators: ChildProcess[] = [];
  try {
    let inputs = '';
    const env: Record<string, string> = {};
    for (const vendor of VENDORS) {
      const { child, description } = await startSimulator(vendor.type, ['--live', '1']);
      simulators.push(child);
      inputs += String(description['input_yaml']);
      const vendorEnv = description['env'];
      if (typeof vendorEnv === 'object' && vendorEnv !== null) for (const [name, value] of Object.entries(vendorEnv)) if (typeof value === 'string') env[name] = value;
    }
    let services = 0;
    for (const vendor of VENDORS) services += Object.keys((await vendor.connector()).streams).length;
    const { watch } = await watchCollector(dir, collectorYaml(dir, '', inputs), env, seconds);
    const last = watch.since((seconds - 60) * 1000);
    return {
      name: 'steady',
      services,
      rssEndMb: watch.samples[watch.samples.length - 1]?.rssMb ?? Number.NaN,
      rssMedianMb: median(watch.samples.map((s) => s.rssMb)),
      rssPeakMb: Math.max(...watch.samples.map((s) => s.rssMb)),
      idleCpuPercent: cpuPercent(last),
      notes: [],
    };
  } finally {
    await Promise.all(simulators.map(stop));
    await rm(dir, { recursive: true, force: true });
  }
}

/** `nodejs_active_handles_total` and `nodejs_active_resources_total` from the status server. */
async function activeHandles(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string): string => new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? '?';
  return `handles ${value('nodejs_active_handles_total')}, resources ${value('nodejs_active_resources_total')}`;
}

export async function runMany(seconds: number, accounts = 334): Promise<LongCaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-many-'));
  // The 1Password simulator: three streams an account, a cursor API, rate limit off.
  const { child: simulator, description } = await startSimulator('onepassword', ['--live', '0', '--events', '5', '--no-rate-limit']);
  try {
    const url = String(description['url']);
    const tokens = description['tokens'];
    const token = Array.isArray(tokens) && typeof tokens[0] === 'string' ? tokens[0] : '';
    const start = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
    const service = `{request_period_in_seconds: 30, start_time_value: "${start}Z"}`;
    let inputs = '';
    for (let i = 0; i < accounts; i++) {
      inputs += `  op_${i}: {type: onepassword, base_url: ${url}, credentials: {token: "\${env:BENCH_OP_TOKEN}"}, rate_limit: {enabled: false}, services: {audit: ${service}, item_usage: ${service}, sign_in_attempts: ${service}}}\n`;
    }
    // The status server's port: a random pick could collide with another program's.
    const port = await freeTcpPort();
    const status = `http://127.0.0.1:${port}`;
    const handles: string[] = [];
    const { watch, stderr } = await watchCollector(dir, collectorYaml(dir, `  status_server: {listen: "127.0.0.1:${port}"}\n`, inputs), { BENCH_OP_TOKEN: token }, seconds, async (elapsed) => {
      // After the first cycle, and after ten more (30 s each).
      for (const at of [45_000, 45_000 + 10 * 30_000]) {
        if (at > seconds * 1000) break;
        await sleep(Math.max(0, at - elapsed()));
        handles.push(await activeHandles(status).catch((err: unknown) => `unreadable (${String(err)})`));
      }
    });
    // Settled: the last two minutes. The first pulls: everything before (setting up 334 inputs
    // takes a while on a busy machine, so they do not always fall in the first minute).
    const settledFromMs = (seconds - 120) * 1000;
    const settled = watch.since(settledFromMs);
    return {
      name: 'many',
      services: accounts * 3,
      rssEndMb: watch.samples[watch.samples.length - 1]?.rssMb ?? Number.NaN,
      rssMedianMb: median(settled.map((s) => s.rssMb)),
      rssPeakMb: Math.max(...watch.samples.filter((s) => s.at < settledFromMs).map((s) => s.rssMb)),
      idleCpuPercent: cpuPercent(settled),
      notes: [
        `active handles after the first cycle: ${handles[0] ?? 'not measured'}; after ten more: ${handles[1] ?? 'not measured (run longer)'}`,
        `MaxListenersExceededWarning: ${stderr.includes('MaxListenersExceededWarning') ? 'yes' : 'no'}`,
      ],
    };
  } finally {
    await stop(simulator);
    await rm(dir, { recursive: true, force: true });
  }
}
