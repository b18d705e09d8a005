// End-to-end harness: runs the real `siphon` CLI as a child process against simulators
// on 127.0.0.1, in a temporary folder, and reads back what it delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SIPHON_BIN = resolve('bin/siphon.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function tempDir(prefix = 'siphon-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Proxy variables of the machine running the tests: the simulators are local, and tests that want a proxy set their own. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of PROXY_VARIABLES) delete env[name];
  return env;
}

/** How the process is started, for fault tests. */
export interface LaunchOptions {
  /**
   * A soft file size limit in KiB (`ulimit -S -f`): writes past it are cut short, then refused
   * with EFBIG (Node ignores SIGXFSZ). Soft, so `prlimit --pid` can lift it while it runs.
   */
  fileSizeLimitKiB?: number;
  /** An open descriptor (a file) for standard output, instead of capturing it. */
  stdoutFd?: number;
}

/** Starts `siphon ...args`; the caller may kill it. */
export function startSiphon(
  args: string[],
  env: Record<string, string> = {},
  launch: LaunchOptions = {},
): { child: ChildProcess; done: Promise<CliResult>; stderr(): string } {
  const argv = [SIPHON_BIN, ...args];
  const options = { env: { ...inheritedEnv(), ...env }, stdio: ['ignore', launch.stdoutFd ?? 'pipe', 'pipe'] as Array<'ignore' | 'pipe' | number> };
  // exec: the limited shell becomes Siphon itself, so child.pid is Siphon's pid.
  const child =
    launch.fileSizeLimitKiB === undefined
      ? spawn(process.execPath, argv, options)
      : spawn('bash', ['-c', `ulimit -S -f ${launch.fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, ...argv], options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

export async function runSiphon(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000, launch: LaunchOptions = {}): Promise<CliResult> {
  const { child, done } = startSiphon(args, env, launch);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

export interface DeliveredLine {
  tag: string;
  input: string;
  service: string;
  event: Record<string, unknown>;
}

export async function readDelivered(path: string): Promise<DeliveredLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  // Only complete lines: a running collector may be in the middle of writing the last one.
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((l) => l.length > 0).map((l) => JSON.parse(l) as DeliveredLine);
}

/** A configuration with state in ./state, one file output at ./events.ndjson, and these inputs. */
export function fileCollectorYaml(name: string, inputs: string): string {
  return `globals:
  name: ${name}
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
${inputs}`;
}

export async function writeConfig(dir: string, yaml: string): Promise<string> {
  const path = join(dir, 'config.yaml');
  await writeFile(path, yaml);
  return path;
}

/** Every file below `dir`, concatenated: to prove a secret is in none of them. */
export async function readAllFiles(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const parent = (entry as unknown as { parentPath?: string; path?: string }).parentPath ?? (entry as unknown as { path: string }).path;
    text += await readFile(join(parent, entry.name), 'utf8');
  }
  return text;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The vendor event as served, without the field Siphon injects. */
export function withoutPullingId(event: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...event };
  delete copy['@devo_pulling_id'];
  return copy;
}
