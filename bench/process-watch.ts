// Samples a running process from the outside, as an operator's monitoring would: resident
// memory (VmRSS) and CPU time (utime + stime) from /proc, every `intervalMs`.
import { readFile } from 'node:fs/promises';

export interface ProcessSample {
  /** ms since the watch started */
  readonly at: number;
  readonly rssMb: number;
  readonly cpuSeconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100;

async function sample(pid: number): Promise<{ rssMb: number; cpuSeconds: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!rss) return undefined;
    return { rssMb: Number(rss[1]) / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return undefined; // the process is gone
  }
}

export class ProcessWatch {
  readonly samples: ProcessSample[] = [];
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs: number) {
    this.timer = setInterval(() => {
      void sample(pid).then((s) => {
        if (s) this.samples.push({ at: Date.now() - this.started, ...s });
      });
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Samples taken from `fromMs` on (ms since the start). */
  since(fromMs: number): ProcessSample[] {
    return this.samples.filter((s) => s.at >= fromMs);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN);
}

/** CPU used between the first and the last sample, as a percentage of one core. */
export function cpuPercent(samples: readonly ProcessSample[]): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at === first.at) return Number.NaN;
  return ((last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000)) * 100;
}
