// Crash recovery for the file output.
// 1. A crash in the middle of a write can leave a torn last line: it was never acknowledged,
//    so it is cut off (its events are delivered again).
// 2. After a restart, the first pages pulled again may already be in the file (written, not yet
//    committed when the process died). Reading the file's tail tells which, so they are not
//    written twice.

import type { FileHandle } from 'node:fs/promises';
import type { OutputRecord, VendorEvent } from '../core/contracts.js';
import { recordKey } from '../core/record-key.js';
import { serviceScope } from './line-prefix.js';

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** Cuts an incomplete last line. Returns the number of bytes removed. */
export async function trimTornLastLine(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === NEWLINE) return 0;
  let pos = size;
  while (pos > 0) {
    const len = Math.min(CHUNK_BYTES, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await handle.read(buf, 0, len, pos);
    const nl = buf.lastIndexOf(NEWLINE);
    if (nl !== -1) {
      const keep = pos + nl + 1;
      await handle.truncate(keep);
      return size - keep;
    }
  }
  await handle.truncate(0);
  return size;
}

/** Lines of the file from the end (from `knownSize`, else its size now), at most `limitBytes` read. */
export async function* linesFromEnd(handle: FileHandle, limitBytes: number, knownSize?: number): AsyncGenerator<string> {
  const size = knownSize ?? (await handle.stat()).size;
  let pos = size;
  let carry = Buffer.alloc(0);
  while (pos > 0 && size - pos < limitBytes) {
    const len = Math.min(CHUNK_BYTES, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await handle.read(buf, 0, len, pos);
    const joined = carry.length > 0 ? Buffer.concat([buf, carry]) : buf;
    const firstNl = pos === 0 ? -1 : joined.indexOf(NEWLINE);
    if (pos > 0 && firstNl === -1) {
      carry = joined; // one line longer than a chunk
      continue;
    }
    carry = pos === 0 ? Buffer.alloc(0) : joined.subarray(0, firstNl);
    const lines = joined.subarray(firstNl + 1).toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.length > 0) yield lines[i]!;
  }
}

/**
 * Indexes of `records` whose (input, service, key) already stands in the file's last
 * `limitBytes`. Lines of other services are skipped without parsing.
 */
export async function findRecordsInFile(
  handle: FileHandle,
  records: readonly OutputRecord[],
  keyOf: (event: VendorEvent) => string | undefined,
  limitBytes: number,
): Promise<Set<number>> {
  const found = new Set<number>();
  const wanted = new Map<string, number[]>();
  const scopes = new Set<string>();
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const key = recordKey(record, keyOf);
    if (key === undefined) continue;
    const id = `${record.input}\u0000${record.service}\u0000${key}`;
    wanted.set(id, [...(wanted.get(id) ?? []), i]);
    scopes.add(serviceScope(record.input, record.service));
  }
  if (wanted.size === 0) return found;
  const scopeList = [...scopes];
  for await (const line of linesFromEnd(handle, limitBytes)) {
    if (!scopeList.some((scope) => line.includes(scope))) continue;
    let parsed: { input?: unknown; service?: unknown; event?: unknown; key?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue; // not one of ours
    }
    if (!parsed.event || typeof parsed.event !== 'object') continue;
    // Lines carry the key the framework remembered; lines written before that get it recomputed.
    const key = typeof parsed.key === 'string' ? parsed.key : keyOf(parsed.event as VendorEvent);
    if (key === undefined) continue;
    const id = `${String(parsed.input)}\u0000${String(parsed.service)}\u0000${key}`;
    const indexes = wanted.get(id);
    if (!indexes) continue;
    for (const i of indexes) found.add(i);
    wanted.delete(id);
    if (wanted.size === 0) break;
  }
  return found;
}
