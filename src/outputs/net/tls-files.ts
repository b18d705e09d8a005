// Certificates and keys named in an output's settings, read from their files (relative to
// the configuration's folder). A file that cannot be read is an OUTPUT_UNAVAILABLE error
// naming the setting and the path, never the content.

import { resolve } from 'node:path';
import { SiphonError } from '../../core/errors.js';
import { readRegularFileSync } from '../../config/bounded-read.js';

export interface PemFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/** Reads each named file; `settingOf` gives the setting name to report ("config.chain"). */
export async function readPemFiles(output: string, baseDir: string, files: PemFiles, settingOf: (which: keyof PemFiles) => string): Promise<PemFiles> {
  const read = (which: keyof PemFiles): string | undefined => {
    const path = files[which];
    if (path === undefined) return undefined;
    const full = resolve(baseDir, path);
    // A regular file only, and a bounded one: a FIFO named here must not block the collector.
    const file = readRegularFileSync(full);
    if (file.ok) return file.text;
    throw new SiphonError('OUTPUT_UNAVAILABLE', `Output ${output}: ${settingOf(which)}: cannot read ${full} (${file.code ?? file.why})`, { output, setting: settingOf(which), path: full });
  };
  const [ca, cert, key] = [read('ca'), read('cert'), read('key')];
  return { ca, cert, key };
}
