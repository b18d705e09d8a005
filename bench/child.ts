// Starting a measured contender: a child process that prints one `BENCH <json>` line (its
// ChildReport) when it ends. The Siphon child's Node flags come from the environment.
import { spawn } from 'node:child_process';
import type { ChildReport } from '../src/simulators/common/baseline-report.js';

/** 1: show the contenders' stderr (Siphon's log), to see why a run failed. */
const VERBOSE = process.env['SIPHON_BENCH_VERBOSE'] === '1';
/** A folder: the Siphon child runs under `node --cpu-prof` and leaves its profiles there (figures then include the profiler's cost). */
const PROFILE_DIR = process.env['SIPHON_BENCH_PROFILE'];
/** Extra Node flags for the Siphon child only (V8 heap sizing experiments): `--max-semi-space-size=4 ...`. */
export const NODE_ARGS: readonly string[] = (process.env['SIPHON_BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a.length > 0);

/** The Node flags of the Siphon child (profiling, V8 experiments). */
export function siphonNodeArgs(): string[] {
  return [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...NODE_ARGS];
}

/** Runs `script` to its end; `onStart` gets its pid (to watch it from /proc). */
export function runChild(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
  env: Readonly<Record<string, string>> = {},
  onStart: (pid: number) => void = () => undefined,
): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', VERBOSE ? 'inherit' : 'ignore'] });
    if (child.pid !== undefined) onStart(child.pid);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (!line) return reject(new Error(`${script} exited ${code} without a report`));
      resolve(JSON.parse(line.slice(6)) as ChildReport);
    });
  });
}
