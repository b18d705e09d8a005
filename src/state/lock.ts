// An exclusive lock on a state directory: `<dir>/.lock`, created with O_EXCL, holding
// the owner's pid and the time its process started. Two collectors writing the same
// state would defeat compare-and-set between restarts, so the second one refuses to start.
//
// A lock whose process is gone is stale and taken over. The start time tells a stale
// lock from a live one when the pid is our own: in a container the collector is often
// pid 1 after every restart, and that old lock must not block the new process.
// Limitation: pids are checked on this host only; do not share a state directory
// between hosts.

import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SiphonError } from '../core/errors.js';
import { writeAll } from '../fs/write-all.js';
import { describeOsError, errnoCode } from './os-errors.js';

export const LOCK_FILE = '.lock';
const MAX_ATTEMPTS = 5;

interface Holder {
  pid: number;
  started: number | undefined;
}

function parseHolder(text: string): Holder | undefined {
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const started = Number(startLine?.trim());
  return { pid, started: startLine && Number.isFinite(started) ? started : undefined };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(err) === 'EPERM';
  }
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export class DirectoryLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /** Takes the lock on `directory` (which must exist) or throws PERSISTENCE_CONFLICT. */
  static async acquire(directory: string): Promise<DirectoryLock> {
    const path = join(directory, LOCK_FILE);
    const started = Math.round(performance.timeOrigin);
    const content = `${process.pid}\n${started}\n`;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (await tryCreate(path, content)) return new DirectoryLock(path, content);
        const existing = await readOrUndefined(path);
        if (existing === undefined) continue; // released meanwhile: try again
        const holder = parseHolder(existing);
        if (holder === undefined) {
          throw new SiphonError(
            'PERSISTENCE_CONFLICT',
            `State directory ${directory} has a lock file Siphon cannot read (${path}). If no other Siphon uses this directory, delete that file.`,
            { path },
          );
        }
        const ours = holder.pid === process.pid;
        const stale = ours ? holder.started !== undefined && holder.started !== started : !processAlive(holder.pid);
        if (!stale) {
          throw new SiphonError(
            'PERSISTENCE_CONFLICT',
            `State directory ${directory} is in use by process ${holder.pid}. Run one Siphon per state directory; if process ${holder.pid} is not Siphon, delete ${path}.`,
            { path, pid: holder.pid },
          );
        }
        // Remove the stale lock only if nobody replaced it since we read it.
        if ((await readOrUndefined(path)) === existing) await unlink(path).catch(ignoreMissing);
      }
    } catch (err) {
      if (err instanceof SiphonError) throw err;
      throw new SiphonError(
        'PERSISTENCE_WRITE_FAILED',
        `Could not lock state directory ${directory}: ${describeOsError(err)}`,
        { path, reason: errnoCode(err) },
        { cause: err },
      );
    }
    throw new SiphonError('PERSISTENCE_CONFLICT', `Could not take the lock on state directory ${directory}: other processes keep changing ${path}.`, {
      path,
    });
  }

  /** Removes the lock file if it is still ours. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readOrUndefined(this.path).catch(() => undefined);
    if (current === this.content) await unlink(this.path).catch(ignoreMissing);
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await writeAll(handle, content);
    await handle.sync();
  } catch (err) {
    // A lock file without its owner (a full disk, a file size limit) would block every later
    // start as "a lock file Siphon cannot read": it is ours, so it goes.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return true;
}

function ignoreMissing(err: unknown): void {
  if (errnoCode(err) !== 'ENOENT') throw err;
}
