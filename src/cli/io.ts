// Where the CLI prints. Commands take this instead of touching process.stdout directly,
// so tests can run them in-process.
import { redactAll, type Redactor } from '../core/redact.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/**
 * Every line passes through `redactor` before it is printed. The program prints through one
 * of these from the start; a command registers the configuration's secrets with the redactor
 * as soon as it has loaded them (and the runtime those it learns later), so no line a command
 * prints, a vendor's refusal quoted in `siphon check` included, can carry a secret.
 */
export function redactingIo(io: CliIo, redactor: Redactor): CliIo {
  return {
    out: (line) => io.out(redactAll(line, redactor)),
    err: (line) => io.err(redactAll(line, redactor)),
  };
}
