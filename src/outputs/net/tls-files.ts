// Certificates and keys named in an output's settings, read from their files (relative to
// the configuration's folder). A file that cannot be read is an OUTPUT_UNAVAILABLE error
// naming the setting and the path, never the content.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SiphonError } from '../../core/errors.js';

export interface PemFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/** Reads each named file; `settingOf` gives the setting name to report ("config.chain"). */
export async function readPemFiles(output: string, baseDir: string, files: PemFiles, settingOf: (which: keyof PemFiles) => string): Promise<PemFiles> {
  const read = async (which: keyof PemFiles): Promise<string | undefined> => {
    const path = files[which];
    if (path === undefined) return undefined;
    const full = resolve(baseDir, path);
    try {
      return await readFile(full, 'utf8');
    } catch (err) {
      throw new SiphonError(
        'OUTPUT_UNAVAILABLE',
        `Output ${output}: ${settingOf(which)}: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { output, setting: settingOf(which), path: full },
      );
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')]);
  return { ca, cert, key };
}
