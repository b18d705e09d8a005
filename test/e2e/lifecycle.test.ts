// Stopping and restarting, through the real CLI against the 1Password simulator:
// - A restart right after kill -9 starts, even while the killed collector is still a zombie
//   (its parent has not reaped it), five times in a row; a live second collector is refused.
// - A SIGTERM'd `run --once` that did not catch up exits 1 and names the services; a
//   SIGTERM'd `run` (no --once) exits 0; one stopped during setup names every service.
// - The shutdown deadline bounds the outputs: an HTTP receiver that never answers, a Devo
//   relay that accepts and never reads nor closes; the process ends soon after the deadline,
//   nothing is sent or logged after "Collector stopped", and the next run delivers everything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { readDelivered, runSiphon, SIPHON_BIN, startSiphon, tempDir, waitFor, writeConfig, type CliResult } from './harness.js';

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

/** The uuid of an event line, when it is a vendor event (internal records have none). */
function uuidOf(json: string): string | undefined {
  const value = (JSON.parse(json) as { uuid?: unknown }).uuid;
  return typeof value === 'string' ? value : undefined;
}

/**
 * An HTTP receiver that accepts connections and, while `stuck`, never answers a request;
 * afterwards it answers 200 and keeps the uuids of the NDJSON lines it got.
 */
class HttpReceiver {
  stuck = true;
  requests = 0;
  readonly uuids: string[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests += 1;
    if (this.stuck) {
      req.resume(); // read the body, never answer
      return;
    }
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      for (const line of body.split('\n')) {
        if (line === '') continue;
        const uuid = uuidOf(JSON.stringify((JSON.parse(line) as { event: unknown }).event));
        if (uuid !== undefined) this.uuids.push(uuid);
      }
      res.end('{}');
    });
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A TCP receiver of Devo frames that, while `stuck`, accepts connections and never reads
 * nor closes them; afterwards it reads each connection to its end, closes it (the 'close'
 * acknowledgement) and keeps the uuids of the frames.
 */
class StuckTcpReceiver {
  stuck = true;
  connections = 0;
  readonly uuids: string[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer({ pauseOnConnect: true }, (socket) => {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.stuck) return; // paused: never read, never closed
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => (text += d));
    socket.on('end', () => {
      for (const line of text.split('\n')) {
        const start = line.indexOf(': {');
        if (start < 0) continue;
        const uuid = uuidOf(line.slice(start + 2));
        if (uuid !== undefined) this.uuids.push(uuid);
      }
      socket.end();
    });
    socket.resume();
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Waits for a started CLI to end; kills it (and fails) after `limitMs`. */
async function endsWithin(run: { child: ChildProcess; done: Promise<CliResult> }, limitMs: number, what: string): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const result = await Promise.race([run.done, late]);
  clearTimeout(timer);
  if (result === 'late') {
    run.child.kill('SIGKILL');
    const killed = await run.done;
    assert.fail(`${what}: still running ${limitMs / 1000} s after the stop request\n${killed.stderr}`);
  }
  return result;
}

/** The last line of a log, without the trailing line break. */
function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

describe('lifecycle: stopping and restarting', () => {
  let sim: OnePasswordSimulator;

  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 400, itemusages: 400, signinattempts: 5 },
    });
  });

  after(async () => {
    await sim.close();
  });

  const SERVICES = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' } as const;

  /** Every event the vendor holds, as `service/uuid`. */
  function vendorKeys(): string[] {
    return Object.entries(SERVICES).flatMap(([service, kind]) => sim.events(kind).map((e) => `${service}/${String(e['uuid'])}`));
  }

  test('a SIGTERM\'d run --once that did not catch up exits 1 naming the services; the next run completes; a SIGTERM\'d run without --once exits 0', async () => {
    const dir = await tempDir('siphon-lifecycle-');
    const config = await writeConfig(dir, fileConfigYaml(dir, sim.url, Object.keys(SERVICES)));
    const delivered = join(dir, 'events.ndjson');
    try {
      // Slow pages: audit and item_usage take 20 pages each, sign_in_attempts one.
      sim.faults.slowResponses(300);
      const once = startSiphon(['run', '--config', config, '--once'], ENV);
      await waitFor(
        async () => /OnePasswordPuller\(onepassword,sign_in_attempts\) -> The data is up to date!/.test(once.stderr()) && (await readDelivered(delivered)).some((l) => l.service === 'audit'),
        60_000,
        'sign_in_attempts caught up and some audit events delivered',
      );
      once.child.kill('SIGTERM');
      const stopped = await once.done;
      assert.equal(stopped.code, 1, stopped.stderr);
      const line = stopped.stderr.split('\n').filter((l) => /did not catch up/.test(l));
      assert.equal(line.length, 1, stopped.stderr);
      assert.match(line[0]!, /ERROR .*Stopped before every service caught up \(--once\): onepassword\/audit, onepassword\/item_usage did not catch up/);
      assert.doesNotMatch(line[0]!, /sign_in_attempts/);
      assert.ok((await readDelivered(delivered)).length < vendorKeys().length, 'the stop came too late to test anything');

      // A long-running collector stopped the same way is stopped as asked: exit 0.
      const running = startSiphon(['run', '--config', config], ENV);
      await waitFor(() => /Pull Started/.test(running.stderr()), 60_000, 'the collector to pull');
      running.child.kill('SIGTERM');
      const ended = await running.done;
      assert.equal(ended.code, 0, ended.stderr);
      assert.doesNotMatch(ended.stderr, /did not catch up/);

      sim.faults.slowResponses(0);
      const rest = await runSiphon(['run', '--config', config, '--once'], ENV);
      assert.equal(rest.code, 0, rest.stderr);
      const lines = await readDelivered(delivered);
      const keys = lines.map((l) => `${l.service}/${String(l.event['uuid'])}`);
      assert.equal(new Set(keys).size, keys.length, 'no event delivered twice');
      assert.deepEqual(new Set(keys), new Set(vendorKeys()), 'every event delivered');
    } finally {
      sim.faults.reset();
    }
  });

  test('a run --once stopped during setup exits 1 naming every service', async () => {
    const dir = await tempDir('siphon-lifecycle-');
    const config = await writeConfig(dir, fileConfigYaml(dir, sim.url, Object.keys(SERVICES)));
    try {
      // Setup's first request waits 60 s at the vendor: the signal comes while it does.
      sim.faults.slowResponses(60_000);
      const requestsBefore = sim.stats().requests;
      const once = startSiphon(['run', '--config', config, '--once'], ENV);
      await waitFor(() => sim.stats().requests > requestsBefore, 60_000, 'setup to call the vendor');
      once.child.kill('SIGTERM');
      const stopped = await endsWithin(once, 60_000, 'the collector');
      assert.equal(stopped.code, 1, stopped.stderr);
      assert.match(stopped.stderr, /Stopped before every service caught up \(--once\): onepassword\/audit, onepassword\/item_usage, onepassword\/sign_in_attempts did not catch up/);
    } finally {
      sim.faults.reset();
    }
  });

  /** A collector whose one output is stuck, stopped with SIGTERM: returns how it ended. */
  async function stopWhileStuck(dir: string, outputYaml: string, inFlight: () => boolean, sentSoFar: () => number): Promise<CliResult> {
    const config = await writeConfig(
      dir,
      `globals:
  name: lifecycle-e2e
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
  shutdown_timeout_seconds: 3
outputs:
${outputYaml}${inputYaml(sim.url)}`,
    );
    const run = startSiphon(['run', '--config', config], ENV);
    await waitFor(inFlight, 60_000, 'a write to reach the stuck receiver');
    const sentBeforeStop = sentSoFar();
    run.child.kill('SIGTERM');
    // The output's own timeouts are 120 s: ending well before proves the deadline bounds them.
    const ended = await endsWithin(run, 60_000, 'the collector');
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stderr, /The shutdown deadline of 3 s passed with \d+ event\(s\) not yet acknowledged/);
    assert.doesNotMatch(ended.stderr, /did not stop within/, 'the last-resort exit must not be needed');
    assert.match(lastLine(ended.stderr), /Collector stopped: /, 'nothing is logged after "Collector stopped"');
    assert.equal(sentSoFar(), sentBeforeStop, 'nothing was sent after the stop request');
    return ended;
  }

  /** After the stuck run, the receiver works again: one --once run delivers every event it missed. */
  async function nextRunDelivers(dir: string, received: () => string[]): Promise<void> {
    const rest = await runSiphon(['run', '--config', join(dir, 'config.yaml'), '--once'], ENV);
    assert.equal(rest.code, 0, rest.stderr);
    assert.deepEqual(new Set(received()), new Set(sim.events('auditevents').map((e) => String(e['uuid']))), 'every event delivered by the next run');
  }

  test('the shutdown deadline bounds an HTTP output whose receiver never answers; the next run delivers everything', async () => {
    const receiver = new HttpReceiver();
    const port = await receiver.listen();
    try {
      const dir = await tempDir('siphon-lifecycle-');
      const output = `  web: {type: http, config: {url: "http://127.0.0.1:${port}/ingest", gzip: false, timeout_seconds: 120}}\n`;
      await stopWhileStuck(dir, output, () => receiver.requests > 0, () => receiver.requests);
      receiver.stuck = false;
      await nextRunDelivers(dir, () => receiver.uuids);
    } finally {
      await receiver.close();
    }
  });

  test('the shutdown deadline bounds a Devo output whose relay accepts and never reads nor closes (ack: close); the next run delivers everything', async () => {
    const receiver = new StuckTcpReceiver();
    const port = await receiver.listen();
    try {
      const dir = await tempDir('siphon-lifecycle-');
      const output = `  relay: {type: devo_platform, services: [standard], config: {address: 127.0.0.1, port: ${port}, type: TCP, close_timeout_seconds: 120}}\n`;
      await stopWhileStuck(dir, output, () => receiver.connections > 0, () => receiver.connections);
      receiver.stuck = false;
      await nextRunDelivers(dir, () => receiver.uuids);
    } finally {
      await receiver.close();
    }
  });

  test('the shutdown deadline bounds closing a Devo drain connection the relay never reads nor closes', async () => {
    const receiver = new StuckTcpReceiver();
    const port = await receiver.listen();
    try {
      const dir = await tempDir('siphon-lifecycle-');
      const output = `  relay: {type: devo_platform, services: [standard], config: {address: 127.0.0.1, port: ${port}, type: TCP, ack: drain, close_timeout_seconds: 120}}\n`;
      const config = await writeConfig(
        dir,
        `globals:
  name: lifecycle-e2e
  persistence: {type: filesystem, config: {directory_name: ${JSON.stringify(join(dir, 'state'))}}}
  shutdown_timeout_seconds: 3
outputs:
${output}${inputYaml(sim.url)}`,
      );
      // Drain mode acknowledges what the kernel took: the pull completes, then the stop has to close the connection.
      const run = startSiphon(['run', '--config', config], ENV);
      await waitFor(() => /Data collection completed/.test(run.stderr()), 60_000, 'the first pull to complete');
      run.child.kill('SIGTERM');
      const ended = await endsWithin(run, 60_000, 'the collector');
      assert.equal(ended.code, 0, ended.stderr);
      assert.equal(receiver.connections, 1);
      assert.match(lastLine(ended.stderr), /Collector stopped: /, 'nothing is logged after "Collector stopped"');
    } finally {
      await receiver.close();
    }
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
