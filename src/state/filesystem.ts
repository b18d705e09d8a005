// The filesystem state store: one JSON file per service, `<dir>/<input>/<service>.json`.
// A write never leaves a half-written record behind: temp file in the same folder,
// fsync, rename over the target, fsync the folder. A record that cannot be read is an
// error, never a silent restart from scratch.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Checkpoint, StateKey, StateStore } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { writeAll } from '../fs/write-all.js';
import { KeyedQueue } from './keyed-queue.js';
import { DirectoryLock } from './lock.js';
import { decodeName, encodeName } from './names.js';
import { describeOsError, errnoCode } from './os-errors.js';
import { checkServiceState, describeKey, nextRecord, resetCommand, serializeState } from './record.js';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const STATE_SUFFIX = '.json';
/** Temp files start with "." (encoded names never do) and end with ".tmp". */
const TEMP_FILE = /^\..*\.tmp$/;

export interface FilesystemStoreOptions {
  /** Take the directory lock (default true). false for read-only commands such as `state show`. */
  lock?: boolean;
}

export class FilesystemStateStore implements StateStore {
  readonly kind = 'filesystem';
  /** Absolute path of the state directory. */
  readonly directory: string;
  private lock: DirectoryLock | undefined;
  private closed = false;
  private readonly queue = new KeyedQueue();
  /** Input folders already swept of crash leftovers (or being swept). */
  private readonly swept = new Map<string, Promise<void>>();

  /** A store without the directory lock; prefer `FilesystemStateStore.open`. */
  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  /** Opens the store; with the lock (default) it creates the directory and locks it. */
  static async open(directory: string, options: FilesystemStoreOptions = {}): Promise<FilesystemStateStore> {
    const store = new FilesystemStateStore(directory);
    if (options.lock ?? true) {
      try {
        await mkdir(store.directory, { recursive: true, mode: DIR_MODE });
      } catch (err) {
        throw writeFailed(store.directory, err, `Could not create state directory ${store.directory}`);
      }
      store.lock = await DirectoryLock.acquire(store.directory);
    }
    return store;
  }

  /** Where a service's record lives. */
  pathOf(key: StateKey): string {
    return join(this.directory, encodeName(key.input), encodeName(key.service) + STATE_SUFFIX);
  }

  async get(key: StateKey): Promise<Checkpoint | undefined> {
    this.assertOpen();
    const path = this.pathOf(key);
    await this.sweep(dirname(path));
    return readRecord(path, key);
  }

  async put(key: StateKey, state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint> {
    this.assertOpen();
    const path = this.pathOf(key);
    return this.queue.run(path, async () => {
      const next = nextRecord(state, expectedRevision);
      if (!next.ok) {
        throw new SiphonError('INTERNAL', `Refusing to save an invalid state for ${describeKey(key)}: ${next.reason}.`, { path });
      }
      const folder = dirname(path);
      await this.ensureFolder(folder);
      const current = await readRecord(path, key);
      if (current?.revision !== expectedRevision) throw conflict(path, key, expectedRevision, current?.revision);
      await writeAtomically(path, serializeState(next.state));
      return next.state;
    });
  }

  async delete(key: StateKey): Promise<boolean> {
    this.assertOpen();
    const path = this.pathOf(key);
    return this.queue.run(path, async () => {
      try {
        await unlink(path);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw writeFailed(path, err, `Could not delete state file ${path}`);
      }
      await syncDirectory(dirname(path));
      return true;
    });
  }

  async list(): Promise<StateKey[]> {
    this.assertOpen();
    const keys: StateKey[] = [];
    for (const folder of await this.readFolder(this.directory)) {
      if (!folder.isDirectory()) continue;
      const input = decodeName(folder.name);
      if (input === undefined) continue;
      for (const file of await this.readFolder(join(this.directory, folder.name))) {
        if (!file.isFile() || !file.name.endsWith(STATE_SUFFIX)) continue;
        const service = decodeName(file.name.slice(0, -STATE_SUFFIX.length));
        if (service !== undefined) keys.push({ input, service });
      }
    }
    return keys.sort((a, b) => compare(a.input, b.input) || compare(a.service, b.service));
  }

  /** Waits for writes in flight, then releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    await Promise.all(this.swept.values());
    await this.lock?.release();
    this.lock = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new SiphonError('INTERNAL', `The state store at ${this.directory} is closed.`);
  }

  private async readFolder(folder: string) {
    try {
      return await readdir(folder, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw new SiphonError('PERSISTENCE_UNREADABLE', `State folder ${folder} cannot be read: ${describeOsError(err)}.`, { path: folder }, { cause: err });
    }
  }

  private async ensureFolder(folder: string): Promise<void> {
    let created: string | undefined;
    try {
      created = await mkdir(folder, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw writeFailed(folder, err, `Could not create state folder ${folder}`);
    }
    // A new folder is only durable once its parent's entry is.
    if (created !== undefined) await syncDirectory(dirname(folder));
    await this.sweep(folder);
  }

  /**
   * Deletes temp files a crash left behind, once per folder. Only the lock holder does
   * it: without the lock, the temp file may belong to a live writer.
   */
  private sweep(folder: string): Promise<void> {
    if (this.lock === undefined) return Promise.resolve();
    let done = this.swept.get(folder);
    if (done === undefined) {
      done = removeTempFiles(folder);
      this.swept.set(folder, done);
    }
    return done;
  }
}

async function removeTempFiles(folder: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return; // missing folder: nothing to clean; anything else shows up on the real access
  }
  // Best effort: a leftover temp file is harmless, it is never read.
  await Promise.all(names.filter((n) => TEMP_FILE.test(n)).map((n) => rm(join(folder, n), { force: true }).catch(() => undefined)));
}

async function readRecord(path: string, key: StateKey): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    throw unreadable(path, key, `it cannot be read (${describeOsError(err)})`, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text, which may hold a sensitive cursor: keep the position only.
    const at = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
    throw unreadable(path, key, at === undefined ? 'it is not valid JSON' : `it is not valid JSON (at position ${at})`, undefined);
  }
  const checked = checkServiceState(parsed);
  if (!checked.ok) throw unreadable(path, key, checked.reason, undefined);
  return checked.state;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await writeAll(handle, text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeFailed(path, err, `Could not save state file ${path}`);
  }
  // After the rename the new record is what every reader sees. Failing here would make
  // the caller retry with a stale revision; a lost rename on power loss only replays
  // pages, which the dedup memory drops.
  await syncDirectory(folder);
}

/** fsync on a folder makes renames and new entries in it durable. Best effort (not on Windows). */
async function syncDirectory(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms and file systems cannot fsync a directory; the write itself stands.
  }
}

function unreadable(path: string, key: StateKey, reason: string, cause: unknown): SiphonError {
  return new SiphonError(
    'PERSISTENCE_UNREADABLE',
    `State file ${path} is corrupt: ${reason}. Siphon will not restart from scratch on its own: restore the file or run "${resetCommand(key)}".`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

function writeFailed(path: string, err: unknown, what: string): SiphonError {
  return new SiphonError('PERSISTENCE_WRITE_FAILED', `${what}: ${describeOsError(err)}.`, { path, reason: errnoCode(err) }, { cause: err });
}

function conflict(path: string, key: StateKey, expected: number | undefined, found: number | undefined): SiphonError {
  const show = (r: number | undefined) => (r === undefined ? 'no record' : `revision ${r}`);
  return new SiphonError(
    'PERSISTENCE_CONFLICT',
    `The state of ${describeKey(key)} changed under this process: expected ${show(expected)}, found ${show(found)} in ${path}. Another Siphon may be writing the same state.`,
    { path, expected, found },
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
