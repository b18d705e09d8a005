// The memory line Devo's operators know, every N seconds:
//   [GC] global: 20.4% -> 20.4%, process: RSS(34.50MiB -> 34.08MiB), VMS(410.52MiB -> 410.02MiB)
// "before -> after" brackets a garbage collection when Node exposes one (--expose-gc);
// otherwise both sides are the same reading. VMS is read from /proc where it exists.

import { freemem, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Clock, Logger } from '../core/contracts.js';

export interface MemoryReading {
  globalPercent: number;
  rss: number;
  vms: number | undefined;
}

function readVmsBytes(): number | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmSize:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function readMemory(): MemoryReading {
  return {
    globalPercent: ((totalmem() - freemem()) / totalmem()) * 100,
    rss: process.memoryUsage.rss(),
    vms: readVmsBytes(),
  };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)}MiB`;

export function formatMemoryLine(before: MemoryReading, after: MemoryReading): string {
  const vms =
    before.vms !== undefined && after.vms !== undefined ? `, VMS(${mib(before.vms)} -> ${mib(after.vms)})` : '';
  return (
    `[GC] global: ${before.globalPercent.toFixed(1)}% -> ${after.globalPercent.toFixed(1)}%, ` +
    `process: RSS(${mib(before.rss)} -> ${mib(after.rss)})${vms}`
  );
}

/** Logs the memory line every `intervalSeconds` until `signal` aborts. */
export async function runMemoryReporter(
  logger: Logger,
  clock: Clock,
  intervalSeconds: number,
  signal: AbortSignal,
): Promise<void> {
  if (intervalSeconds <= 0) return;
  const gc = (globalThis as { gc?: () => void }).gc;
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalSeconds * 1000, signal);
    } catch {
      return;
    }
    const before = readMemory();
    gc?.();
    logger.info(formatMemoryLine(before, readMemory()));
  }
}
