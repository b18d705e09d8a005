// Zod issues -> catalogue problems. Zod v4 does not say what it received, so the value
// handed to zod is looked up at each issue's path to tell "missing" from "wrong type".

import type { core } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import { expectedPhrase, listWords, quote, yamlTypeOf } from './describe.js';
import { formatPath, valueAt, type PathSegment, type SettingPath } from './path.js';
import type { PendingProblem } from './report.js';
import { knownKeysAt } from './schema-keys.js';
import { closest } from './suggest.js';

export interface IssueScope {
  /** Where the validated value sits in the file: `['inputs', 'onepassword']`. */
  basePath: SettingPath;
  /** The value handed to zod. */
  input: unknown;
  /** The schema that produced the issues (for the keys it accepts). */
  schema: core.$ZodType;
  /** True when the file writes the path (a key with no value is not "missing"). */
  written: (path: SettingPath) => boolean;
}

// Listing every accepted key helps only while the list stays short.
const MAX_LISTED_KEYS = 15;

export function problemsFromIssues(issues: readonly core.$ZodIssue[], scope: IssueScope): PendingProblem[] {
  return issues.flatMap((issue) => fromIssue(issue, [], scope));
}

function fromIssue(issue: core.$ZodIssue, prefix: PathSegment[], scope: IssueScope): PendingProblem[] {
  const rel = [...prefix, ...issue.path.map(toSegment)];
  const path = [...scope.basePath, ...rel];
  const received = valueAt(scope.input, rel);
  const problem = (code: ErrorCode, message: string): PendingProblem[] => [{ code, path, message }];

  switch (issue.code) {
    case 'custom': {
      const code = catalogueCode(issue.params?.['siphonCode']);
      const devoId = issue.params?.['devoId'];
      const found = problem(code ?? 'CONFIG_INVALID_VALUE', issue.message);
      return typeof devoId === 'number' ? found.map((p) => ({ ...p, devoId })) : found;
    }
    case 'invalid_type':
      if (received === undefined) return missing(rel, path, scope);
      return problem('CONFIG_WRONG_TYPE', wrongType(expectedPhrase(issue.expected), received));
    case 'too_small':
      if (issue.origin === 'string' && (received === '' || Number(issue.minimum) === 1)) {
        return problem('CONFIG_EMPTY_STRING', 'must not be an empty string');
      }
      return problem('CONFIG_INVALID_VALUE', withReceived(range('at least', 'greater than', issue), issue.origin, received));
    case 'too_big':
      return problem('CONFIG_INVALID_VALUE', withReceived(range('at most', 'less than', issue), issue.origin, received));
    case 'unrecognized_keys': {
      const known = knownKeysAt(scope.schema, rel);
      return issue.keys.map((key) => ({ code: 'CONFIG_UNKNOWN_KEY', path: [...path, key], at: 'key', message: unknownKey(key, known) }));
    }
    case 'invalid_value': {
      if (received === undefined) return missing(rel, path, scope);
      const allowed = issue.values.map((v) => quote(v) ?? String(v));
      const what = allowed.length === 1 ? `must be ${allowed[0] ?? ''}` : `must be one of: ${allowed.join(', ')}`;
      return problem('CONFIG_INVALID_VALUE', withGot(what, received));
    }
    case 'invalid_union':
      return fromUnion(issue, rel, path, received, scope);
    case 'invalid_format':
      return problem('CONFIG_INVALID_VALUE', formatSentence(issue));
    case 'not_multiple_of':
      return problem('CONFIG_INVALID_VALUE', withGot(`must be a multiple of ${issue.divisor}`, received));
    case 'invalid_element':
      return issue.issues.flatMap((inner) => fromIssue(inner, [...rel, toSegment(issue.key)], scope));
    case 'invalid_key':
      return problem('CONFIG_INVALID_VALUE', `has a key that is not allowed: ${issue.issues.map((i) => i.message).join('; ')}`);
    default:
      return problem('CONFIG_INVALID_VALUE', (issue as core.$ZodIssueBase).message);
  }
}

function fromUnion(
  issue: core.$ZodIssueInvalidUnion,
  rel: PathSegment[],
  path: SettingPath,
  received: unknown,
  scope: IssueScope,
): PendingProblem[] {
  if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
    if (received === undefined) {
      const label = formatPath(rel);
      const choices = issue.options.map((o) => quote(o) ?? String(o));
      return [{ code: 'CONFIG_MISSING', path, message: `\`${label}\` is missing and it is mandatory: use one of ${listWords(choices)}` }];
    }
    const allowed = issue.options.map((o) => quote(o) ?? String(o)).join(', ');
    return [{ code: 'CONFIG_INVALID_VALUE', path, message: withGot(`must be one of: ${allowed}`, received) }];
  }
  const branches = issue.errors;
  if (branches.length === 0) return [{ code: 'CONFIG_INVALID_VALUE', path, message: 'matches more than one of the accepted forms' }];
  // Every branch failed on the type itself: one sentence listing the accepted types.
  const typeOnly = branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0);
  if (typeOnly) {
    if (received === undefined) return missing(rel, path, scope);
    const expected = [...new Set(branches.map((b) => expectedPhrase(b[0]?.code === 'invalid_type' ? b[0].expected : '')))];
    return [{ code: 'CONFIG_WRONG_TYPE', path, message: wrongType(listWords(expected), received) }];
  }
  // Otherwise report the branch that got furthest (deepest issue, then fewest issues): the form the operator meant.
  const score = (b: readonly core.$ZodIssue[]): number => Math.max(0, ...b.map((i) => i.path.length)) * 1000 - b.length;
  const best = branches.reduce((a, b) => (score(b) > score(a) ? b : a));
  return best.flatMap((inner) => fromIssue(inner, rel, scope));
}

function missing(rel: SettingPath, path: SettingPath, scope: IssueScope): PendingProblem[] {
  const label = formatPath(rel) || formatPath(path);
  const what = scope.written(path) ? 'has no value' : 'is missing';
  return [{ code: 'CONFIG_MISSING', path, message: `\`${label}\` ${what} and it is mandatory` }];
}

function wrongType(expected: string, received: unknown): string {
  let message = `must be ${expected}, not ${yamlTypeOf(received)}`;
  // YAML 1.1 habits: `yes`/`on` are strings under YAML 1.2.
  if (expected === 'true or false' && typeof received === 'string' && /^(yes|no|on|off|y|n|true|false)$/i.test(received)) {
    message += ' (write true or false, without quotes)';
  }
  return message;
}

function range(inclusiveWord: string, exclusiveWord: string, issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig): string {
  const limit = 'minimum' in issue ? issue.minimum : issue.maximum;
  const bound = issue.exact ? `exactly ${limit}` : `${issue.inclusive === false ? exclusiveWord : inclusiveWord} ${limit}`;
  switch (issue.origin) {
    case 'string':
      return `must be ${bound} characters long`;
    case 'array':
    case 'set':
      return `must have ${bound} item${Number(limit) === 1 ? '' : 's'}`;
    default:
      return `must be ${bound}`;
  }
}

/** Adds "(got 0)" for numbers only: a string here could be a secret. */
function withReceived(message: string, origin: string, received: unknown): string {
  return origin === 'number' || origin === 'int' ? withGot(message, received) : message;
}

function withGot(message: string, received: unknown): string {
  const shown = quote(received);
  return shown === undefined ? message : `${message} (got ${shown})`;
}

function formatSentence(issue: core.$ZodIssueInvalidStringFormat): string {
  const details = issue as core.$ZodIssueInvalidStringFormat & { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'regex':
      return `does not have the expected form (${issue.pattern ?? 'pattern'})`;
    case 'starts_with':
      return `must start with ${quote(details.prefix) ?? 'the expected prefix'}`;
    case 'ends_with':
      return `must end with ${quote(details.suffix) ?? 'the expected suffix'}`;
    case 'includes':
      return `must contain ${quote(details.includes) ?? 'the expected text'}`;
    default:
      return `is not a valid ${issue.format}`;
  }
}

function unknownKey(key: string, known: readonly string[]): string {
  const match = closest(key, known);
  if (match !== undefined) return `unknown setting \`${key}\`; did you mean \`${match}\`?`;
  if (known.length > 0 && known.length <= MAX_LISTED_KEYS) return `unknown setting \`${key}\`; the settings here are: ${known.join(', ')}`;
  return `unknown setting \`${key}\``;
}

function catalogueCode(value: unknown): ErrorCode | undefined {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value) ? (value as ErrorCode) : undefined;
}

function toSegment(key: unknown): PathSegment {
  return typeof key === 'number' ? key : String(key);
}
