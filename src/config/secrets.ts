// Secret references inside string values: `${env:NAME}` and `${file:PATH}`, whole or
// embedded; `$${` writes a literal `${`. Resolved values are returned apart so the
// logger can redact them; failures name the variable or file, never a value.

import { resolve } from 'node:path';
import { readRegularFileSync } from './bounded-read.js';

export interface SecretContext {
  env: NodeJS.ProcessEnv;
  /** `${file:PATH}` is relative to the configuration file's folder. */
  baseDir: string;
}

export interface Substitution {
  value: string;
  /** The references written in the value, as written: `${env:OP_TOKEN}`. */
  references: string[];
  /** The values the references resolved to. */
  secrets: string[];
  /** One sentence per reference that could not be resolved. */
  failures: string[];
}

const TOKEN = /\$\$\{|\$\{(env|file):([^}]*)\}/g;

export function substitute(text: string, ctx: SecretContext): Substitution {
  const result: Substitution = { value: text, references: [], secrets: [], failures: [] };
  if (!text.includes('${')) return result;
  result.value = text.replace(TOKEN, (match, kind: string | undefined, name: string | undefined) => {
    if (kind === undefined || name === undefined) return '${';
    result.references.push(match);
    const resolved = kind === 'env' ? fromEnv(name, ctx) : fromFile(name, ctx);
    if ('failure' in resolved) {
      result.failures.push(resolved.failure);
      return match;
    }
    if (resolved.value !== '') result.secrets.push(resolved.value);
    return resolved.value;
  });
  return result;
}

type Resolved = { value: string } | { failure: string };

function fromEnv(name: string, ctx: SecretContext): Resolved {
  if (name === '') return { failure: '${env:} names no environment variable' };
  const value = ctx.env[name];
  if (value === undefined) return { failure: `the environment variable ${name} is not set` };
  return { value };
}

function fromFile(name: string, ctx: SecretContext): Resolved {
  if (name === '') return { failure: '${file:} names no file' };
  const full = resolve(ctx.baseDir, name);
  const read = readRegularFileSync(full);
  if (!read.ok) return { failure: `the file ${full} cannot be read: ${read.why}` };
  // Files written by editors and `echo` end with a newline that is not part of the secret.
  return { value: read.text.replace(/(\r?\n)+$/, '') };
}
