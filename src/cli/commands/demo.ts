// `siphon demo`: the embedded default. Starts every vendor's simulator (the plug-in list) on 127.0.0.1, writes
// a configuration for them (console + file outputs, its own state folder) and runs the
// collector, so a newcomer sees events and statistics flowing without any account.
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { EXIT } from '../../core/errors.js';
import { loadConfigText } from '../../config/load.js';
import { formatProblem } from '../../config/format.js';
import { allBuiltinRegistries, VENDORS } from '../../app/registry.js';
import type { SimulatedVendor, SimulatorKit } from '../../core/plugin.js';
import { writeFileAll } from '../../fs/write-all.js';
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

const DAY_MS = 86_400_000;

/** The demo's configuration: globals, console and file outputs, and one input per simulator. */
function demoConfigYaml(inputs: readonly string[], dir: string, statusListen = `127.0.0.1:${DEFAULT_STATUS_PORT}`): string {
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
${inputs.join('')}`;
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

  const running: Array<{ kit: SimulatorKit; sim: SimulatedVendor }> = [];
  try {
    for (const vendor of VENDORS) {
      const kit = await vendor.simulator();
      running.push({ kit, sim: await kit.start({ historyMs: 3 * DAY_MS, liveEventsPerSecond: options.once ? 0 : 1 }) });
    }
    const startMs = Date.now() - 3 * DAY_MS;
    const inputs = running.map(({ kit, sim }, i) => sim.inputYaml({ name: kit.name, id: 10001 + i, startMs, requestPeriodSeconds: 10, lagSeconds: 5, showcase: true }));
    const yaml = demoConfigYaml(inputs, dir, await statusListen());
    const configPath = join(dir, 'config.yaml');
    try {
      await writeFileAll(configPath, yaml);
    } catch (err) {
      io.err(`siphon: cannot write the demo configuration ${configPath}: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.FAILURE;
    }
    const where = running.map(({ kit, sim }) => `${kit.displayName} simulator at ${sim.url}`).join(', ');
    io.err(`Siphon demo: ${where}; configuration written to ${configPath}`);
    io.err(`Events go to the console and to ${join(dir, 'events.ndjson')}. ${options.once ? '' : 'Press Ctrl-C to stop.'}`);
    const result = loadConfigText(yaml, configPath, dir, await allBuiltinRegistries(), {
      // The demo talks only to its simulators on this machine: a proxy set for real work must not catch it.
      env: running.reduce<Record<string, string | undefined>>((env, { sim }) => ({ ...env, ...sim.env }), { ...process.env, no_proxy: '*' }),
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
    await Promise.all(running.map(({ sim }) => sim.close()));
  }
}
