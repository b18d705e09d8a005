// What each measured child process (a bench baseline, Siphon under the bench) reports about itself when it ends.
export interface ChildReport {
  events: number;
  wallMs: number;
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
}

export function reportSelf(events: number, startedAt: number, cpuAtStart: NodeJS.CpuUsage, exitCode: number): void {
  const cpu = process.cpuUsage(cpuAtStart);
  const report: ChildReport = {
    events,
    wallMs: performance.now() - startedAt,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    exitCode,
  };
  process.stdout.write(`BENCH ${JSON.stringify(report)}\n`);
}
