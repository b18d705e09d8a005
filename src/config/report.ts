// Collects every problem of one load, each placed at its line:column, so the operator
// sees them all at once.

import type { ErrorCode } from '../core/errors.js';
import { formatPath, isPrefix, type SettingPath } from './path.js';
import type { ConfigProblem } from './types.js';
import type { SourceProblem, YamlSource } from './yaml-source.js';

export interface PendingProblem {
  code: ErrorCode;
  path: SettingPath;
  message: string;
  devoId?: number;
  /** 'key' points at the key itself (unknown keys); 'value' at the value, or the parent when missing. */
  at?: 'key' | 'value';
}

export class Reporter {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  /** Values whose secret reference failed: their own validation problems would only repeat that. */
  private readonly unresolved: SettingPath[] = [];
  private readonly references = new Map<string, string[]>();

  constructor(private readonly source: YamlSource) {}

  error(problem: PendingProblem): void {
    if (this.unresolved.some((p) => isPrefix(p, problem.path))) return;
    this.problems.push(this.place(problem));
  }

  warn(problem: PendingProblem): void {
    this.warnings.push(this.place(problem));
  }

  /** A problem the YAML layer already placed (syntax errors, odd keys). */
  fromSource(problem: SourceProblem, kind: 'error' | 'warning'): void {
    const placed: ConfigProblem = { code: 'CONFIG_SYNTAX', ...problem };
    (kind === 'error' ? this.problems : this.warnings).push(placed);
  }

  /** Reports a failed reference and silences later problems about the same value. */
  unresolvedReference(path: SettingPath, message: string): void {
    this.problems.push(this.place({ code: 'CONFIG_SECRET_UNRESOLVED', path, message }));
    this.unresolved.push(path);
  }

  /** Remembers that the value at `path` came from references, to say so in its problems. */
  noteReferences(path: SettingPath, references: string[]): void {
    if (references.length > 0) this.references.set(formatPath(path), references);
  }

  /** True when the file writes this path (possibly with no value). */
  written(path: SettingPath): boolean {
    return this.source.has(path);
  }

  private place(problem: PendingProblem): ConfigProblem {
    const path = formatPath(problem.path);
    const { line, column } = this.source.positionOf(problem.path, problem.at ?? 'value');
    const refs = this.references.get(path);
    // "must not be an empty string" on `${env:X}` is a puzzle unless the source is named.
    const message = refs && problem.code !== 'CONFIG_SECRET_UNRESOLVED' ? `${problem.message} (the value comes from ${refs.join(', ')})` : problem.message;
    const placed: ConfigProblem = { code: problem.code, path, line, column, message };
    if (problem.devoId !== undefined) placed.devoId = problem.devoId;
    return placed;
  }
}
