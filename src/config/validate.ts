// Runs one zod schema over one part of the file and reports its issues in place.

import type { ZodType } from 'zod';
import { problemsFromIssues } from './issues.js';
import { defineKey, isPlainObject, type SettingPath } from './path.js';
import type { Reporter } from './report.js';

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
