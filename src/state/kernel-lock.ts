// A lock the kernel keeps for us: a listening Unix socket bound to a name in Linux's abstract
// namespace, derived from the state folder's device, inode and creation time (so every path to
// the folder, symlinks and bind mounts included, names the same lock, while a new folder that
// reuses a deleted one's inode does not). Only one socket can hold a name,
// and the kernel frees it the moment its process ends, also after kill -9 while the parent
// has not reaped it yet (a zombie has already closed everything it held). So a dead collector
// never blocks a restart, and of two collectors starting at once exactly one gets it, with no
// window in between as a lock file's read-check-delete has.
//
// Limits: abstract names exist on Linux only, and per network namespace; anyone on the host
// can bind a name (a squatter makes Siphon refuse to start, naming the socket). The lock
// file (lock.ts) stays beside it for those cases, and for people asking who holds the folder.

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import net from 'node:net';
import { errnoCode } from './os-errors.js';

export class KernelLock {
  private constructor(
    private readonly server: net.Server,
    /** The name as tools print it (`ss -xlp`): "@siphon-state-…". */
    readonly displayName: string,
  ) {}

  /** The socket name of `directory`'s lock, as `ss -xlp` prints it. */
  static async nameOf(directory: string): Promise<string> {
    const info = await stat(directory, { bigint: true });
    // birthtime is 0 where the file system does not keep it: device and inode then name the folder alone.
    const digest = createHash('sha256').update(`${info.dev}:${info.ino}:${info.birthtimeNs}`).digest('hex').slice(0, 32);
    return `@siphon-state-${digest}`;
  }

  /**
   * Holds the lock of `directory`: the lock, 'busy' when a live process holds it, or
   * 'unsupported' (not Linux, or the socket cannot be made here: the caller does without).
   */
  static async hold(directory: string): Promise<KernelLock | 'busy' | 'unsupported'> {
    if (process.platform !== 'linux') return 'unsupported';
    const displayName = await KernelLock.nameOf(directory);
    // Nobody has anything to say to the lock: a connection is closed at once.
    const server = net.createServer((socket) => socket.destroy());
    return new Promise((resolve) => {
      server.once('error', (err) => resolve(errnoCode(err) === 'EADDRINUSE' ? 'busy' : 'unsupported'));
      server.listen({ path: `\0${displayName.slice(1)}`, backlog: 1 }, () => {
        // Holding the lock must not keep the process running once its work is done.
        server.unref();
        resolve(new KernelLock(server, displayName));
      });
    });
  }

  release(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
