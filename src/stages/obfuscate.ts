// Field obfuscation, applied to each event before it leaves Siphon.
//
// Paths are dot paths ("client.ip_address"). To reach into arrays, suffix a segment with
// "[]" ("actors[].email") or use a "*" segment ("actors.*.email"). A plain segment that
// meets an array also applies to every element, so "actors.email" does not silently
// miss data. A path that is absent from an event is skipped. Keys containing "." or
// "[" cannot be addressed.
//
// Methods:
//   hash  "hmac-sha256:" + hex HMAC-SHA256 of the value under the configured key (strings
//         as they are, anything else as its JSON text). Equal values give equal tokens,
//         so analysts can still correlate; without the key they cannot be reversed by guessing.
//   mask  strings -> "*" of the same length (at most 16), numbers -> 0, booleans -> false,
//         null stays null, objects and arrays -> "[MASKED]".
//   drop  the key is deleted (from every array element); for a path ending in "[]" or
//         "*" the array is emptied.
// Events are changed in place, so the remaining keys keep their order.

import { createHmac } from 'node:crypto';
import type { ObfuscationRule, VendorEvent } from '../core/contracts.js';

/** Obfuscates one event in place; returns how many fields it changed. */
export type Obfuscator = (event: VendorEvent) => number;

/** A path step: a key of an object, or every element of an array. */
export type PathStep = { kind: 'key'; name: string } | { kind: 'each' };

const MASK_MAX = 16;
const MASKED = '[MASKED]';

/** Parses an obfuscation path; throws an Error saying what is wrong with it. */
export function parseObfuscationPath(path: string): PathStep[] {
  if (path.trim() === '') throw new Error('obfuscation path is empty');
  const steps: PathStep[] = [];
  for (const segment of path.split('.')) {
    if (segment === '*') {
      steps.push({ kind: 'each' });
      continue;
    }
    const m = /^([^[\]]*)((?:\[\])*)$/.exec(segment);
    if (!m || (m[1] === '' && m[2] === '')) {
      throw new Error(`obfuscation path "${path}" has an invalid segment "${segment}" (use "name", "name[]" or "*")`);
    }
    const name = m[1] ?? '';
    if (name !== '') steps.push({ kind: 'key', name });
    for (let i = 0; i < (m[2] ?? '').length / 2; i++) steps.push({ kind: 'each' });
  }
  return steps;
}

type Transform = (value: unknown) => unknown;

function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return '*'.repeat(Math.min(value.length, MASK_MAX));
  if (typeof value === 'number') return 0;
  if (typeof value === 'boolean') return false;
  if (value === null) return null;
  return MASKED;
}

function hashWith(key: string): Transform {
  return (value) => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
    return `hmac-sha256:${createHmac('sha256', key).update(text, 'utf8').digest('hex')}`;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `transform` (or deletion when undefined) at `steps` below `root`.
 * Returns the number of values changed. It walks with a list of places still to visit rather
 * than by recursion: a key step meeting nested arrays reaches into every level, and a vendor
 * event nested thousands of levels deep must not overflow the stack here.
 */
function apply(root: unknown, steps: readonly PathStep[], transform: Transform | undefined): number {
  let count = 0;
  const pending: Array<{ node: unknown; index: number }> = [{ node: root, index: 0 }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { node, index } = visit;
    const step = steps[index];
    if (step === undefined) continue;
    const last = index === steps.length - 1;

    if (Array.isArray(node)) {
      if (step.kind === 'each' && last) {
        count += node.length;
        if (transform === undefined) node.length = 0;
        else for (let i = 0; i < node.length; i++) node[i] = transform(node[i]);
        continue;
      }
      // "each" steps into every element; a key step meeting an array reaches into each element.
      const next = step.kind === 'each' ? index + 1 : index;
      // Pushed last to first, so elements are visited in their order.
      for (let i = node.length - 1; i >= 0; i--) pending.push({ node: node[i], index: next });
      continue;
    }

    if (!isObject(node) || step.kind !== 'key' || !Object.hasOwn(node, step.name)) continue;
    if (!last) {
      pending.push({ node: node[step.name], index: index + 1 });
      continue;
    }
    if (transform === undefined) delete node[step.name];
    else node[step.name] = transform(node[step.name]);
    count += 1;
  }
  return count;
}

/**
 * Compiles the rules into one function, or undefined when there are none. Throws an Error
 * for an invalid path or a hash rule without a key (the config module reports these first).
 */
export function compileObfuscation(rules: readonly ObfuscationRule[], hashKey: string | undefined): Obfuscator | undefined {
  if (rules.length === 0) return undefined;
  const compiled = rules.map((rule) => {
    const steps = parseObfuscationPath(rule.path);
    let transform: Transform | undefined;
    switch (rule.method) {
      case 'hash':
        if (hashKey === undefined || hashKey === '') {
          throw new Error(`obfuscation rule "${rule.path}" uses "hash" but no hash key is configured`);
        }
        transform = hashWith(hashKey);
        break;
      case 'mask':
        transform = maskValue;
        break;
      case 'drop':
        transform = undefined;
        break;
      default:
        throw new Error(`obfuscation rule "${rule.path}" has an unknown method "${String(rule.method)}"`);
    }
    return { steps, transform };
  });
  return (event) => {
    let count = 0;
    for (const { steps, transform } of compiled) count += apply(event, steps, transform);
    return count;
  };
}
