// Runs `siphon run --config <file> --once` in this process and reports its own cost.
// The parent counts the delivered lines afterwards (counting here would inflate peak RSS).
// With SIPHON_BENCH_MEMORY_SAMPLES=<file>, it also appends its memory there every 5 s, one
// JSON line each: process.memoryUsage() (bytes) with `at` (ms since the process started) and
// `heapAfterMajorGc`, the heap used just after the latest mark-compact (what is still alive,
// as opposed to garbage not yet collected): what grows, when RSS grows (the soak case).
// Usage: node dist/bench/siphon-child.js <config>
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { main } from '../src/cli/main.js';
import { reportSelf } from '../src/simulators/common/baseline-report.js';

const [config] = process.argv.slice(2);
if (!config) throw new Error('usage: siphon-child <config>');
// Timed from the process's start, as the baselines are (see baseline-report.ts).

/** A gc entry's detail ({kind, flags}; absent from the entry's declared type) says mark-compact. */
function isMajorGc(detail: unknown): boolean {
  return typeof detail === 'object' && detail !== null && 'kind' in detail && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/** Samples memory into `file` every 5 s until stopped. */
function sampleMemory(file: string): () => void {
  let heapAfterMajorGc: number | undefined;
  const gcs = new PerformanceObserver((list) => {
    // The observer runs soon after the collection: close enough to what it left alive.
    const major = list.getEntries().some((e) => isMajorGc('detail' in e ? e.detail : undefined));
    if (major) heapAfterMajorGc = process.memoryUsage().heapUsed;
  });
  gcs.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ at: Math.round(performance.now()), ...process.memoryUsage(), heapAfterMajorGc })}\n`);
  }, 5000).unref();
  return () => {
    clearInterval(timer);
    gcs.disconnect();
  };
}

const samplesFile = process.env['SIPHON_BENCH_MEMORY_SAMPLES'];
const stopSampling = samplesFile ? sampleMemory(samplesFile) : undefined;
const exitCode = await main(['node', 'siphon', 'run', '--config', config, '--once']);
stopSampling?.();
reportSelf(-1, exitCode);
