// Is the process that wrote a lock file still there? kill(pid, 0) alone answers yes for a
// zombie (a process killed with -9 whose parent has not reaped it yet: exactly the moment a
// supervisor restarts it) and for an unrelated process that got the same pid later. Where
// /proc exists (Linux), a process's stat line tells both apart: its state (Z zombie, X dead)
// and its start time in clock ticks since boot, which the lock file records. Elsewhere
// (macOS, Windows) kill(pid, 0) is all there is.

import { readFile } from 'node:fs/promises';
import { errnoCode } from './os-errors.js';

/** alive; dying (a zombie: it holds nothing any more); gone (no such process, or the pid is another process's now). */
export type Liveness = 'alive' | 'dying' | 'gone';

interface ProcStat {
  state: string;
  startTicks: number;
}

/** Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; undefined when it cannot be read. */
async function readProcStat(pid: number | 'self'): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = Number(fields[19]);
  if (state === undefined || !Number.isSafeInteger(startTicks)) return undefined;
  return { state, startTicks };
}

/** This process's start time in clock ticks since boot, or undefined without /proc. */
export async function ownStartTicks(): Promise<number | undefined> {
  return (await readProcStat('self'))?.startTicks;
}

function signalZero(pid: number): Liveness {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(err) === 'EPERM' ? 'alive' : 'gone';
  }
}

/**
 * Whether `pid` is still the process that recorded `startTicks` (undefined: not recorded,
 * by an older Siphon or on a system without /proc).
 */
export async function livenessOf(pid: number, startTicks: number | undefined): Promise<Liveness> {
  const stat = await readProcStat(pid);
  // No /proc, or /proc mounted with hidepid (another user's processes are hidden): the
  // signal still tells "no such process" from "not yours".
  if (stat === undefined) return signalZero(pid);
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return 'dying';
  if (startTicks !== undefined && stat.startTicks !== startTicks) return 'gone';
  return 'alive';
}
