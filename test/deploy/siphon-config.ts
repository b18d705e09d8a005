// What a deployment needs to know of a Siphon configuration (where it listens, where its state
// is, which files it reads), and its validation through the real CLI.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { globalsSchema, parseListen } from '../../src/config/globals.js';

const run = promisify(execFile);

export interface ConfigFacts {
  listen: { host: string; port: number } | undefined;
  /** globals.persistence's folder (undefined: memory persistence). */
  stateDirectory: string | undefined;
  shutdownTimeoutSeconds: number;
  queueMaxSizeInMb: number;
  /** Every file the configuration reads: `${file:...}` secrets and certificate/key files. */
  filesRead: Array<{ path: string; setting: string }>;
  /** The paths the `file` outputs write. */
  outputFiles: string[];
}

/** Settings that name a file to read (outputs' and inputs' certificates and keys). */
const FILE_SETTINGS = new Set(['cert', 'key', 'chain', 'ca', 'ca_file', 'ca_bundle_file', 'private_key_file']);
const FILE_REFERENCE = /\$\{file:([^}]*)\}/g;

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isTree(current) ? current[key] : undefined;
  return current;
}

export function configFacts(text: string): ConfigFacts {
  const config: unknown = parse(text);
  const defaults = globalsSchema.parse({});
  const listen = at(config, 'globals', 'status_server', 'listen');
  const persistence = at(config, 'globals', 'persistence');
  const shutdown = at(config, 'globals', 'shutdown_timeout_seconds');
  const queue = at(config, 'globals', 'queue_max_size_in_mb');
  const facts: ConfigFacts = {
    listen: typeof listen === 'string' ? parseListen(listen) : undefined,
    stateDirectory:
      at(persistence, 'type') === 'memory'
        ? undefined
        : String(at(persistence, 'config', 'directory_name') ?? (defaults.persistence.type === 'filesystem' ? defaults.persistence.config.directory_name : '')),
    shutdownTimeoutSeconds: typeof shutdown === 'number' ? shutdown : defaults.shutdown_timeout_seconds,
    queueMaxSizeInMb: typeof queue === 'number' ? queue : defaults.queue_max_size_in_mb,
    filesRead: [],
    outputFiles: [],
  };
  walk(config, [], (path, value) => {
    for (const match of value.matchAll(FILE_REFERENCE)) facts.filesRead.push({ path: match[1]!, setting: path.join('.') });
    if (FILE_SETTINGS.has(path.at(-1)!) && !value.includes('${')) facts.filesRead.push({ path: value, setting: path.join('.') });
  });
  const outputs = at(config, 'outputs');
  for (const output of isTree(outputs) ? Object.values(outputs) : []) {
    const path = at(output, 'config', 'path');
    if (at(output, 'type') === 'file' && typeof path === 'string') facts.outputFiles.push(path);
  }
  return facts;
}

function walk(value: unknown, path: string[], visit: (path: string[], value: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)], visit));
  else if (isTree(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `siphon validate` on the configuration, written to a temporary folder. */
export async function validate(text: string): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'siphon-deploy-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  try {
    const { stdout, stderr } = await run(process.execPath, [resolve('bin/siphon.js'), 'validate', '--config', file], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    // execFile's error carries the exit code and both outputs.
    const failed = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `siphon validate` with every absolute `${file:...}` secret present: each file is created in a
 * temporary folder (same path below it) holding a placeholder, and only the references are
 * rewritten to it. Everything else is validated as written.
 */
export async function validateWithSecrets(text: string): Promise<CliResult> {
  const secrets = mkdtempSync(join(tmpdir(), 'siphon-deploy-secrets-'));
  const rewritten = text.replace(FILE_REFERENCE, (whole, path: string) => {
    if (!path.startsWith('/')) return whole;
    const local = join(secrets, path);
    mkdirSync(join(local, '..'), { recursive: true });
    writeFileSync(local, 'placeholder-secret-value\n');
    return '${file:' + local + '}';
  });
  try {
    return await validate(rewritten);
  } finally {
    rmSync(secrets, { recursive: true, force: true });
  }
}

/** A Kubernetes memory quantity ("768Mi", "1Gi", "800M") in bytes. */
export function kubernetesBytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!match) throw new Error(`cannot read the Kubernetes quantity "${quantity}"`);
  const factor: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * factor[match[2] ?? '']!;
}

/** A Docker/compose byte value ("768m", "1g": powers of 1024) in bytes. */
export function dockerBytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(quantity.trim());
  if (!match) throw new Error(`cannot read the byte value "${quantity}"`);
  const power: Record<string, number> = { '': 0, b: 0, k: 1, m: 2, g: 3 };
  return Number(match[1]) * 1024 ** power[(match[2] ?? '').toLowerCase()]!;
}

/** The rule of thumb the deployment files follow: the queue may fill (an output down), twice over in memory, plus the rest. */
export function minimumMemoryBytes(facts: ConfigFacts): number {
  return (2 * facts.queueMaxSizeInMb + 256) * 1024 * 1024;
}
