// Which services have lines in the file output's tail. Crash recovery asks the file whether a
// service's replayed page is already there, once per service after every start and every time
// a cluster replica takes a service over. Reading the tail for each ask is what kept a replica
// with 10,000 services busy for hours (each ask read up to recovery_scan_megabytes). One read
// names the services the tail holds; a service it does not name, and that was not written
// since, has nothing there to find, and the ask is answered without reading.
//
// The answer stays exact: the file only grows by this output's writes (its size is checked
// against the writes counted), and a rotated file (a new inode) or any size the writes do not
// explain (another writer, a cut after a failed write) reads the tail again. A line not in
// Siphon's own layout makes every service "maybe there": the full read decides, as before.

import type { FileHandle } from 'node:fs/promises';
import type { OutputRecord } from '../core/contracts.js';
import { serviceScope } from './line-prefix.js';
import { linesFromEnd } from './file-recovery.js';

/** A line's input and service (JSON strings) as the file output writes its prefix (file-lines.ts). */
const SCOPE = /^\{"tag":"(?:[^"\\]|\\.)*","input":("(?:[^"\\]|\\.)*"),"service":("(?:[^"\\]|\\.)*"),"event":/;

/** The scope of each run of records of one service (batches usually hold one service's pages). */
function* scopesOf(records: readonly OutputRecord[]): Generator<string> {
  let last: OutputRecord | undefined;
  for (const record of records) {
    if (last && record.input === last.input && record.service === last.service) continue;
    last = record;
    yield serviceScope(record.input, record.service);
  }
}

interface Summary {
  readonly inode: number;
  /** The file's size this summary accounts for: what was read, plus the writes counted since. */
  size: number;
  readonly scopes: Set<string>;
  /** Some line was not in Siphon's layout: no service can be ruled out. */
  readonly foreign: boolean;
}

export class TailServices {
  private summary: Summary | undefined;

  /**
   * Whether any keyed record's service may have lines within the last `limitBytes` of the
   * file (`inode`, now `size` bytes). Reads the tail only when no summary accounts for the file.
   */
  async mayHold(handle: FileHandle, inode: number, size: number, records: readonly OutputRecord[], limitBytes: number): Promise<boolean> {
    let summary = this.summary;
    if (!summary || summary.inode !== inode || summary.size !== size) {
      summary = await summarise(handle, inode, size, limitBytes);
      this.summary = summary;
    }
    if (summary.foreign) return true;
    for (const scope of scopesOf(records)) if (summary.scopes.has(scope)) return true;
    return false;
  }

  /** A batch landed whole: the file (`inode`) is now `size` bytes and holds these records' services. */
  wrote(records: readonly OutputRecord[], inode: number, size: number): void {
    const summary = this.summary;
    if (!summary || summary.inode !== inode) return; // the next ask reads the tail anyway
    for (const scope of scopesOf(records)) summary.scopes.add(scope);
    summary.size = size;
  }
}

async function summarise(handle: FileHandle, inode: number, size: number, limitBytes: number): Promise<Summary> {
  const scopes = new Set<string>();
  let foreign = false;
  for await (const line of linesFromEnd(handle, limitBytes, size)) {
    const match = SCOPE.exec(line);
    const input: unknown = match ? JSON.parse(match[1]!) : undefined;
    const service: unknown = match ? JSON.parse(match[2]!) : undefined;
    if (typeof input === 'string' && typeof service === 'string') {
      // Made anew from the parsed names: a piece cut from the line would keep the whole
      // megabyte it was read in alive for as long as the summary lives.
      scopes.add(serviceScope(input, service));
      continue;
    }
    foreign = true;
    break;
  }
  return { inode, size, scopes, foreign };
}
