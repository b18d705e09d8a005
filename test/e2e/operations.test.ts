// The operator's view through the CLI: a `run` with its status server on port 0 against the
// simulators; metrics, the status document and `siphon status` agree with what was delivered;
// streams turn failed, throttled, stale and back as their vendors and outputs behave.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import type { StatusDocument, StreamStatus } from '../../src/telemetry/status-types.js';
import { chromiumOrSkip, dumpDom, rootAttributes, startTagWith } from '../support/chromium.js';
import { readAllFiles, readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN_A = 'op-ops-token-a-0c1d2e3f4a5b6c7d';
const TOKEN_B = 'op-ops-token-b-8e9f0a1b2c3d4e5f';
const STATUS_TOKEN = 'status-bearer-token-4f3e2d1c0b';
const ENV = { OP_TOKEN_A: TOKEN_A, OP_TOKEN_B: TOKEN_B, STATUS_TOKEN };
const SECRETS = [TOKEN_A, TOKEN_B, STATUS_TOKEN];
const FEATURES = ['auditevents', 'itemusages', 'signinattempts'] as const;

interface Options {
  dir: string;
  url: string;
  /** Inputs: name -> env var of the token. */
  inputs?: Record<string, string>;
  period?: number;
  alarm?: number;
  maxRetries?: number;
  outputs?: string;
  services?: string;
  pageSize?: number;
}

function configYaml(o: Options): string {
  const inputs = o.inputs ?? { acme: 'OP_TOKEN_A' };
  const period = o.period ?? 1;
  const services =
    o.services ??
    ['audit', 'item_usage', 'sign_in_attempts']
      .map((s) => `      ${s}: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: ${period}, page_size: ${o.pageSize ?? 200}${o.alarm === undefined ? '' : `, no_events_alarm_in_seconds: ${o.alarm}`}}\n`)
      .join('');
  return `globals:
  name: ops-e2e
  persistence: {type: filesystem, config: {directory_name: ./state}}
  status_server: {listen: "127.0.0.1:0", token: "\${env:STATUS_TOKEN}"}
  sender_statistics_interval_seconds: 0
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
${o.outputs ?? ''}inputs:
${Object.entries(inputs)
  .map(
    ([name, env]) => `  ${name}:
    type: onepassword
    base_url: ${o.url}
    credentials: {token: "\${env:${env}}"}
    http: {max_retries: ${o.maxRetries ?? 3}, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    services:
${services}`,
  )
  .join('')}`;
}

/** A running collector and its status server. */
interface Running {
  url: string;
  stderr(): string;
  stop(): Promise<{ code: number | null; stderr: string }>;
}

async function start(dir: string, yaml: string): Promise<Running> {
  const config = await writeConfig(dir, yaml);
  const run = startSiphon(['run', '--config', config], ENV);
  let url = '';
  await waitFor(() => {
    const m = /Status server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr());
    if (m) url = m[1]!;
    return Boolean(m) || run.child.exitCode !== null;
  }, 60_000, 'the status server line');
  assert.ok(url, `no status server: ${run.stderr()}`);
  return {
    url,
    stderr: run.stderr,
    async stop() {
      run.child.kill('SIGTERM');
      const done = await run.done;
      return { code: done.code, stderr: done.stderr };
    },
  };
}

async function get(url: string, path: string, token: string | null = STATUS_TOKEN): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
}

async function status(url: string): Promise<StatusDocument> {
  const res = await get(url, '/api/v1/status');
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text) as StatusDocument;
}

function streamOf(doc: StatusDocument, input: string, service: string): StreamStatus {
  const s = doc.streams.find((x) => x.input === input && x.service === service);
  assert.ok(s, `no stream ${input}/${service} in ${JSON.stringify(doc.streams.map((x) => `${x.input}/${x.service}`))}`);
  return s;
}

/** The value of a metric sample with these labels (undefined when absent). */
function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const everyStream = (doc: StatusDocument, state: string): boolean => doc.streams.length > 0 && doc.streams.every((s) => s.state === state);

describe('operations: status server, metrics, health', () => {
  const sims: OnePasswordSimulator[] = [];
  const runs: Running[] = [];
  after(async () => {
    for (const run of runs) await run.stop().catch(() => undefined);
    for (const sim of sims) await sim.close();
  });

  test('after catching up: every stream healthy; delivered totals equal the file; the status document, siphon status --json, the page and the secrets agree', async (t) => {
    const sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN_A, features: [...FEATURES] }, { token: TOKEN_B, features: [...FEATURES] }],
      initialEvents: { auditevents: 300, itemusages: 700, signinattempts: 150 },
    });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-');
    const run = await start(dir, configYaml({ dir, url: sim.url, inputs: { acme: 'OP_TOKEN_A', globex: 'OP_TOKEN_B' }, period: 30 }));
    runs.push(run);
    let doc = await status(run.url);
    await waitFor(async () => everyStream((doc = await status(run.url)), 'healthy'), 120_000, 'every stream healthy');
    assert.equal(doc.streams.length, 6);
    assert.equal(doc.collector.name, 'ops-e2e');

    const delivered = await readDelivered(join(dir, 'events.ndjson'));
    const metrics = await get(run.url, '/metrics');
    assert.equal(metrics.status, 200);
    for (const s of doc.streams) {
      const inFile = delivered.filter((l) => l.input === s.input && l.service === s.service).length;
      assert.ok(inFile > 0);
      assert.equal(metric(metrics.text, 'siphon_events_delivered_total', { input: s.input, service: s.service }), inFile, `${s.input}/${s.service}`);
      assert.equal(metric(metrics.text, 'siphon_stream_state', { input: s.input, service: s.service, state: 'healthy' }), 1);
      assert.equal(s.events_delivered, inFile);
      assert.ok(s.last_success_at && s.last_event_at && s.checkpoint_at, JSON.stringify(s));
      assert.ok((metric(metrics.text, 'siphon_requests_total', { input: s.input, service: s.service, status: '200' }) ?? 0) >= 1);
    }
    assert.match(metrics.text, /^siphon_queue_events 0$/m);
    assert.match(metrics.text, /^process_resident_memory_bytes \d+/m);
    assert.equal(metric(metrics.text, 'siphon_output_events_sent_total', { output: 'file_1' }), delivered.length);
    assert.ok(doc.outputs.some((o) => o.name === 'file_1' && o.state === 'healthy' && o.queue_events === 0));

    const cli = await runSiphon(['status', '--url', run.url, '--json'], { SIPHON_STATUS_TOKEN: STATUS_TOKEN });
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const fromCli = (JSON.parse(cli.stdout) as { healthy: boolean; status: StatusDocument }).status;
    const now = await status(run.url);
    const view = (d: StatusDocument): unknown => d.streams.map((s) => [s.input, s.service, s.state, s.events_delivered, s.last_event_at]);
    assert.deepEqual(view(fromCli), view(now));

    // The page in headless Chromium shows every stream by name with its state.
    const chromium = chromiumOrSkip(t);
    if (chromium) {
      const html = await dumpDom(chromium, `${run.url}/#token=${encodeURIComponent(STATUS_TOKEN)}`);
      assert.equal(rootAttributes(html)['data-status'], 'ok', html.slice(0, 400));
      for (const s of now.streams) assert.equal(startTagWith(html, `data-stream="${s.input}/${s.service}"`)?.['data-state'], 'healthy', `${s.input}/${s.service} on the page`);
    }

    // No secret in any answer, with or without the token, nor in the log.
    const answers = await Promise.all(['/', '/health', '/ready', '/metrics', '/api/v1/status'].flatMap((p) => [get(run.url, p), get(run.url, p, null)]));
    const everything = answers.map((a) => a.text).join('\n') + cli.stdout + cli.stderr + run.stderr() + (await readAllFiles(dir));
    for (const secret of SECRETS) assert.ok(!everything.includes(secret), 'a secret appears in an answer, a log or a file');
    assert.equal((await get(run.url, '/api/v1/status', null)).status, 401, 'the token is required');
    assert.equal((await get(run.url, '/health', null)).status, 200, '/health needs no token');
    assert.equal((await get(run.url, '/ready')).status, 200);
  });

  test('revoked credentials turn exactly that input\'s streams failed within two request periods; restored, they recover', async () => {
    const sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN_A, features: [...FEATURES] }, { token: TOKEN_B, features: [...FEATURES] }],
      initialEvents: { auditevents: 20, itemusages: 20, signinattempts: 20 },
    });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-revoke-');
    const period = 2;
    const run = await start(dir, configYaml({ dir, url: sim.url, inputs: { acme: 'OP_TOKEN_A', globex: 'OP_TOKEN_B' }, period }));
    runs.push(run);
    let doc = await status(run.url);
    await waitFor(async () => everyStream((doc = await status(run.url)), 'healthy'), 120_000, 'every stream healthy');

    sim.faults.revokeToken(TOKEN_A);
    const revokedAt = Date.now();
    await waitFor(async () => (doc = await status(run.url)).streams.filter((s) => s.input === 'acme').every((s) => s.state === 'failed'), 120_000, 'acme failed');
    // Two request periods, plus the time a loaded machine takes to run a cycle and answer.
    const took = Date.now() - revokedAt;
    for (const s of doc.streams.filter((x) => x.input === 'acme')) {
      assert.equal(s.last_error?.code, 'PullError 304', JSON.stringify(s));
      assert.match(s.message, /refused the credentials/);
    }
    for (const s of doc.streams.filter((x) => x.input === 'globex')) assert.equal(s.state, 'healthy', JSON.stringify(s));
    const metrics = await get(run.url, '/metrics');
    assert.equal(metric(metrics.text, 'siphon_stream_state', { input: 'acme', service: 'audit', state: 'failed' }), 1);
    const cli = await runSiphon(['status', '--url', run.url], { SIPHON_STATUS_TOKEN: STATUS_TOKEN });
    assert.equal(cli.code, 1, 'not every stream is healthy');
    assert.match(cli.stdout, /acme\/audit\s+failed/);
    assert.ok(took < 2 * period * 1000 + 30_000, `failed after ${took} ms`);

    sim.faults.reset();
    await waitFor(async () => everyStream((doc = await status(run.url)), 'healthy'), 180_000, 'acme healthy again');
    assert.match(run.stderr(), /acme,?[^\n]*audit\) -> Stream state: failed -> healthy/);
  });

  test('a single 5xx (not retried) never leaves healthy', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 50, itemusages: 50, signinattempts: 50 } });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-5xx-');
    const services = '      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}\n';
    const run = await start(dir, configYaml({ dir, url: sim.url, services, maxRetries: 0 }));
    runs.push(run);
    await waitFor(async () => everyStream(await status(run.url), 'healthy'), 120_000, 'healthy');

    // One 5xx with no retry fails one cycle: forgiven, the stream stays healthy.
    const seen = new Set<string>();
    const before = sim.stats().requests;
    sim.faults.serverErrorNext(1, 503);
    await waitFor(async () => {
      const s = streamOf(await status(run.url), 'acme', 'audit');
      seen.add(s.state);
      return s.last_error?.code === 'PullError 300' && sim.stats().requests > before + 1;
    }, 120_000, 'the 5xx to be met and a next pull');
    for (let i = 0; i < 10; i++) seen.add(streamOf(await status(run.url), 'acme', 'audit').state);
    assert.deepEqual([...seen], ['healthy'], 'a single 5xx left healthy');

  });

  test('a 429 storm shows throttled, never failed or degraded', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 50, itemusages: 50, signinattempts: 50 } });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-429-');
    const services = '      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}\n';
    const run = await start(dir, configYaml({ dir, url: sim.url, services, maxRetries: 3 }));
    runs.push(run);
    await waitFor(async () => everyStream(await status(run.url), 'healthy'), 120_000, 'healthy');
    // A storm: every request refused for a while, Retry-After 1 s, more than one cycle's retries.
    const limitedBefore = sim.stats().status['429'] ?? 0;
    sim.faults.rateLimitNext(6, { retryAfterSeconds: 1 });
    const states = new Set<string>();
    await waitFor(async () => {
      states.add(streamOf(await status(run.url), 'acme', 'audit').state);
      return states.has('throttled');
    }, 120_000, 'throttled');
    await waitFor(async () => {
      const s = streamOf(await status(run.url), 'acme', 'audit');
      states.add(s.state);
      return s.state === 'healthy' && (sim.stats().status['429'] ?? 0) >= limitedBefore + 6;
    }, 180_000, 'healthy after the storm');
    assert.ok(!states.has('failed') && !states.has('degraded'), `states seen: ${[...states].join(', ')}`);
    const metrics = await get(run.url, '/metrics');
    assert.ok((metric(metrics.text, 'siphon_throttled_total', { input: 'acme' }) ?? 0) >= 1);
    assert.ok((metric(metrics.text, 'siphon_requests_total', { input: 'acme', service: 'audit', status: '429' }) ?? 0) >= 1);
  });

  test('no new events for no_events_alarm_in_seconds: stale, said once; new events bring it back', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 10, itemusages: 10, signinattempts: 10 } });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-stale-');
    const services = '      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1, no_events_alarm_in_seconds: 3}\n';
    const run = await start(dir, configYaml({ dir, url: sim.url, services }));
    runs.push(run);
    await waitFor(async () => streamOf(await status(run.url), 'acme', 'audit').state === 'stale', 120_000, 'stale');
    // Still stale a few pulls later: the warning is not repeated.
    await waitFor(() => (run.stderr().match(/Pull Started/g) ?? []).length >= 8, 120_000, 'more pulls');
    assert.equal((run.stderr().match(/the stream is stale/g) ?? []).length, 1, 'the stale warning once');
    assert.match(run.stderr(), /WARNING .*acme,audit\) -> No new event for \d+ s: the stream is stale/);
    const metrics = await get(run.url, '/metrics');
    assert.equal(metric(metrics.text, 'siphon_stream_state', { input: 'acme', service: 'audit', state: 'stale' }), 1);
    sim.addEvents('auditevents', 3);
    await waitFor(async () => streamOf(await status(run.url), 'acme', 'audit').state === 'healthy', 120_000, 'healthy again');
    assert.match(run.stderr(), /New events arrived: the stream is no longer stale/);
  });

  test('an output that goes down shows in its state, errors and the queue; back, both recover', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 10, itemusages: 10, signinattempts: 10 }, liveEventsPerSecond: 5 });
    sims.push(sim);
    const receiver = await httpReceiver();
    after(() => receiver.close());
    const dir = await tempDir('siphon-ops-output-');
    const outputs = `  http_1: {type: http, config: {url: "${receiver.url}", max_retries: 0}}\n`;
    const services = '      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}\n';
    const run = await start(dir, configYaml({ dir, url: sim.url, services, outputs }));
    runs.push(run);
    let doc = await status(run.url);
    await waitFor(async () => (doc = await status(run.url)).outputs.some((o) => o.name === 'http_1' && o.state === 'healthy') && receiver.accepted > 0, 120_000, 'the http output taking events');

    receiver.down = true;
    await waitFor(async () => {
      doc = await status(run.url);
      const out = doc.outputs.find((o) => o.name === 'http_1');
      return out?.state === 'failing' && out.queue_events > 0 && out.last_error !== null;
    }, 120_000, 'the output failing with events queued');
    const down = await get(run.url, '/metrics');
    assert.ok((metric(down.text, 'siphon_output_errors_total', { output: 'http_1' }) ?? 0) >= 1 || /siphon_output_errors_total\{output="http_1",reason="[^"]+"\} [1-9]/.test(down.text));
    assert.ok(Number(/^siphon_queue_events (\d+)/m.exec(down.text)?.[1]) > 0, 'the queue metric rose');

    receiver.down = false;
    await waitFor(async () => {
      doc = await status(run.url);
      const out = doc.outputs.find((o) => o.name === 'http_1');
      return out?.state === 'healthy' && out.queue_events === 0;
    }, 180_000, 'the output healthy again, its queue empty');
    await waitFor(async () => /^siphon_queue_events 0$/m.test((await get(run.url, '/metrics')).text), 60_000, 'the queue metric back to 0');
  });

  test('a heartbeat reaches the outputs every interval, with its own tag and the streams\' states; --once sends none', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 5, itemusages: 5, signinattempts: 5 } });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-heartbeat-');
    const services = '      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}\n';
    const yaml = configYaml({ dir, url: sim.url, services }).replace('    http: {', '    heartbeat: {interval_seconds: 1, tag: my.app.siphon.heartbeat}\n    http: {');
    const once = await runSiphon(['run', '--once', '--config', await writeConfig(dir, yaml)], ENV);
    assert.equal(once.code, 0, once.stderr);
    assert.equal((await readDelivered(join(dir, 'events.ndjson'))).filter((l) => l.service === 'heartbeat').length, 0, '--once sends no heartbeat');
    const run = await start(dir, yaml);
    runs.push(run);
    await waitFor(async () => (await readDelivered(join(dir, 'events.ndjson'))).filter((l) => l.service === 'heartbeat').length >= 3, 120_000, 'three heartbeats');
    const beats = (await readDelivered(join(dir, 'events.ndjson'))).filter((l) => l.service === 'heartbeat');
    for (const beat of beats) {
      assert.equal(beat.tag, 'my.app.siphon.heartbeat');
      assert.equal(beat.input, 'acme');
      const body = beat.event['siphon_heartbeat'] as { collector: string; input: string; at: string; streams: Record<string, string> };
      assert.equal(body.collector, 'ops-e2e');
      assert.ok(Number.isFinite(Date.parse(body.at)));
      assert.ok(['starting', 'backfilling', 'healthy'].includes(body.streams['audit'] ?? ''), JSON.stringify(body));
    }
  });

  test('/health answers promptly while a back-fill of 200,000 events runs', async () => {
    const sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN_A, features: [...FEATURES] }], initialEvents: { auditevents: 0, itemusages: 200_000, signinattempts: 0 }, rateLimit: false });
    sims.push(sim);
    const dir = await tempDir('siphon-ops-health-');
    const services = '      item_usage: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 60, page_size: 1000}\n';
    const run = await start(dir, configYaml({ dir, url: sim.url, services }));
    runs.push(run);
    const times: number[] = [];
    let doc = await status(run.url);
    let sawBackfill = false;
    while (!everyStream(doc, 'healthy')) {
      const started = performance.now();
      const res = await get(run.url, '/health', null);
      times.push(performance.now() - started);
      assert.equal(res.status, 200);
      doc = await status(run.url);
      const s = streamOf(doc, 'acme', 'item_usage');
      // Progress shows once the first page is committed.
      if (s.state === 'backfilling' && s.backfill) {
        sawBackfill = true;
        assert.ok(s.backfill.percent >= 0 && s.backfill.percent <= 100, JSON.stringify(s.backfill));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(sawBackfill, 'the back-fill was seen in the status');
    assert.ok(times.length >= 5, `only ${times.length} samples`);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    // The median, not the worst: a shared machine may deschedule the process now and then.
    assert.ok(median < 100, `/health median ${median.toFixed(1)} ms over ${times.length} samples (worst ${times.at(-1)!.toFixed(1)} ms)`);
    assert.equal(streamOf(doc, 'acme', 'item_usage').events_delivered, 200_000);
  });
});

/** An HTTP receiver for the http output that answers 503 while `down`. */
async function httpReceiver(): Promise<{ url: string; down: boolean; accepted: number; close(): Promise<void> }> {
  const state = { down: false, accepted: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (state.down) {
        res.statusCode = 503;
        res.end('down');
        return;
      }
      state.accepted += 1;
      res.statusCode = 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/ingest`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
