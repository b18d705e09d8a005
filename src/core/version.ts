// Siphon's version, read once from package.json: for `--version`, the start-up log line and
// the HTTP User-Agent. The file sits two folders up from src/core (sources) or three from
// dist/src/core (built).
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'siphon' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there from this location: try the next.
    }
  }
  return 'unknown';
}

export const SIPHON_VERSION = readVersion();
