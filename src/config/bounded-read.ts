// Reading the files a configuration consists of (the file itself, ${file:PATH} secrets, the
// certificates and keys it names) with a size limit, so that a wrong path (a log file, a disk
// image, /dev/zero) ends with a clear error instead of a process that grows without end, and,
// apart from the configuration itself, only regular files, so that a named pipe without a
// writer cannot block the start for ever.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

const MIB = 1024 * 1024;

/**
 * The largest configuration file read. A service takes a few lines, so a thousand inputs with
 * their services stay within 100-200 KB; 4 MiB is twenty times that, and still parses in seconds.
 */
const MAX_CONFIG_FILE_BYTES = 4 * MIB;

/** The largest `${file:PATH}` value, certificate or key file: a token, a password or a PEM bundle, all far smaller. */
const MAX_SECRET_FILE_BYTES = 1 * MIB;

/** `why` in words; `code` the system's error code where there was one (ENOENT...), for messages that always showed it. */
export type BoundedRead = { ok: true; text: string } | { ok: false; why: string; code?: string };

/** "4 MiB", "59.0 MiB", "812 KiB", "12 bytes". */
function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${Number.isInteger(bytes / MIB) ? bytes / MIB : (bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/**
 * The configuration file's text. Its size is checked before anything is read, and reading stops
 * one byte past the limit (the file may grow meanwhile; a pipe has no size to check).
 */
export async function readConfigFileText(path: string): Promise<BoundedRead> {
  const limit = MAX_CONFIG_FILE_BYTES;
  const tooLarge = (size: string): BoundedRead => ({
    ok: false,
    why: `it is ${size}, more than the ${formatBytes(limit)} a configuration file may take (a thousand inputs need well under 1 MiB): is it the right file?`,
  });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, why: describeFsError(err) };
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) return { ok: false, why: 'it is a folder' };
    if (stats.isFile() && stats.size > limit) return tooLarge(formatBytes(stats.size));
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > limit) return tooLarge(`more than ${formatBytes(limit)}`);
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return { ok: false, why: describeFsError(err) };
  } finally {
    await handle.close();
  }
}

/**
 * A `${file:PATH}` value, a certificate or a key: a regular file of at most `limit` bytes. It is
 * opened without blocking and judged on what was opened (fstat), so a path swapped for a FIFO
 * between a check and the open cannot block: a FIFO, a device, a socket or a folder is refused.
 */
export function readRegularFileSync(path: string, limit = MAX_SECRET_FILE_BYTES): BoundedRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. (Windows has no such flag, nor FIFOs.)
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return failed(err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, why: `${notRegular(stats)}, not a regular file` };
    if (stats.size > limit) return { ok: false, why: `it is ${formatBytes(stats.size)}, more than the limit of ${formatBytes(limit)}` };
    // Up to one byte past the limit: the file may have grown since fstat.
    const buffer = Buffer.alloc(limit + 1);
    let total = 0;
    while (total < buffer.length) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > limit) return { ok: false, why: `it is more than the limit of ${formatBytes(limit)}` };
    return { ok: true, text: buffer.subarray(0, total).toString('utf8') };
  } catch (err) {
    return failed(err);
  } finally {
    closeSync(fd);
  }
}

function failed(err: unknown): BoundedRead {
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? { ok: false, why: describeFsError(err) } : { ok: false, why: describeFsError(err), code };
}

function notRegular(stats: Stats): string {
  if (stats.isDirectory()) return 'it is a folder';
  if (stats.isFIFO()) return 'it is a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'it is a device';
  if (stats.isSocket()) return 'it is a socket';
  return 'it is not a file';
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  switch (code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code;
  }
}
