// One `inputs:` entry for a simulator, from what every vendor's entry has (id, quick retries,
// rate limit, services) and what its kit adds (URL, credentials, each stream's settings).
// Values are written as JSON, which YAML reads as flow style.

import type { InputBlock } from '../../core/plugin.js';

export interface InputParts {
  /** The connector type (written as `type:` when the input has another name). */
  readonly type: string;
  /** The URL and credential settings, as `key: value` pairs under the input. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Per stream, its settings in this block (already filtered by `block.streams`). */
  readonly streams: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export function renderInput(block: InputBlock, parts: InputParts): string {
  const lines = [`  ${block.name}:`];
  if (block.name !== parts.type) lines.push(`    type: ${parts.type}`);
  if (block.id !== undefined) lines.push(`    id: ${block.id}`);
  for (const [key, value] of Object.entries(parts.settings)) lines.push(`    ${key}: ${JSON.stringify(value)}`);
  if (block.fastRetries) lines.push('    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}');
  if (block.rateLimit === false) lines.push('    rate_limit: {enabled: false}');
  else if (block.rateLimit !== undefined) lines.push(`    rate_limit: {requests_per_minute: ${block.rateLimit}}`);
  lines.push('    services:');
  for (const [stream, settings] of Object.entries(parts.streams)) lines.push(`      ${stream}: ${JSON.stringify(settings)}`);
  return `${lines.join('\n')}\n`;
}

/** The streams a block reads, of those a vendor has. */
export function chosenStreams<T extends string>(block: InputBlock, all: readonly T[]): T[] {
  return block.streams ? all.filter((s) => block.streams?.includes(s)) : [...all];
}

/** Settings every stream of a block gets, under the vendor's own names; absent options are left out. */
export function streamOptions(block: InputBlock, names: { pageSize?: string; lag?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (block.requestPeriodSeconds !== undefined) out['request_period_in_seconds'] = block.requestPeriodSeconds;
  if (block.pageSize !== undefined && names.pageSize) out[names.pageSize] = block.pageSize;
  if (block.lagSeconds !== undefined && names.lag) out[names.lag] = block.lagSeconds;
  return out;
}

/** `2024-05-01T00:00:00Z`: RFC 3339 without milliseconds. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `2024-05-01 00:00:00` (UTC): the Devo collectors' own date format. */
export function spaced(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
