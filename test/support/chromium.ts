// Headless Chromium for tests of the status page: Debian's `chromium` package, run as a
// command (no npm browser package). `--dump-dom` prints the DOM once the page's scripts ran;
// `--virtual-time-budget` lets timers (the page's refresh) run without waiting in real time.
// scripts/status-screenshot.mjs runs it with the same flags.
//
// Where it is missing, a test is skipped with the reason, except under CI (the CI script
// installs it): there a missing browser is a failure, not a silent skip.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** The flags of a quiet, isolated, reproducible headless run (see also scripts/status-screenshot.mjs). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

/** A generous bound on one browser run on a loaded machine; a run normally takes a few seconds. */
const RUN_TIMEOUT_MS = 120_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The CHROMIUM environment variable, /usr/bin/chromium, or chromium / chromium-browser in PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env['CHROMIUM'];
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && executable(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** The browser, or undefined after skipping the test (locally); under CI a missing browser fails the test. */
export function chromiumOrSkip(t: TestContext): string | undefined {
  const found = findChromium();
  if (found) return found;
  const why = 'chromium is not installed (apt-get install chromium, or set CHROMIUM to its path)';
  if (process.env['CI']) throw new Error(`${why}; CI must have it (.ci/run installs it)`);
  t.skip(why);
  return undefined;
}

export interface BrowserRun {
  /** Width and height of the window, e.g. [390, 900]. */
  windowSize?: readonly [number, number];
  /** Virtual milliseconds the page's timers may run for (its refresh every 5 s). */
  virtualTimeMs?: number;
}

/** The DOM after the page's scripts ran, as HTML. */
export async function dumpDom(chromium: string, url: string, o: BrowserRun = {}): Promise<string> {
  return runBrowser(chromium, url, o, ['--dump-dom']);
}

/** Saves a PNG screenshot of the page. */
export async function screenshot(chromium: string, url: string, file: string, o: BrowserRun = {}): Promise<void> {
  await runBrowser(chromium, url, { windowSize: [1280, 900], ...o }, [`--screenshot=${file}`]);
}

async function runBrowser(chromium: string, url: string, o: BrowserRun, action: string[]): Promise<string> {
  // A fresh profile each run: no cache, no state from an earlier test.
  const profile = await mkdtemp(join(tmpdir(), 'siphon-chromium-'));
  const [width, height] = o.windowSize ?? [1280, 900];
  const args = [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${width},${height}`, `--virtual-time-budget=${o.virtualTimeMs ?? 5000}`, ...action, url];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(chromium, args, { timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${chromium} failed: ${err.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The attributes of the element whose start tag contains `marker` (e.g. `data-stream="a/b"`), from dumped HTML. */
export function startTagWith(html: string, marker: string): Record<string, string> | undefined {
  const at = html.indexOf(marker);
  if (at === -1) return undefined;
  const start = html.lastIndexOf('<', at);
  const end = html.indexOf('>', at);
  const attributes: Record<string, string> = {};
  for (const m of html.slice(start, end).matchAll(/([\w-]+)="([^"]*)"/g)) attributes[m[1]!] = m[2]!;
  return attributes;
}

/** The attributes of the root <html> element. */
export function rootAttributes(html: string): Record<string, string> {
  return startTagWith(html, '<html') ?? {};
}
