// Takes a screenshot of a status page (or any page) with headless Chromium, for the docs:
//
//   node scripts/status-screenshot.mjs http://127.0.0.1:8686/ docs/status-page.png [--width 1280] [--height 900]
//
// With a token: give the page's address with its fragment, http://127.0.0.1:8686/#token=...
// (the fragment stays in the browser). Chromium: the CHROMIUM environment variable,
// /usr/bin/chromium, or chromium in PATH (Debian: apt-get install chromium). The flags are
// those of the tests' helper, test/support/chromium.ts.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

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

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findChromium() {
  if (process.env.CHROMIUM) return executable(process.env.CHROMIUM) ? process.env.CHROMIUM : undefined;
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function usage(message) {
  console.error(`${message}\nusage: node scripts/status-screenshot.mjs URL OUTPUT.png [--width 1280] [--height 900]`);
  process.exit(1);
}

const args = process.argv.slice(2);
const size = { width: 1280, height: 900 };
const positional = [];
for (let i = 0; i < args.length; i++) {
  const name = args[i].replace(/^--/, '');
  if (args[i].startsWith('--') && (name === 'width' || name === 'height')) {
    const value = Number(args[++i]);
    if (!Number.isInteger(value) || value < 100 || value > 10_000) usage(`--${name} must be a number of pixels`);
    size[name] = value;
  } else positional.push(args[i]);
}
if (positional.length !== 2) usage('give the page URL and the output file');
const [url, output] = positional;
if (!/^https?:\/\//.test(url)) usage(`not an http(s) URL: ${url}`);
const chromium = findChromium();
if (!chromium) usage('chromium not found: install it (apt-get install chromium) or set CHROMIUM to its path');

const profile = await mkdtemp(join(tmpdir(), 'siphon-screenshot-'));
const file = resolve(output);
try {
  await new Promise((done, fail) => {
    execFile(
      chromium,
      [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size.width},${size.height}`, '--virtual-time-budget=5000', `--screenshot=${file}`, url],
      { timeout: 120_000 },
      (err, _stdout, stderr) => (err ? fail(new Error(`${chromium} failed: ${err.message}\n${stderr.slice(-2000)}`)) : done()),
    );
  });
  console.log(file);
} finally {
  await rm(profile, { recursive: true, force: true });
}
