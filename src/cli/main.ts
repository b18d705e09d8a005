// The `siphon` command line. Each command's module is imported when that command runs, so a
// command loads only what it needs (`siphon --version` or `siphon status` load no connector).
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../core/errors.js';
import { SIPHON_VERSION } from '../core/version.js';
import { Redactor } from '../core/redact.js';
import type { LogFormat } from '../telemetry/logger.js';
import type { SiphonConfig } from '../config/types.js';
import { processIo, redactingIo, type CliIo } from './io.js';
import { abortOnSignals } from './shutdown.js';
import { applyHeapDefaults } from './heap-defaults.js';

const logFormatOption = (): Option =>
  new Option('--log-format <format>', 'log lines as text (Devo collector style) or json').choices(['text', 'json']);

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderError(EXIT.FAILURE, 'siphon.port', `invalid port: ${value}`);
  return n;
}

export async function main(argv: string[], rawIo: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.OK;
  // One redactor for the whole command: it learns the configuration's secrets once loaded,
  // and every line printed, by any command, goes through it.
  const redactor = new Redactor();
  const io = redactingIo(rawIo, redactor);
  const program = new Command();
  program
    .name('siphon')
    .description('Pulls SaaS security audit logs into your SIEM, with checkpoints that move only after delivery.')
    .version(SIPHON_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('run')
    .description('run every enabled service of a configuration')
    .requiredOption('-c, --config <file>', 'configuration file (Devo collector layout)')
    .option('--once', 'pull each service until caught up, flush, save state, then exit')
    .addOption(logFormatOption())
    .action(async (opts: { config: string; once?: boolean; logFormat?: LogFormat }) => {
      applyHeapDefaults();
      const config = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
      if (!config) return void (exitCode = EXIT.CONFIG);
      const stop = abortOnSignals(io);
      try {
        exitCode = await (await import('./commands/run.js')).runCollector(config, { once: Boolean(opts.once), logFormat: opts.logFormat, signal: stop.signal, redactor }, io);
      } finally {
        stop.dispose();
      }
    });

  program
    .command('validate')
    .description('validate a configuration and exit')
    .requiredOption('-c, --config <file>', 'configuration file')
    .action(async (opts: { config: string }) => {
      const config = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
      if (!config) return void (exitCode = EXIT.CONFIG);
      const services = config.inputs.reduce((n, i) => n + Object.keys(i.settings.streams).length, 0);
      io.out(`${opts.config}: valid (${config.inputs.length} input(s), ${services} enabled service(s), ${config.outputs.length} output(s))`);
    });

  program
    .command('check')
    .description('authenticate every input, test each service is pullable, connect to every output')
    .requiredOption('-c, --config <file>', 'configuration file')
    .addOption(logFormatOption())
    .action(async (opts: { config: string; logFormat?: LogFormat }) => {
      const config = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
      if (!config) return void (exitCode = EXIT.CONFIG);
      const stop = abortOnSignals(io);
      try {
        exitCode = await (await import('./commands/check.js')).checkCollector(config, io, stop.signal, redactor, opts.logFormat);
      } finally {
        stop.dispose();
      }
    });

  program
    .command('demo')
    .description('run the collector against its built-in vendor simulators (console and file outputs)')
    .option('--once', 'pull until caught up, then exit')
    .option('--dir <dir>', 'folder for the demo configuration, state and events', '.siphon-demo')
    .addOption(logFormatOption())
    .action(async (opts: { once?: boolean; dir: string; logFormat?: LogFormat }) => {
      applyHeapDefaults();
      const stop = abortOnSignals(io);
      try {
        exitCode = await (await import('./commands/demo.js')).runDemo({ once: Boolean(opts.once), dir: opts.dir, logFormat: opts.logFormat, signal: stop.signal, redactor }, io);
      } finally {
        stop.dispose();
      }
    });

  program
    .command('simulate')
    .description('run a vendor simulator on its own (<vendor>: an input type, e.g. onepassword)')
    .argument('<vendor>', 'which simulator')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', parsePort, 0)
    .option('--token <token>', 'the one credential it accepts: a token, an app secret, a provisioning hash (default: generated, printed)')
    .option('--events <n>', 'historical events per stream', (v) => Number(v))
    .option('--live <n>', 'new events per second per stream', (v) => Number(v), 1)
    .option('--no-rate-limit', "turn the simulator's rate limits off")
    .action(async (vendor: string, opts: { port: number; token?: string; events?: number; live: number; rateLimit: boolean }) => {
      const stop = abortOnSignals(io);
      try {
        exitCode = await (await import('./commands/simulate.js')).runSimulator(vendor, { port: opts.port, token: opts.token, events: opts.events, liveEventsPerSecond: opts.live, rateLimit: opts.rateLimit, signal: stop.signal }, io);
      } finally {
        stop.dispose();
      }
    });

  program
    .command('status')
    .description("one line per stream from the running collector's status server; exit 0 only when every stream is healthy")
    .option('-c, --config <file>', 'configuration file: its globals.status_server says where to ask; its state store answers when no collector does')
    .option('--url <url>', "the status server's address, e.g. http://127.0.0.1:8686 (overrides the configuration's)")
    .option('--token <token>', 'bearer token; prefer the SIPHON_STATUS_TOKEN environment variable (other users can see arguments)')
    .option('--json', 'one JSON object')
    .action(async (opts: { config?: string; url?: string; token?: string; json?: boolean }) => {
      let config: { settings: SiphonConfig; path: string } | undefined;
      if (opts.config !== undefined) {
        const settings = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
        if (!settings) return void (exitCode = EXIT.CONFIG);
        config = { settings, path: opts.config };
      }
      const token = opts.token ?? (process.env['SIPHON_STATUS_TOKEN'] || undefined);
      redactor.add(token);
      exitCode = await (await import('./commands/status.js')).showStatus({ ...(config ? { config } : {}), ...(opts.url !== undefined ? { url: opts.url } : {}), ...(token !== undefined ? { token } : {}), json: Boolean(opts.json) }, io);
    });

  const state = program.command('state').description('inspect or reset saved checkpoints');
  state
    .command('show')
    .requiredOption('-c, --config <file>', 'configuration file')
    .option('--json', 'one JSON object per service')
    .action(async (opts: { config: string; json?: boolean }) => {
      const config = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
      if (!config) return void (exitCode = EXIT.CONFIG);
      exitCode = await (await import('./commands/state.js')).showState(config, io, Boolean(opts.json));
    });
  state
    .command('reset')
    .requiredOption('-c, --config <file>', 'configuration file')
    .requiredOption('--input <name>', 'input name')
    .requiredOption('--service <name>', 'service name')
    .action(async (opts: { config: string; input: string; service: string }) => {
      const config = await (await import('./config-loading.js')).loadOrReport(opts.config, io, redactor);
      if (!config) return void (exitCode = EXIT.CONFIG);
      exitCode = await (await import('./commands/state.js')).resetState(config, io, opts.input, opts.service);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.FAILURE;
    }
    io.err(`siphon: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.FAILURE;
  }
  return exitCode;
}
