// `siphon run --config FILE [--once]` (and the engine behind `siphon demo`).
import type { Logger, Output } from '../../core/contracts.js';
import { EXIT, exitCodeFor, toSiphonError } from '../../core/errors.js';
import { systemClock } from '../../core/time.js';
import type { SiphonConfig } from '../../config/types.js';
import { buildRuntime } from '../../app/runtime.js';
import { SIPHON_VERSION } from '../../core/version.js';
import { runMemoryReporter } from '../../telemetry/memory-report.js';
import type { LogFormat } from '../../telemetry/logger.js';
import type { Redactor } from '../../core/redact.js';
import type { CliIo } from '../io.js';

export interface RunOptions {
  once: boolean;
  logFormat?: LogFormat;
  signal: AbortSignal;
  outputs?: Output[];
  /** The redactor `io` prints through: the runtime registers the configuration's secrets with it, so logs and printed lines hide the same. */
  redactor: Redactor;
}

/**
 * The collector itself refuses what is still queued once the shutdown deadline passes (those
 * pages stay uncommitted and are pulled again next time). This is the last resort behind it:
 * a process that still has not ended `LAST_RESORT_EXTRA_S` later exits anyway.
 */
const LAST_RESORT_EXTRA_S = 15;

async function withShutdownDeadline<T>(work: Promise<T>, signal: AbortSignal, seconds: number, logger: Logger): Promise<T> {
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
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  }
}

/** Runs a validated configuration; returns the process exit code. */
export async function runCollector(config: SiphonConfig, options: RunOptions, io: CliIo): Promise<number> {
  const clock = systemClock;
  let runtime;
  try {
    runtime = await buildRuntime(config, { clock, signal: options.signal, logFormat: options.logFormat, outputs: options.outputs, once: options.once, redactor: options.redactor });
  } catch (err) {
    const error = toSiphonError(err);
    io.err(error.describe());
    return exitCodeFor(error.code);
  }
  const { collector, logger, statuses } = runtime;
  logger.info(
    `Siphon ${SIPHON_VERSION} starting collector "${config.globals.name}": ${runtime.inputs.length} input(s), ` +
      `${statuses.length} service(s), ${runtime.outputs.length} output(s)${options.once ? ' (--once)' : ''}`,
  );
  const reporterStop = new AbortController();
  const stopReporter = (): void => reporterStop.abort();
  options.signal.addEventListener('abort', stopReporter, { once: true });
  try {
    try {
      await collector.setup(options.signal);
      await collector.openOutputs();
    } catch (err) {
      if (options.signal.aborted) return EXIT.OK;
      const error = toSiphonError(err);
      logger.error(`${error.describe()} The collector cannot start.`);
      return exitCodeFor(error.code) === EXIT.CONFIG ? EXIT.CONFIG : EXIT.SETUP;
    }
    if (!options.once) {
      void runMemoryReporter(logger.child({ module: 'MemoryReporter' }), clock, config.globals.memory_report_interval_seconds, reporterStop.signal);
    }
    const errors = await withShutdownDeadline(collector.run(options.signal, options.once), options.signal, config.globals.shutdown_timeout_seconds, logger);
    for (const error of errors) logger.error(`${error.describe()} A service stopped with an error.`);
    if (errors.some((e) => e.code === 'PULL_AUTH_LOST' || exitCodeFor(e.code) === EXIT.SETUP)) return EXIT.SETUP;
    if (errors.length > 0) return EXIT.FAILURE;
    if (collector.unacknowledgedAtDeadline !== undefined) {
      logger.warn(`Collector stopped: every acknowledged page is committed; ${collector.unacknowledgedAtDeadline} queued event(s) were not, and will be pulled again`);
    } else {
      logger.info(options.signal.aborted ? 'Collector stopped: every delivered page is committed' : 'Collector finished: every service is up to date');
    }
    return EXIT.OK;
  } catch (err) {
    const error = toSiphonError(err);
    logger.error(error.describe());
    return exitCodeFor(error.code);
  } finally {
    reporterStop.abort();
    options.signal.removeEventListener('abort', stopReporter);
    await runtime.close();
  }
}
