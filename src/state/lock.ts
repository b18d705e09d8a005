// An exclusive lock on a state directory. Two collectors writing the same state would defeat
// compare-and-set between restarts, so the second one refuses to start. Two locks together:
//
// - On Linux, a lock the kernel keeps (kernel-lock.ts): it is freed the moment its process
//   dies, even as an unreaped zombie right after kill -9, so a restart always starts.
// - Everywhere, `<dir>/.lock`, created with O_EXCL, holding the owner's pid, the time its
//   process started, and (with /proc) its start in clock ticks since boot. It says who holds
//   the folder (for people: `cat state/.lock`), and it is the lock where the kernel's cannot
//   see: other systems (macOS), collectors in another network namespace, older Siphons.
//
// A lock file whose process is gone is stale and taken over: no such pid, a zombie, or a pid
// now used by a process that started at another time (process-liveness.ts). When the pid is
// our own, the recorded start tells an earlier life from ours: in a container the collector
// is often pid 1 after every restart, and that old lock must not block the new process.
// Limitation: pids are checked on this host only; do not share a state directory between hosts.

import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SiphonError } from '../core/errors.js';
import { writeAll } from '../fs/write-all.js';
import { KernelLock } from './kernel-lock.js';
import { describeOsError, errnoCode } from './os-errors.js';
import { livenessOf, ownStartTicks } from './process-liveness.js';

const LOCK_FILE = '.lock';
const MAX_ATTEMPTS = 5;
/**
 * A busy kernel lock whose recorded holder is dying (or not written down yet: a collector
 * between taking the socket and writing the file) is tried again for this long.
 */
const KERNEL_WAIT_MS = 3_000;
const KERNEL_RETRY_MS = 50;

interface Holder {
  pid: number;
  /** ms since the epoch (performance.timeOrigin). */
  started: number | undefined;
  /** Clock ticks since boot (/proc/<pid>/stat field 22), where there is a /proc. */
  startTicks: number | undefined;
}

function formatHolder(holder: Holder): string {
  return [holder.pid, holder.started, holder.startTicks].filter((v) => v !== undefined).join('\n') + '\n';
}

function parseHolder(text: string): Holder | undefined {
  const [pidLine, startLine, ticksLine] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, started: optionalNumber(startLine), startTicks: optionalNumber(ticksLine) };
}

function optionalNumber(line: string | undefined): number | undefined {
  if (line === undefined || line.trim() === '') return undefined;
  const value = Number(line.trim());
  return Number.isFinite(value) ? value : undefined;
}

/** Whether a lock with our own pid was written by an earlier process (a container restart reuses pids). */
function earlierLifeOf(holder: Holder, me: Holder): boolean {
  if (holder.startTicks !== undefined && me.startTicks !== undefined) return holder.startTicks !== me.startTicks;
  return holder.started !== undefined && holder.started !== me.started;
}

function inUseBy(directory: string, path: string, pid: number): SiphonError {
  return new SiphonError(
    'PERSISTENCE_CONFLICT',
    `State directory ${directory} is in use by process ${pid}. Run one Siphon per state directory; if process ${pid} is not Siphon, delete ${path}.`,
    { path, pid },
  );
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
    private readonly kernel: KernelLock | undefined,
  ) {}

  /** Takes the lock on `directory` (which must exist) or throws PERSISTENCE_CONFLICT. */
  static async acquire(directory: string): Promise<DirectoryLock> {
    const path = join(directory, LOCK_FILE);
    const me: Holder = { pid: process.pid, started: Math.round(performance.timeOrigin), startTicks: await ownStartTicks() };
    const content = formatHolder(me);
    let kernel: KernelLock | undefined;
    try {
      kernel = await holdKernelLock(directory, path);
      await takeLockFile(directory, path, me, content);
      return new DirectoryLock(path, content, kernel);
    } catch (err) {
      await kernel?.release();
      if (err instanceof SiphonError) throw err;
      throw new SiphonError(
        'PERSISTENCE_WRITE_FAILED',
        `Could not lock state directory ${directory}: ${describeOsError(err)}`,
        { path, reason: errnoCode(err) },
        { cause: err },
      );
    }
  }

  /** Removes the lock file if it is still ours, then frees the kernel lock. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // The file first: a collector starting meanwhile must not find the socket free and our file still there.
    const current = await readOrUndefined(this.path).catch(() => undefined);
    if (current === this.content) await unlink(this.path).catch(ignoreMissing);
    await this.kernel?.release();
  }
}

/** The kernel lock (undefined where there is none); throws PERSISTENCE_CONFLICT while a live process holds it. */
async function holdKernelLock(directory: string, path: string): Promise<KernelLock | undefined> {
  const deadline = Date.now() + KERNEL_WAIT_MS;
  for (;;) {
    const held = await KernelLock.hold(directory);
    if (held === 'unsupported') return undefined;
    if (held !== 'busy') return held;
    const text = await readOrUndefined(path);
    const holder = text === undefined ? undefined : parseHolder(text);
    if (holder !== undefined && (await livenessOf(holder.pid, holder.startTicks)) === 'alive') throw inUseBy(directory, path, holder.pid);
    if (Date.now() >= deadline) {
      throw new SiphonError(
        'PERSISTENCE_CONFLICT',
        `State directory ${directory} is in use by another process, which holds its lock socket ${await KernelLock.nameOf(directory)} ` +
          '(`ss -xlp | grep siphon-state` shows which). Run one Siphon per state directory.',
        { path },
      );
    }
    await sleep(KERNEL_RETRY_MS);
  }
}

/** Creates the lock file, taking over a stale one. */
async function takeLockFile(directory: string, path: string, me: Holder, content: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await tryCreate(path, content)) return;
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
    const stale = holder.pid === me.pid ? earlierLifeOf(holder, me) : (await livenessOf(holder.pid, holder.startTicks)) !== 'alive';
    if (!stale) throw inUseBy(directory, path, holder.pid);
    // Remove the stale lock only if nobody replaced it since we read it.
    if ((await readOrUndefined(path)) === existing) await unlink(path).catch(ignoreMissing);
  }
  throw new SiphonError('PERSISTENCE_CONFLICT', `Could not take the lock on state directory ${directory}: other processes keep changing ${path}.`, {
    path,
  });
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
