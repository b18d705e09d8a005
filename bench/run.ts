// `npm run bench`: Siphon against a bare baseline over the same simulator, in the same run.
// Each contender runs in its own child process (so CPU and peak RSS are its own), twice,
// alternating, and the better run of each is kept. What counts is what arrived at the
// destination (file lines, or whole frames at the receiver), never what a contender says it
// sent. The machine is shared and noisy: compare the ratio, not the absolute figures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_CASES, siphonConfig, type BenchCase, type RunningCase } from './cases.js';
import { runChild, siphonNodeArgs } from './child.js';
import { runMany, runSteady, type LongCaseResult } from './long-cases.js';
import { clusterReport, runCluster, type ClusterResult } from './cluster.js';
import { runSoak, soakReport, type SoakResult } from './soak.js';
import type { ChildReport } from '../src/simulators/common/baseline-report.js';
import type { Contender, Delivery } from './destinations.js';

const EVENTS = Number(process.env['SIPHON_BENCH_EVENTS'] ?? 200_000);
const ROUNDS = Number(process.env['SIPHON_BENCH_ROUNDS'] ?? 2);
/**
 * The cases to run (default: all but cluster): named as arguments (`npm run bench -- cluster`,
 * `npm run bench -- lastpass devo`), else in SIPHON_BENCH_CASES, comma-separated.
 */
const NAMED = process.argv.slice(2).flatMap((arg) => arg.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
const ONLY = NAMED.length > 0 ? NAMED : process.env['SIPHON_BENCH_CASES']?.split(',').map((s) => s.trim());

interface Run extends ChildReport {
  readonly bytes: number;
  readonly connections?: number;
  readonly problem?: string;
}

/** One run of one contender into a fresh destination; `events` is what arrived there. */
async function runOnce(running: RunningCase, dir: string, contender: Contender): Promise<Run> {
  const destination = await running.destination.open(dir, contender);
  let report: ChildReport | undefined;
  let delivery: Delivery;
  try {
    if (contender === 'baseline') {
      report = await runChild(running.baseline.script, [...running.baseline.args, ...destination.baselineArgs]);
    } else {
      const config = join(dir, 'config.yaml');
      await writeFile(config, siphonConfig(dir, destination.siphonOutputs, running.siphonInputs));
      report = await runChild('dist/bench/siphon-child.js', [config], siphonNodeArgs(), running.env);
    }
  } finally {
    // Always, so that a receiver process never outlives a failed run.
    delivery = await destination.delivered();
  }
  return { ...report, events: delivery.events, bytes: delivery.bytes, connections: delivery.connections, ...(delivery.problem ? { problem: delivery.problem } : {}) };
}

const eps = (r: ChildReport): number => r.events / (r.wallMs / 1000);
const best = (runs: Run[]): Run => runs.reduce((a, b) => (eps(b) > eps(a) ? b : a));

/** One line of the summary printed at the end. */
interface Summary {
  readonly name: string;
  readonly siphon: ChildReport;
  readonly baseline: ChildReport;
}

async function runCase(benchCase: BenchCase): Promise<Summary> {
  const running = await benchCase.start(EVENTS);
  const baseline: Run[] = [];
  const siphon: Run[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-'));
      try {
        baseline.push(await runOnce(running, dir, 'baseline'));
        siphon.push(await runOnce(running, dir, 'siphon'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await running.close();
  }
  for (const [who, runs] of [['siphon', siphon], ['baseline', baseline]] as const) {
    for (const r of runs) {
      if (r.exitCode !== 0 || r.events !== running.events || r.problem) throw new Error(`${benchCase.name}: ${who} run failed: ${JSON.stringify(r)}`);
    }
  }
  const b = best(baseline);
  const s = best(siphon);
  const { baselineLabel, siphonLabel } = running.destination;
  const width = Math.max(31, baselineLabel.length, siphonLabel.length);
  const row = (name: string, r: Run): string =>
    `| ${name.padEnd(width)} | ${r.events.toString().padStart(7)} | ${eps(r).toFixed(0).padStart(9)} | ${r.cpuSeconds.toFixed(2).padStart(7)} | ${r.peakRssMb.toFixed(1).padStart(13)} |`;
  console.log(`\n${running.title}, best of ${ROUNDS} run(s) each, Node ${process.version}\n`);
  console.log(`| ${'contender'.padEnd(width)} |  events |  events/s |   CPU s | peak RSS (MB) |`);
  console.log(`|${'-'.repeat(width + 2)}|---------|-----------|---------|---------------|`);
  console.log(row(baselineLabel, b));
  console.log(row(siphonLabel, s));
  console.log(
    `\nratio siphon/baseline: events/s ${(eps(s) / eps(b)).toFixed(2)} (target >= 0.90), ` +
      `peak RSS ${(s.peakRssMb / b.peakRssMb).toFixed(2)} (siphon ${s.peakRssMb.toFixed(1)} MB)`,
  );
  console.log(`all runs: baseline ${baseline.map((r) => eps(r).toFixed(0)).join(', ')} ev/s; siphon ${siphon.map((r) => eps(r).toFixed(0)).join(', ')} ev/s`);
  const connections = s.connections === undefined ? '' : `; connections: baseline ${b.connections ?? '?'}, siphon ${s.connections}`;
  console.log(`bytes delivered per event: baseline ${(b.bytes / b.events).toFixed(0)}, siphon ${(s.bytes / s.events).toFixed(0)}${connections}`);
  return { name: benchCase.name, siphon: s, baseline: b };
}

/** Every case in one table, best run of each contender (targets: events/s ratio >= 0.90, RSS ratio <= 1.10). */
function printSummary(rows: readonly Summary[]): void {
  if (rows.length === 0) return;
  console.log(`\nSummary (${EVENTS} events a case, best of ${ROUNDS}; soak: ${SOAK_EVENTS} events, one run each; Node ${process.version})\n`);
  console.log('| case        | Siphon ev/s | baseline ev/s | ratio | Siphon peak RSS (MB) | baseline peak RSS (MB) | RSS ratio |');
  console.log('|-------------|-------------|---------------|-------|----------------------|------------------------|-----------|');
  for (const { name, siphon, baseline } of rows) {
    const cells = [
      name.padEnd(11),
      eps(siphon).toFixed(0).padStart(11),
      eps(baseline).toFixed(0).padStart(13),
      (eps(siphon) / eps(baseline)).toFixed(2).padStart(5),
      siphon.peakRssMb.toFixed(1).padStart(20),
      baseline.peakRssMb.toFixed(1).padStart(22),
      (siphon.peakRssMb / baseline.peakRssMb).toFixed(2).padStart(9),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

/** The long cases' table; the per-service cost when both ran. */
function printLongSummary(rows: readonly LongCaseResult[]): void {
  if (rows.length === 0) return;
  console.log('\n| case   | services | RSS at end (MB) | RSS median (MB) | RSS peak (MB) | idle CPU (% of a core) |');
  console.log('|--------|----------|-----------------|-----------------|---------------|------------------------|');
  for (const r of rows) {
    const cells = [r.name.padEnd(6), String(r.services).padStart(8), r.rssEndMb.toFixed(1).padStart(15), r.rssMedianMb.toFixed(1).padStart(15), r.rssPeakMb.toFixed(1).padStart(13), r.idleCpuPercent.toFixed(2).padStart(22)];
    console.log(`| ${cells.join(' | ')} |`);
  }
  for (const r of rows) for (const note of r.notes) console.log(`${r.name}: ${note}`);
  const steady = rows.find((r) => r.name === 'steady');
  const many = rows.find((r) => r.name === 'many');
  if (steady && many) {
    const perService = ((many.rssMedianMb - steady.rssEndMb) * 1024) / (many.services - steady.services);
    console.log(`per-service cost: ${perService.toFixed(1)} KB (settled RSS of 'many' minus 'steady', over ${many.services - steady.services} extra services)`);
  }
}

/** Seconds the long cases run: the steady case's target is read after 10 minutes. */
const STEADY_SECONDS = Number(process.env['SIPHON_BENCH_STEADY_SECONDS'] ?? 600);
const MANY_SECONDS = Number(process.env['SIPHON_BENCH_MANY_SECONDS'] ?? 360);
/** Events of the soak case (the other cases keep SIPHON_BENCH_EVENTS). */
const SOAK_EVENTS = Number(process.env['SIPHON_BENCH_SOAK_EVENTS'] ?? 10_000_000);
/** Streams of the cluster case (1Password accounts of three services each, rounded up). */
const CLUSTER_STREAMS = Number(process.env['SIPHON_BENCH_CLUSTER_STREAMS'] ?? 10_000);
const CLUSTER_PERIOD_SECONDS = Number(process.env['SIPHON_BENCH_CLUSTER_PERIOD_SECONDS'] ?? 30);

const summaries: Summary[] = [];
for (const benchCase of BENCH_CASES) {
  if (ONLY && !ONLY.includes(benchCase.name)) continue;
  summaries.push(await runCase(benchCase));
}
const long: LongCaseResult[] = [];
if (!ONLY || ONLY.includes('steady')) {
  console.log(`\nsteady: every vendor as in the demo, simulators in their own processes, ${STEADY_SECONDS} s`);
  long.push(await runSteady(STEADY_SECONDS));
}
if (!ONLY || ONLY.includes('many')) {
  console.log(`\nmany: 1,002 services against one simulator, polling every 30 s, ${MANY_SECONDS} s`);
  long.push(await runMany(MANY_SECONDS));
}
// Not in the default run: it needs PostgreSQL and takes minutes (SIPHON_BENCH_CASES=cluster).
let cluster: ClusterResult | undefined;
if (ONLY?.includes('cluster')) {
  console.log(`\ncluster: ${CLUSTER_STREAMS} streams over 3 replicas and one PostgreSQL, polling every ${CLUSTER_PERIOD_SECONDS} s`);
  cluster = await runCluster({
    streams: CLUSTER_STREAMS,
    replicas: 3,
    periodSeconds: CLUSTER_PERIOD_SECONDS,
    firstPullTimeoutSeconds: Number(process.env['SIPHON_BENCH_CLUSTER_TIMEOUT_SECONDS'] ?? 600),
    steadySeconds: Number(process.env['SIPHON_BENCH_CLUSTER_STEADY_SECONDS'] ?? 120),
    liveEventsPerSecond: Number(process.env['SIPHON_BENCH_CLUSTER_LIVE'] ?? 1),
  });
}
let soak: SoakResult | undefined;
if (!ONLY || ONLY.includes('soak')) {
  console.log(`\nsoak: ${SOAK_EVENTS} events through the file output, the baseline then Siphon`);
  const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-soak-'));
  try {
    soak = await runSoak(SOAK_EVENTS, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  summaries.push({ name: 'soak', siphon: soak.siphon, baseline: soak.baseline });
}
printSummary(summaries);
printLongSummary(long);
if (cluster) for (const line of clusterReport(cluster)) console.log(line);
if (soak) {
  for (const line of soakReport(soak)) console.log(line);
  if (soak.problems.length > 0) throw new Error(soak.problems.join('; '));
}
