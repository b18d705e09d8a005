// Loads and validates a configuration for a command, printing every problem at once.
import { loadConfigFile } from '../config/load.js';
import { formatProblem } from '../config/format.js';
import type { SiphonConfig } from '../config/types.js';
import type { Redactor } from '../core/redact.js';
import { builtinRegistries } from '../app/registry.js';
import type { CliIo } from './io.js';

/** The configuration, its secrets registered with `redactor` (the one the command prints through); undefined when invalid. */
export async function loadOrReport(path: string, io: CliIo, redactor: Redactor): Promise<SiphonConfig | undefined> {
  const result = await loadConfigFile(path, builtinRegistries);
  if (result.ok) redactor.add(...result.config.secrets);
  for (const warning of result.warnings) io.err(`warning: ${formatProblem(warning, path)}`);
  if (!result.ok) {
    for (const problem of result.problems) io.err(formatProblem(problem, path));
    io.err(`${path}: ${result.problems.length} problem(s) found; nothing was started.`);
    return undefined;
  }
  return result.config;
}
