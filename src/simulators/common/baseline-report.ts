// What each measured child process (a bench baseline, Siphon under the bench) reports about itself when it ends.
// Every contender is timed from the same point, its process's start: `performance.now()` counts
// from Node's time origin (set as the process starts) and `process.cpuUsage()` without an
// argument is the CPU spent since then. So Node's start-up and each contender's module loading
// (the baselines' undici; Siphon's configuration, schemas and connectors) count alike.
export interface ChildReport {
  events: number;
  wallMs: number;
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
}

export function reportSelf(events: number, exitCode: number): void {
  const cpu = process.cpuUsage();
  const report: ChildReport = {
    events,
    wallMs: performance.now(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    exitCode,
  };
  process.stdout.write(`BENCH ${JSON.stringify(report)}\n`);
}
