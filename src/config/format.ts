// One problem as one line, the way compilers do: editors and terminals make file:line:col clickable.

import { formatCode } from '../core/errors.js';
import type { ConfigProblem } from './types.js';

/** `config.yaml:14:7 [InitVariablesError 4] inputs.onepassword.services.audit.start_time_value: "2024-13-01" is not a valid date ...` */
export function formatProblem(p: ConfigProblem, file: string): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.column}` : file;
  const what = p.path === '' ? p.message : `${p.path}: ${p.message}`;
  return `${where} [${formatCode(p.code, p.devoId)}] ${what}`;
}
