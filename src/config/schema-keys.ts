// The keys a zod schema accepts at a path, for "did you mean ...?" on unknown keys
// (zod's `unrecognized_keys` issue names the stray keys but not the accepted ones).

import type { core } from 'zod';
import type { SettingPath } from './path.js';

/**
 * A read-only view of the fields of zod v4 definitions we walk. Zod types `_zod.def` as a
 * union over every schema kind, so one cast here is simpler than a narrowing per kind.
 */
interface DefView {
  type: string;
  innerType?: core.$ZodType;
  shape?: Record<string, core.$ZodType>;
  element?: core.$ZodType;
  valueType?: core.$ZodType;
  options?: readonly core.$ZodType[];
  in?: core.$ZodType;
  out?: core.$ZodType;
  getter?: () => core.$ZodType;
  left?: core.$ZodType;
  right?: core.$ZodType;
}

function view(schema: core.$ZodType): DefView {
  return schema._zod.def as unknown as DefView;
}

const MAX_DEPTH = 32;

/** Peels wrappers (optional, default, pipe...) and splits unions into the schemas that really check a value. */
function leaves(schema: core.$ZodType, depth = 0): core.$ZodType[] {
  if (depth > MAX_DEPTH) return [];
  const def = view(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return def.innerType ? leaves(def.innerType, depth + 1) : [];
    case 'pipe': {
      // A pipe validates with `in` (then transforms); a preprocess pipe validates with `out`.
      if (!def.in || !def.out) return [];
      return view(def.in).type === 'transform' ? leaves(def.out, depth + 1) : leaves(def.in, depth + 1);
    }
    case 'lazy':
      return def.getter ? leaves(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => leaves(o, depth + 1));
    case 'intersection':
      return [...(def.left ? leaves(def.left, depth + 1) : []), ...(def.right ? leaves(def.right, depth + 1) : [])];
    default:
      return [schema];
  }
}

function children(schema: core.$ZodType, segment: string | number): core.$ZodType[] {
  const out: core.$ZodType[] = [];
  for (const leaf of leaves(schema)) {
    const def = view(leaf);
    if (def.type === 'object' && def.shape && Object.hasOwn(def.shape, String(segment))) {
      const child = def.shape[String(segment)];
      if (child) out.push(child);
    } else if (def.type === 'array' && def.element && typeof segment === 'number') {
      out.push(def.element);
    } else if (def.type === 'record' && def.valueType) {
      out.push(def.valueType);
    }
  }
  return out;
}

/** The keys the object(s) at `path` accept; empty when the schema has no object there. */
export function knownKeysAt(schema: core.$ZodType, path: SettingPath): string[] {
  let current = [schema];
  for (const segment of path) current = current.flatMap((s) => children(s, segment));
  const keys = new Set<string>();
  for (const s of current) {
    for (const leaf of leaves(s)) {
      const def = view(leaf);
      if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
    }
  }
  return [...keys];
}
