// `siphon check`: like the LastPass integrator's "Validate" and "Test Connection" buttons.
// Authenticates every enabled input, probes each service, connects to every output;
// one line per item, PASS or the reason. Exit 3 when anything fails.
import { EXIT, exitCodeFor, toSiphonError } from '../../core/errors.js';
import { systemClock } from '../../core/time.js';
import type { SiphonConfig } from '../../config/types.js';
import { buildRuntime } from '../../app/runtime.js';
import type { LogFormat } from '../../telemetry/logger.js';
import type { Redactor } from '../../core/redact.js';
import type { CliIo } from '../io.js';

/** `io` prints through `redactor` (vendors may quote a credential in a refusal); the runtime registers its secrets with it. */
export async function checkCollector(config: SiphonConfig, io: CliIo, signal: AbortSignal, redactor: Redactor, logFormat?: LogFormat): Promise<number> {
  let runtime;
  try {
    runtime = await buildRuntime(config, { clock: systemClock, signal, lockState: false, logFormat, redactor });
  } catch (err) {
    const error = toSiphonError(err);
    io.err(error.describe());
    return exitCodeFor(error.code);
  }
  let failures = 0;
  const report = (ok: boolean, item: string, detail: string): void => {
    if (!ok) failures += 1;
    io.out(`${ok ? 'PASS' : 'FAIL'}  ${item}: ${detail}`);
  };
  try {
    for (const { config: input, source: sourceOf } of runtime.inputs) {
      const source = sourceOf();
      try {
        await source.setup(signal);
        report(true, `input ${input.name} (${input.type})`, 'authenticated');
      } catch (err) {
        report(false, `input ${input.name} (${input.type})`, toSiphonError(err).describe());
        continue;
      }
      for (const service of source.streams) {
        try {
          await service.probe(signal);
          report(true, `service ${input.name}/${service.name}`, 'pullable');
        } catch (err) {
          report(false, `service ${input.name}/${service.name}`, toSiphonError(err).describe());
        }
      }
    }
    for (const output of runtime.outputs) {
      try {
        const proven = await output.check();
        report(true, `output ${output.name} (${output.type})`, proven || 'reachable');
      } catch (err) {
        report(false, `output ${output.name} (${output.type})`, toSiphonError(err).describe());
      }
    }
  } finally {
    await runtime.close();
  }
  io.out(failures === 0 ? 'All checks passed.' : `${failures} check(s) failed.`);
  return failures === 0 ? EXIT.OK : EXIT.SETUP;
}
