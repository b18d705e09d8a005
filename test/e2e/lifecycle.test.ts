// Stopping and restarting, through the real CLI against the 1Password simulator:
// - A restart right after kill -9 starts, even while the killed collector is still a zombie
//   (its parent has not reaped it), five times in a row; a live second collector is refused.
// - A SIGTERM'd `run --once` that did not catch up exits 1 and names the services; a
//   SIGTERM'd `run` (no --once) exits 0.
// - The shutdown deadline bounds the outputs: an HTTP receiver that never answers, a Devo
//   relay that accepts and never reads nor closes; the process ends soon after the deadline,
//   nothing is sent or logged after "Collector stopped", and the next run delivers everything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { runSiphon, SIPHON_BIN, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN = 'op-lifecycle-token-5e6f7a8b9c0d1e2f';
const ENV = { OP_EVENTS_TOKEN: TOKEN };

function inputYaml(simUrl: string, services = ['audit']): string {
  const lines = services.map((s) => `      ${s}: {start_time_value: 2020-01-01T00:00:00Z, page_size: 20, request_period_in_seconds: 60}`);
  return `inputs:
  onepassword:
    base_url: ${simUrl}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    rate_limit: {enabled: false}
    services:
${lines.join('\n')}
`;
}

function fileConfigYaml(dir: string, simUrl: string, services?: string[]): string {
  return `globals:
  name: lifecycle-e2e
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
outputs:
  file_1: {type: file, config: {path: ${JSON.stringify(join(dir, 'events.ndjson'))}}}
${inputYaml(simUrl, services)}`;
}

/** The state letter of a process in /proc/<pid>/stat ("Z": zombie), or undefined when it is gone. */
async function procState(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * A collector whose parent never reaps it: a shell starts it in the background, prints its
 * pid, and replaces itself with `sleep`, which ignores its children. Killed with -9, the
 * collector stays a zombie (it still answers kill(pid, 0)) until `sleep` is killed.
 */
interface Unreaped {
  readonly parent: ChildProcess;
  readonly pid: Promise<number>;
  stderr(): string;
}

function startUnreaped(config: string): Unreaped {
  const parent = spawn('sh', ['-c', '"$NODE_BIN" "$SIPHON_BIN" run --config "$SIPHON_CONFIG" & echo $!; exec sleep 600'], {
    env: { ...process.env, ...ENV, NODE_BIN: process.execPath, SIPHON_BIN, SIPHON_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  parent.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const pid = new Promise<number>((resolve, reject) => {
    parent.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const line = /^(\d+)\n/.exec(stdout);
      if (line) resolve(Number(line[1]));
    });
    parent.once('exit', () => reject(new Error(`the shell ended before printing the collector's pid: ${stderr}`)));
  });
  pid.catch(() => undefined);
  return { parent, pid, stderr: () => stderr };
}

const hasProc = (await procState(process.pid)) !== undefined;

describe('lifecycle: stopping and restarting', () => {
  let sim: OnePasswordSimulator;

  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 200, itemusages: 300, signinattempts: 100 },
    });
  });

  after(async () => {
    await sim.close();
  });

  test('a restart right after kill -9 starts even while the killed collector is a zombie (5 times); a live second collector is refused', { skip: !hasProc && 'needs /proc to see zombies' }, async () => {
    const dir = await tempDir('siphon-lifecycle-');
    const config = await writeConfig(dir, fileConfigYaml(dir, sim.url));
    const started: Array<{ parent: ChildProcess; pid: number | undefined }> = [];
    try {
      let zombie: number | undefined;
      for (let round = 1; round <= 5; round++) {
        if (zombie !== undefined) assert.equal(await procState(zombie), 'Z', `round ${round}: the killed collector must still be a zombie when the restart begins`);
        const collector = startUnreaped(config);
        const entry: { parent: ChildProcess; pid: number | undefined } = { parent: collector.parent, pid: undefined };
        started.push(entry);
        const pid = await collector.pid;
        entry.pid = pid;
        // Started: it holds the state folder and pulls. Refused: it ends (a zombie too).
        await waitFor(
          async () => {
            const state = await procState(pid);
            return /Pull Started/.test(collector.stderr()) || state === 'Z' || state === undefined;
          },
          60_000,
          `round ${round}: the collector to start or end`,
        );
        assert.match(collector.stderr(), /Pull Started/, `round ${round}: the restart did not start:\n${collector.stderr()}`);
        if (round === 5) {
          // A live collector still keeps a second one out, with the message and exit code as before.
          const second = await runSiphon(['run', '--config', config, '--once'], ENV);
          assert.equal(second.code, 1, second.stderr);
          assert.match(second.stderr, new RegExp(`\\[PrePullError 202\\] State directory .* is in use by process ${pid}\\b`));
          break;
        }
        process.kill(pid, 'SIGKILL');
        await waitFor(async () => (await procState(pid)) === 'Z', 30_000, `round ${round}: the killed collector to become a zombie`);
        zombie = pid;
      }
    } finally {
      // Kills the live collector of the last round; killing each `sleep` lets init reap its zombie.
      for (const { parent, pid } of started) {
        const ended = new Promise((resolve) => parent.once('close', resolve));
        const state = pid === undefined ? undefined : await procState(pid);
        if (pid !== undefined && state !== undefined && state !== 'Z') process.kill(pid, 'SIGKILL');
        parent.kill('SIGKILL');
        await ended;
      }
    }
  });
});
