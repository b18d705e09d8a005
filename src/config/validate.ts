// Runs one zod schema over one part of the file and reports its issues in place.

import type { ZodType } from 'zod';
import { problemsFromIssues } from './issues.js';
import { defineKey, isPlainObject, type SettingPath } from './path.js';
import type { Reporter } from './report.js';
import { yamlTypeOf } from './describe.js';

export type Validated<T> = { ok: true; data: T } | { ok: false };

export function validate<T>(schema: ZodType<T>, input: unknown, basePath: SettingPath, reporter: Reporter): Validated<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const scope = { basePath, input, schema, written: (path: SettingPath) => reporter.written(path) };
  for (const problem of problemsFromIssues(result.error.issues, scope)) reporter.error(problem);
  return { ok: false };
}

/**
 * `key:` with nothing after it means "not set": the default applies, or the key is
 * reported as missing. (Zod's `.optional()` accepts undefined, not null.)
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== null) defineKey(out, key, withoutNulls(inner));
  }
  return out;
}

/**
 * The entries of a top-level mapping of names (`inputs`, `outputs`): reports it missing, empty
 * or not a mapping, and returns undefined then. `noun` is the singular: "input", "output".
 */
export function namedEntries(raw: unknown, path: SettingPath, noun: string, reporter: Reporter): Array<[string, unknown]> | undefined {
  const key = String(path[path.length - 1]);
  if (raw === undefined || raw === null || (isPlainObject(raw) && Object.keys(raw).length === 0)) {
    reporter.error({ code: 'CONFIG_MISSING', path, message: `\`${key}\` is missing and it is mandatory: declare at least one ${noun}` });
    return undefined;
  }
  if (!isPlainObject(raw)) {
    reporter.error({ code: 'CONFIG_WRONG_TYPE', path, message: `must be a mapping of ${noun} names to ${noun}s, not ${yamlTypeOf(raw)}` });
    return undefined;
  }
  return Object.entries(raw);
}
