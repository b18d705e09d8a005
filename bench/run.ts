// `npm run bench`: Siphon against a bare baseline over the same simulator, in the same run.
// Each contender runs in its own child process (so CPU and peak RSS are its own), twice,
// alternating, and the better run of each is kept. The machine is shared and noisy:
// compare the ratio, not the absolute figures.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_CASES, type BenchCase } from './cases.js';
import type { ChildReport } from './child-report.js';

const EVENTS = Number(process.env['SIPHON_BENCH_EVENTS'] ?? 200_000);
const ROUNDS = Number(process.env['SIPHON_BENCH_ROUNDS'] ?? 2);
/** Comma-separated case names (default: all). */
const ONLY = process.env['SIPHON_BENCH_CASES']?.split(',').map((s) => s.trim());

function runChild(script: string, args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
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

/** Lines in a file, streamed. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}

const eps = (r: ChildReport): number => r.events / (r.wallMs / 1000);
const best = (runs: ChildReport[]): ChildReport => runs.reduce((a, b) => (eps(b) > eps(a) ? b : a));

async function runCase(benchCase: BenchCase): Promise<void> {
  const running = await benchCase.start(EVENTS);
  const baseline: ChildReport[] = [];
  const siphon: ChildReport[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await mkdtemp(join(tmpdir(), 'siphon-bench-'));
      baseline.push(await runChild(running.baseline.script, [...running.baseline.args, join(dir, 'baseline.ndjson')]));
      const config = join(dir, 'config.yaml');
      await writeFile(config, running.siphonConfig(dir));
      const report = await runChild('dist/bench/siphon-child.js', [config]);
      siphon.push({ ...report, events: await countLines(join(dir, 'events.ndjson')) });
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await running.close();
  }
  for (const r of siphon) if (r.exitCode !== 0 || r.events !== running.events) throw new Error(`${benchCase.name}: siphon run failed: ${JSON.stringify(r)}`);
  for (const r of baseline) if (r.events !== running.events) throw new Error(`${benchCase.name}: baseline run failed: ${JSON.stringify(r)}`);
  const b = best(baseline);
  const s = best(siphon);
  const row = (name: string, r: ChildReport): string =>
    `| ${name.padEnd(31)} | ${r.events.toString().padStart(7)} | ${eps(r).toFixed(0).padStart(9)} | ${r.cpuSeconds.toFixed(2).padStart(7)} | ${r.peakRssMb.toFixed(1).padStart(13)} |`;
  console.log(`\n${running.title}, best of ${ROUNDS} run(s) each, Node ${process.version}\n`);
  console.log('| contender                       |  events |  events/s |   CPU s | peak RSS (MB) |');
  console.log('|---------------------------------|---------|-----------|---------|---------------|');
  console.log(row('baseline (fetch, parse, write)', b));
  console.log(row('siphon run --once (file output)', s));
  console.log(
    `\nratio siphon/baseline: events/s ${(eps(s) / eps(b)).toFixed(2)} (target >= 0.70), ` +
      `peak RSS ${(s.peakRssMb / b.peakRssMb).toFixed(2)} (siphon ${s.peakRssMb.toFixed(1)} MB)`,
  );
  console.log(`all runs: baseline ${baseline.map((r) => eps(r).toFixed(0)).join(', ')} ev/s; siphon ${siphon.map((r) => eps(r).toFixed(0)).join(', ')} ev/s`);
}

for (const benchCase of BENCH_CASES) {
  if (ONLY && !ONLY.includes(benchCase.name)) continue;
  await runCase(benchCase);
}
