// The stored form of a Checkpoint: validation (on read and before write) and the
// file text. Reasons name fields only, never values: cursors may be sensitive.

import type { JsonValue, Checkpoint, StateKey } from '../core/contracts.js';

export type CheckResult = { ok: true; state: Checkpoint } | { ok: false; reason: string };

const MAX_JSON_DEPTH = 64;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** True when `value` survives JSON.stringify/parse unchanged (depth-limited, so cycles fail). */
function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isPlainObject(value)) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  }
  return false;
}

/**
 * Checks every field of a record and returns a clean Checkpoint (known fields only,
 * fresh dedup array). `strictCursor` also checks that the cursor is plain JSON, which a
 * parsed file always is but a caller's object may not be.
 */
export function checkServiceState(value: unknown, strictCursor = false): CheckResult {
  const fail = (reason: string): CheckResult => ({ ok: false, reason });
  if (!isPlainObject(value)) return fail(`the record is ${kindOf(value)}, not an object`);

  const version = value['@persistence_version'];
  if (version !== 1) {
    const shown = typeof version === 'number' ? String(version) : kindOf(version);
    return fail(`"@persistence_version" is ${shown}, this Siphon reads version 1`);
  }
  const startSetting = value['start_setting'];
  if (startSetting !== null && typeof startSetting !== 'string') {
    return fail(`"start_setting" is ${kindOf(startSetting)}, expected a string or null`);
  }
  if (!Object.hasOwn(value, 'cursor') || value['cursor'] === undefined) return fail('"cursor" is missing');
  const cursor = value['cursor'];
  if (strictCursor && !isJsonValue(cursor)) return fail('"cursor" is not plain JSON');

  const dedupIn = value['dedup'];
  if (!Array.isArray(dedupIn)) return fail(`"dedup" is ${kindOf(dedupIn)}, expected an array`);
  const dedup: Array<[string, number | null]> = [];
  for (let i = 0; i < dedupIn.length; i++) {
    const pair: unknown = dedupIn[i];
    if (!Array.isArray(pair) || pair.length !== 2) return fail(`"dedup[${i}]" is not a [key, time] pair`);
    const [k, t] = pair as [unknown, unknown];
    if (typeof k !== 'string') return fail(`"dedup[${i}]" key is ${kindOf(k)}, expected a string`);
    if (t !== null && !isFiniteNumber(t)) return fail(`"dedup[${i}]" time is ${kindOf(t)}, expected a number or null`);
    dedup.push([k, t]);
  }

  const newest = value['newest_event_time'];
  if (newest !== null && !isFiniteNumber(newest)) {
    return fail(`"newest_event_time" is ${kindOf(newest)}, expected a number or null`);
  }
  const delivered = value['events_delivered'];
  if (!isCount(delivered)) return fail(`"events_delivered" is ${kindOf(delivered)}, expected a whole number >= 0`);
  const updatedAt = value['updated_at'];
  if (typeof updatedAt !== 'string') return fail(`"updated_at" is ${kindOf(updatedAt)}, expected a string`);
  const revision = value['revision'];
  if (!isCount(revision)) return fail(`"revision" is ${kindOf(revision)}, expected a whole number >= 0`);

  return {
    ok: true,
    state: {
      '@persistence_version': 1,
      start_setting: startSetting,
      cursor: cursor as JsonValue,
      dedup,
      newest_event_time: newest,
      events_delivered: delivered,
      updated_at: updatedAt,
      revision,
    },
  };
}

/**
 * The file text: one field per line and one dedup entry per line, so `cat` and diffs
 * stay readable even with thousands of keys. Dedup comes last because it is long.
 */
export function serializeState(state: Checkpoint): string {
  const head: Array<[string, unknown]> = [
    ['@persistence_version', state['@persistence_version']],
    ['start_setting', state.start_setting],
    ['cursor', state.cursor],
    ['newest_event_time', state.newest_event_time],
    ['events_delivered', state.events_delivered],
    ['updated_at', state.updated_at],
    ['revision', state.revision],
  ];
  const lines = head.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  if (state.dedup.length === 0) {
    lines.push('  "dedup": []');
  } else {
    lines.push('  "dedup": [');
    const last = state.dedup.length - 1;
    state.dedup.forEach((pair, i) => lines.push(`    ${JSON.stringify(pair)}${i === last ? '' : ','}`));
    lines.push('  ]');
  }
  return `{\n${lines.join('\n')}\n}\n`;
}

/** The record a put stores: the caller's state with the next revision, validated. */
export function nextRecord(state: Checkpoint, expectedRevision: number | undefined): CheckResult {
  if (expectedRevision !== undefined && !isCount(expectedRevision)) {
    return { ok: false, reason: 'the expected revision is not a whole number >= 0' };
  }
  return checkServiceState({ ...state, revision: (expectedRevision ?? 0) + 1 }, true);
}

/** How messages name a service's record. */
export function describeKey(key: StateKey): string {
  return `input "${key.input}" service "${key.service}"`;
}

/** The command that starts a service afresh, quoted for a POSIX shell. */
export function resetCommand(key: StateKey): string {
  return `siphon state reset --input ${shellWord(key.input)} --service ${shellWord(key.service)}`;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
