// Writing everything or failing: the one way Siphon writes to a file it opened.
//
// A write(2) may take only part of what it is given: a disk that fills up, a quota, or a
// file size limit (`ulimit -f`; Node ignores SIGXFSZ) accept the bytes up to the limit and
// report how many. `FileHandle.write` passes that count on, and a caller that ignores it
// acknowledges bytes that are not in the file. Here the rest is written until all of it is
// in, and a refusal (EFBIG, ENOSPC, EDQUOT, EIO...) or a write that takes nothing throws
// an IncompleteWriteError telling how much did land, so the caller can undo it.

import { write as fsWrite } from 'node:fs';
import { open } from 'node:fs/promises';

/** A write that did not take everything. `written` bytes of it are in the file (at its end, for an append). */
export class IncompleteWriteError extends Error {
  /** The system's error code (EFBIG, ENOSPC...), or undefined when a write took nothing without an error. */
  readonly code: string | undefined;

  constructor(
    readonly written: number,
    readonly total: number,
    cause: unknown,
  ) {
    const code = systemCode(cause);
    // "EFBIG: file too large (1024 of 5120 bytes written)": Node's text without the ", write" it appends.
    const reason = cause === undefined ? 'the system accepted no more bytes' : (errorText(cause).split(', ')[0] ?? '');
    super(`${reason} (${written} of ${total} bytes written)`, cause === undefined ? undefined : { cause });
    this.name = 'IncompleteWriteError';
    this.code = code;
  }
}

/** What writeAll needs of a file: a FileHandle, or `descriptorWriter` for a descriptor Siphon did not open. */
export interface ByteWriter {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
}

/**
 * Writes all of `data` at the file's position (its end, for a file opened to append),
 * looping over short writes. Throws IncompleteWriteError when the system refuses the rest.
 */
export async function writeAll(handle: ByteWriter, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let written = 0;
  while (written < bytes.length) {
    let n: number;
    try {
      ({ bytesWritten: n } = await handle.write(bytes, written, bytes.length - written));
    } catch (err) {
      throw new IncompleteWriteError(written, bytes.length, err);
    }
    // A regular file never takes zero bytes of a non-empty write unless something is wrong: stop rather than spin.
    if (n <= 0) throw new IncompleteWriteError(written, bytes.length, undefined);
    written += n;
  }
}

/** Creates or replaces the file at `path` with `data`, all of it or an error (IncompleteWriteError, or the open's own). */
export async function writeFileAll(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const handle = await open(path, 'w', mode);
  try {
    await writeAll(handle, data);
  } finally {
    await handle.close();
  }
}

/** A ByteWriter on an open descriptor (standard output), at its current position. */
export function descriptorWriter(fd: number): ByteWriter {
  return {
    write: (buffer, offset, length) =>
      new Promise((resolve, reject) => {
        fsWrite(fd, buffer, offset, length, null, (err, bytesWritten) => (err ? reject(err) : resolve({ bytesWritten })));
      }),
  };
}

function systemCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
