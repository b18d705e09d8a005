// The default User-Agent, "siphon/<version>", read once from package.json.

import { readFileSync } from 'node:fs';

function packageVersion(): string | undefined {
  // src/http/*.ts when run from source, dist/src/http/*.js when built.
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'siphon' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there from this location: try the next.
    }
  }
  return undefined;
}

let cached: string | undefined;

export function defaultUserAgent(): string {
  cached ??= `siphon/${packageVersion() ?? 'unknown'}`;
  return cached;
}
