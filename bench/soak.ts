// The soak: ten million 1Password item usages (SIPHON_BENCH_SOAK_EVENTS) through the file
// output, once per contender (the baseline, then Siphon), against one simulator whose
// history is made as it is served (so the bench parent holds no ten million events). Each
// contender's VmRSS is read from /proc every 5 s. What counts: the RSS once the first
// million events were served (the warm-up is over: queue full, heap sized) and how far it
// grows after that; and that every event arrived exactly once, checked by id in a bitmap.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildReport } from '../src/simulators/common/baseline-report.js';
import { onePasswordKit, startBenchSimulator } from '../src/simulators/onepassword/kit.js';
import type { OnePasswordSimulator } from '../src/simulators/onepassword/types.js';
import type { SimulatedVendor } from '../src/core/plugin.js';
import { siphonConfig } from './cases.js';
import { runChild, siphonNodeArgs } from './child.js';
import { checkDelivery, type DeliveryCheck } from './delivery-check.js';
import type { Contender } from './destinations.js';
import { median, ProcessWatch, type ProcessSample } from './process-watch.js';

const SAMPLE_MS = 5000;
/** The warm-up: growth is measured from the first sample after this many events were served. */
const WARM_UP_EVENTS = 1_000_000;

/** What the Siphon child says of its own memory (process.memoryUsage(), bytes), every 5 s. */
export interface MemorySample {
  readonly at: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Heap used just after the latest mark-compact: what is alive. */
  readonly heapAfterMajorGc?: number;
}

export interface SoakRun extends ChildReport {
  readonly check: DeliveryCheck;
  /** VmRSS every 5 s, from /proc. */
  readonly samples: readonly ProcessSample[];
  /** When (ms since the start) the simulator had served the first million, if it did. */
  readonly warmAtMs: number | undefined;
  /** The first sample from then on (MB). */
  readonly rssWarmMb: number;
  /** The samples from then on (MB). */
  readonly afterWarm: { readonly min: number; readonly median: number; readonly max: number };
  /** (max after warm-up - RSS at warm-up) / RSS at warm-up, in %: the target is <= 10. */
  readonly growthPercent: number;
  /**
   * The trend under the garbage collector's saw-tooth: median of the last fifth of the samples
   * after warm-up against the median of their first fifth, in %.
   */
  readonly trendPercent: number;
  /** The last sample (MB). */
  readonly rssEndMb: number;
  /** Siphon only: its own memoryUsage() series. */
  readonly memory: readonly MemorySample[];
}

export interface SoakResult {
  readonly events: number;
  readonly baseline: SoakRun;
  readonly siphon: SoakRun;
  /** Why a run is not to be trusted (events missing, repeated or unknown; a failed exit). */
  readonly problems: string[];
}

interface Running {
  readonly vendor: SimulatedVendor;
  readonly sim: OnePasswordSimulator;
  readonly events: number;
  readonly dir: string;
}

const mb = (bytes: number): number => bytes / 1024 / 1024;

/** One contender's run into `<dir>/<contender>.ndjson`, watched from /proc, then checked and the file removed. */
async function soakOnce(r: Running, contender: Contender): Promise<SoakRun> {
  const out = join(r.dir, `${contender}.ndjson`);
  const memoryFile = join(r.dir, 'memory.ndjson');
  const servedBefore = r.sim.stats().served.itemusages;
  let watch: ProcessWatch | undefined;
  let startedAt = 0;
  let warmAtMs: number | undefined;
  const progress = setInterval(() => {
    if (warmAtMs === undefined && r.sim.stats().served.itemusages - servedBefore >= WARM_UP_EVENTS) warmAtMs = Date.now() - startedAt;
  }, 1000);
  const onStart = (pid: number): void => {
    startedAt = Date.now();
    watch = new ProcessWatch(pid, SAMPLE_MS);
  };
  let report: ChildReport;
  try {
    if (contender === 'baseline') {
      report = await runChild(fileURLToPath(onePasswordKit.bench.baseline), [...r.vendor.baselineArgs(), out], [], {}, onStart);
    } else {
      const config = join(r.dir, 'config.yaml');
      const outputs = `  file_1: {type: file, config: {path: ${JSON.stringify(out)}}}\n`;
      await writeFile(config, siphonConfig(r.dir, outputs, r.vendor.inputYaml({ name: onePasswordKit.name, ...onePasswordKit.bench.input })));
      report = await runChild('dist/bench/siphon-child.js', [config], siphonNodeArgs(), { ...r.vendor.env, SIPHON_BENCH_MEMORY_SAMPLES: memoryFile }, onStart);
    }
  } finally {
    clearInterval(progress);
    watch?.stop();
  }
  const check = await checkDelivery(out, r.events, (uuid) => r.sim.eventNumber('itemusages', uuid));
  await rm(out, { force: true }); // ten million events take gigabytes
  const memory = contender === 'siphon' ? await readMemory(memoryFile) : [];
  const samples = watch?.samples ?? [];
  const after = warmAtMs === undefined ? [] : samples.filter((s) => s.at >= (warmAtMs ?? 0)).map((s) => s.rssMb);
  const rssWarmMb = after[0] ?? Number.NaN;
  const max = Math.max(...after);
  return {
    ...report,
    events: check.distinct,
    check,
    samples,
    warmAtMs,
    rssWarmMb,
    afterWarm: { min: Math.min(...after), median: median(after), max },
    growthPercent: ((max - rssWarmMb) / rssWarmMb) * 100,
    trendPercent: trend(after),
    rssEndMb: samples[samples.length - 1]?.rssMb ?? Number.NaN,
    memory,
  };
}

/** Median of the last fifth of `values` against the median of the first fifth, in %. */
function trend(values: readonly number[]): number {
  const fifth = Math.max(1, Math.floor(values.length / 5));
  const first = median(values.slice(0, fifth));
  return ((median(values.slice(-fifth)) - first) / first) * 100;
}

async function readMemory(path: string): Promise<MemorySample[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as MemorySample);
}

function problemsOf(who: Contender, run: SoakRun, events: number): string[] {
  const c = run.check;
  const problems = [
    run.exitCode !== 0 ? `exit code ${run.exitCode}` : '',
    c.distinct !== events ? `${events - c.distinct} event(s) missing` : '',
    c.duplicates > 0 ? `${c.duplicates} duplicate(s)` : '',
    c.unknown > 0 ? `${c.unknown} line(s) without a known event id` : '',
  ].filter(Boolean);
  return problems.map((p) => `soak ${who}: ${p}`);
}

export async function runSoak(events: number, dir: string): Promise<SoakResult> {
  const { vendor, sim } = await startBenchSimulator(events);
  try {
    const running: Running = { vendor, sim, events, dir };
    const baseline = await soakOnce(running, 'baseline');
    const siphon = await soakOnce(running, 'siphon');
    return { events, baseline, siphon, problems: [...problemsOf('baseline', baseline, events), ...problemsOf('siphon', siphon, events)] };
  } finally {
    await vendor.close();
  }
}

const eps = (r: ChildReport): number => r.events / (r.wallMs / 1000);

/** The soak's own table, and what the Siphon child said of its memory. */
export function soakReport(s: SoakResult): string[] {
  const lines = [
    `\nsoak: ${s.events} events, 1Password item usages through the file output, one run each, VmRSS every ${SAMPLE_MS / 1000} s (growth measured from the first sample after ${WARM_UP_EVENTS} events were served)\n`,
    '| contender | events/s | RSS at 1M (MB) | min after (MB) | median after (MB) | max after (MB) | growth after 1M | trend after 1M | RSS at end (MB) | peak RSS (MB) | samples |',
    '|-----------|----------|----------------|----------------|-------------------|----------------|-----------------|----------------|-----------------|---------------|---------|',
  ];
  for (const [who, r] of [['baseline', s.baseline], ['siphon', s.siphon]] as const) {
    const cells = [
      who.padEnd(9),
      eps(r).toFixed(0).padStart(8),
      r.rssWarmMb.toFixed(1).padStart(14),
      r.afterWarm.min.toFixed(1).padStart(14),
      r.afterWarm.median.toFixed(1).padStart(17),
      r.afterWarm.max.toFixed(1).padStart(14),
      `${r.growthPercent.toFixed(1)}%`.padStart(15),
      `${r.trendPercent.toFixed(1)}%`.padStart(14),
      r.rssEndMb.toFixed(1).padStart(15),
      r.peakRssMb.toFixed(1).padStart(13),
      String(r.samples.length).padStart(7),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  for (const [who, r] of [['baseline', s.baseline], ['siphon', s.siphon]] as const) {
    const c = r.check;
    lines.push(`${who}: ${c.lines} lines, ${c.distinct} distinct events of ${s.events}, ${c.duplicates} duplicates, ${c.unknown} unknown; the first million served after ${((r.warmAtMs ?? Number.NaN) / 1000).toFixed(0)} s`);
  }
  const mem = s.siphon.memory;
  const warm = mem.find((m) => m.at >= (s.siphon.warmAtMs ?? Number.POSITIVE_INFINITY));
  const last = mem[mem.length - 1];
  const fmt = (m: MemorySample | undefined): string =>
    m ? `rss ${mb(m.rss).toFixed(1)}, heap used ${mb(m.heapUsed).toFixed(1)} of ${mb(m.heapTotal).toFixed(1)}, external ${mb(m.external).toFixed(1)} (array buffers ${mb(m.arrayBuffers).toFixed(1)})` : 'no sample';
  const alive = mem.map((m) => m.heapAfterMajorGc ?? Number.NaN).filter((v) => !Number.isNaN(v));
  lines.push(`siphon memoryUsage() (MB) at 1M: ${fmt(warm)}; at the end: ${fmt(last)}; heap used max ${mb(Math.max(...mem.map((m) => m.heapUsed))).toFixed(1)}`);
  lines.push(
    `siphon heap alive after mark-compact (MB): at 1M ${mb(warm?.heapAfterMajorGc ?? Number.NaN).toFixed(1)}, median ${mb(median(alive)).toFixed(1)}, max ${mb(Math.max(...alive)).toFixed(1)}, at the end ${mb(last?.heapAfterMajorGc ?? Number.NaN).toFixed(1)}`,
  );
  for (const [who, r] of [['baseline', s.baseline], ['siphon', s.siphon]] as const) {
    lines.push(`${who} RSS series (MB, every ${SAMPLE_MS / 1000} s): ${r.samples.map((x) => x.rssMb.toFixed(0)).join(' ')}`);
  }
  lines.push(`siphon heap used series (MB, every ${SAMPLE_MS / 1000} s): ${mem.map((m) => mb(m.heapUsed).toFixed(0)).join(' ')}`);
  lines.push(`siphon heap alive after the latest mark-compact (MB, every ${SAMPLE_MS / 1000} s): ${mem.map((m) => (m.heapAfterMajorGc === undefined ? '-' : mb(m.heapAfterMajorGc).toFixed(0))).join(' ')}`);
  return lines;
}
