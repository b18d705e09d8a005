// Setting paths (`['inputs', 'onepassword', 'services', 'audit']`) and plain-value helpers.

export type PathSegment = string | number;
export type SettingPath = readonly PathSegment[];

/** `inputs.onepassword.services.audit.obfuscation[0].path` */
export function formatPath(path: SettingPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export function isPrefix(prefix: SettingPath, path: SettingPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The value at `path` inside plain objects and arrays, or undefined. */
export function valueAt(root: unknown, path: SettingPath): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current) && Object.hasOwn(current, String(segment))) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

/** Sets a property without ever touching the prototype (a YAML key may be `__proto__`). */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
