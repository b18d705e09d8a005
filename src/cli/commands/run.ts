// `siphon run --config FILE [--once]` (and the engine behind `siphon demo`).
import type { Logger, Output } from '../../core/contracts.js';
import { EXIT, exitCodeFor, toSiphonError } from '../../core/errors.js';
import { systemClock } from '../../core/time.js';
import type { SiphonConfig } from '../../config/types.js';
import { buildRuntime, type Runtime } from '../../app/runtime.js';
import { SIPHON_VERSION } from '../../core/version.js';
import { runMemoryReporter } from '../../telemetry/memory-report.js';
import type { LogFormat } from '../../telemetry/logger.js';
import type { Redactor } from '../../core/redact.js';
import type { CliIo } from '../io.js';
import { startStatusServer, type StatusServer } from '../../telemetry/status-server.js';

export interface RunOptions {
  once: boolean;
  logFormat?: LogFormat;
  signal: AbortSignal;
  outputs?: Output[];
  /** The redactor `io` prints through: the runtime registers the configuration's secrets with it, so logs and printed lines hide the same. */
  redactor: Redactor;
  /** Told the status server's URL once it listens (the demo prints it). */
  onStatusServer?: (url: string) => void;
}

/**
 * The collector bounds its stop by the shutdown deadline: queued events are refused, writes in
 * flight and connections dropped, outputs closed. This is the last resort behind it: a process
 * that still has not ended `LAST_RESORT_EXTRA_S` later exits anyway.
 */
const LAST_RESORT_EXTRA_S = 15;

/** From the stop request on, exits the process if it is still running the deadline + LAST_RESORT_EXTRA_S later; returns the disarmer. */
function armLastResort(signal: AbortSignal, seconds: number, logger: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    timer = setTimeout(() => {
      logger.error(
        `The collector did not stop within ${seconds + LAST_RESORT_EXTRA_S} s of the stop request; exiting. ` +
          'Pages not acknowledged were not committed and will be pulled again at the next start.',
      );
      process.exit(EXIT.FAILURE);
    }, (seconds + LAST_RESORT_EXTRA_S) * 1000);
    timer.unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  };
}

/** The one line a stopped `--once` run ends with: which services did not catch up. */
function onceStoppedLine(services: readonly string[], unacknowledged: number | undefined): string {
  const committed =
    unacknowledged === undefined
      ? 'every delivered page is committed'
      : `every acknowledged page is committed; ${unacknowledged} queued event(s) were not, and will be pulled again`;
  return `Stopped before every service caught up (--once): ${services.join(', ')} did not catch up; ${committed}. The next run resumes from there (exit code 1)`;
}

/** How a run ended: the exit code, and the line saying so, logged last (once outputs and state are closed). */
interface RunOutcome {
  readonly code: number;
  readonly last?: { readonly level: 'info' | 'warn' | 'error'; readonly line: string };
}

/** Runs a validated configuration; returns the process exit code. */
export async function runCollector(config: SiphonConfig, options: RunOptions, io: CliIo): Promise<number> {
  const clock = systemClock;
  let runtime: Runtime;
  try {
    runtime = await buildRuntime(config, { clock, signal: options.signal, logFormat: options.logFormat, outputs: options.outputs, once: options.once, redactor: options.redactor });
  } catch (err) {
    const error = toSiphonError(err);
    io.err(error.describe());
    return exitCodeFor(error.code);
  }
  const { logger, telemetry } = runtime;
  logger.info(
    `Siphon ${SIPHON_VERSION} starting collector "${config.globals.name}": ${runtime.inputs.length} input(s), ` +
      `${telemetry.streamNames.length} service(s), ${runtime.outputs.length} output(s)${options.once ? ' (--once)' : ''}`,
  );
  let server: StatusServer | undefined;
  if (config.globals.status_server) {
    try {
      server = await startStatusServer(config.globals.status_server, telemetry, logger.child({ module: 'StatusServer' }), { redactor: runtime.redactor });
    } catch (err) {
      const error = toSiphonError(err);
      logger.error(`${error.describe()} The collector cannot start.`);
      await runtime.close();
      return exitCodeFor(error.code);
    }
    options.onStatusServer?.(server.url);
  }
  telemetry.start();
  const onStop = (): void => server?.setShuttingDown();
  options.signal.addEventListener('abort', onStop, { once: true });
  const disarm = armLastResort(options.signal, config.globals.shutdown_timeout_seconds, logger);
  const reporterStop = new AbortController();
  const stopReporter = (): void => reporterStop.abort();
  options.signal.addEventListener('abort', stopReporter, { once: true });
  let outcome: RunOutcome;
  try {
    outcome = await collect(runtime, config, options, reporterStop.signal);
  } catch (err) {
    const error = toSiphonError(err);
    outcome = { code: exitCodeFor(error.code), last: { level: 'error', line: error.describe() } };
  } finally {
    reporterStop.abort();
    options.signal.removeEventListener('abort', stopReporter);
    options.signal.removeEventListener('abort', onStop);
    server?.setShuttingDown();
    await runtime.close();
    telemetry.stop();
    await server?.close();
  }
  disarm();
  // Last: after this line nothing is sent, written or logged.
  if (outcome.last) logger[outcome.last.level](outcome.last.line);
  return outcome.code;
}

/** Sets up, runs every service and judges how it went. */
async function collect(runtime: Runtime, config: SiphonConfig, options: RunOptions, reporterSignal: AbortSignal): Promise<RunOutcome> {
  const { collector, logger, telemetry } = runtime;
  try {
    await collector.setup(options.signal);
    await collector.openOutputs();
  } catch (err) {
    if (options.signal.aborted) {
      if (!options.once) return { code: EXIT.OK };
      return { code: EXIT.FAILURE, last: { level: 'error', line: onceStoppedLine(telemetry.streamNames, undefined) } };
    }
    const error = toSiphonError(err);
    logger.error(`${error.describe()} The collector cannot start.`);
    return { code: exitCodeFor(error.code) === EXIT.CONFIG ? EXIT.CONFIG : EXIT.SETUP };
  }
  if (!options.once) {
    void runMemoryReporter(logger.child({ module: 'MemoryReporter' }), systemClock, config.globals.memory_report_interval_seconds, reporterSignal);
  }
  const { errors, stopped } = await collector.run(options.signal, options.once);
  for (const error of errors) logger.error(`${error.describe()} A service stopped with an error.`);
  if (errors.some((e) => e.code === 'PULL_AUTH_LOST' || exitCodeFor(e.code) === EXIT.SETUP)) return { code: EXIT.SETUP };
  if (errors.length > 0) return { code: EXIT.FAILURE };
  const unacknowledged = collector.unacknowledgedAtDeadline;
  // A cron run that was stopped did not do its job: cron must not count it as a success.
  if (options.once && stopped.length > 0) return { code: EXIT.FAILURE, last: { level: 'error', line: onceStoppedLine(stopped, unacknowledged) } };
  if (unacknowledged !== undefined) {
    return { code: EXIT.OK, last: { level: 'warn', line: `Collector stopped: every acknowledged page is committed; ${unacknowledged} queued event(s) were not, and will be pulled again` } };
  }
  return {
    code: EXIT.OK,
    last: { level: 'info', line: options.signal.aborted ? 'Collector stopped: every delivered page is committed' : 'Collector finished: every service is up to date' },
  };
}
