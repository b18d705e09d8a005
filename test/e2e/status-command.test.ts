// `siphon status` through the CLI: against a status server on 127.0.0.1 serving a fixed status
// document, and, with no collector running, against the state a real `siphon run --once` left.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redactor } from '../../src/core/redact.js';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { startStatusServer, type StatusServer } from '../../src/telemetry/status-server.js';
import type { StatusServerSettings } from '../../src/config/types.js';
import type { StatusDocument } from '../../src/telemetry/status-types.js';
import { makeTestPki } from '../support/certs.js';
import { freeTcpPort } from '../support/free-port.js';
import { FixedStatusProvider, healthyDocument, sampleDocument } from '../support/status-fixture.js';
import { runSiphon, tempDir, writeConfig, type CliResult } from './harness.js';

const STATUS_TOKEN = 'status-cli-token-4e8b2a9d7c1f3065';
const OP_TOKEN = 'op-status-e2e-token-9a8b7c6d5e4f';

async function serve(document: StatusDocument, settings: Partial<StatusServerSettings> = {}, provider = new FixedStatusProvider(document)): Promise<StatusServer> {
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() });
  return startStatusServer({ host: '127.0.0.1', port: 0, ...settings }, provider, logger);
}

function assertNoToken(result: CliResult, token: string): void {
  assert.ok(!(result.stdout + result.stderr).includes(token.slice(0, 8)), 'the token was printed');
}

/** A configuration with state in ./state, a file output, a 1Password input, and these globals lines. */
function configYaml(opUrl: string, globals: string): string {
  return `globals:
  name: status-e2e
  persistence: {type: filesystem, config: {directory_name: ./state}}
${globals}outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  onepassword:
    id: 10001
    base_url: ${opUrl}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z}
      item_usage: {start_time_value: 2020-01-01T00:00:00Z}
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z}
`;
}

describe('siphon status --url', () => {
  test('every stream healthy: one line per stream and output, exit 0; the token is never printed', async () => {
    const server = await serve(healthyDocument(), { token: STATUS_TOKEN });
    try {
      const fromEnv = await runSiphon(['status', '--url', server.url], { SIPHON_STATUS_TOKEN: STATUS_TOKEN });
      assert.equal(fromEnv.code, 0, fromEnv.stdout + fromEnv.stderr);
      const lines = fromEnv.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, new RegExp(`^Collector acme-prod \\(Siphon 0\\.1\\.0\\) at ${server.url}, started \\S+ \\(1 min( \\d+ s)? ago\\)$`));
      // Columns aligned: each starts at the same place on every line.
      assert.match(lines[1]!, /^onepassword\/audit {7}healthy {2}lag 3 s {8}last success \d+ s ago +last error none$/);
      assert.match(lines[2]!, /^onepassword\/item_usage {2}healthy {2}lag 2 h 5 min {2}last success \d+ s ago +last error none$/);
      assert.equal(lines[1]!.indexOf('last error'), lines[2]!.indexOf('last error'));
      assert.equal(lines[3], 'output file_1 (file)  healthy  queue 0 events  last error none');
      assert.equal(lines[4], '2 stream(s): 2 healthy.');
      assertNoToken(fromEnv, STATUS_TOKEN);

      const fromFlag = await runSiphon(['status', '--url', server.url, '--token', STATUS_TOKEN]);
      assert.equal(fromFlag.code, 0, fromFlag.stderr);
      assertNoToken(fromFlag, STATUS_TOKEN);
    } finally {
      await server.close();
    }
  });

  test('one stream not healthy: exit 1, its line shows the state and the error on one line', async () => {
    const server = await serve(sampleDocument());
    try {
      const result = await runSiphon(['status', '--url', server.url]);
      assert.equal(result.code, 1, result.stderr);
      const failed = result.stdout.split('\n').find((l) => l.startsWith('lastpass/events '));
      assert.match(failed ?? '', /^lastpass\/events +failed +lag 2 h 1 min +last success 2 h ago +back-fill - +last error \[SetupError 100\] The vendor answered <script>/);
      assert.match(result.stdout, /^onepassword\/item_usage +backfilling +lag 2 h 5 min +last success \d+ s ago +back-fill 66\.7 % \(ETA 2 h 5 min\) +last error none$/m);
      assert.match(result.stdout, /^output syslog_1 \(syslog\) +failing +queue 10000 events +last error \[OutputError 401\] connect ECONNREFUSED 10\.0\.0\.5:514 \(\d+ s ago\)$/m);
      assert.match(result.stdout, /^6 stream\(s\): 1 healthy, 1 backfilling, 1 failed, 1 throttled, 1 stale, 1 starting\.$/m);
    } finally {
      await server.close();
    }
  });

  test('--json: one object with the document, for scripts', async () => {
    const document = sampleDocument();
    const server = await serve(document);
    try {
      const result = await runSiphon(['status', '--url', server.url, '--json']);
      assert.equal(result.code, 1);
      assert.deepEqual(JSON.parse(result.stdout), { url: server.url, answer: 'status', healthy: false, status: document });
    } finally {
      await server.close();
    }
    const healthy = await serve(healthyDocument());
    try {
      const result = await runSiphon(['status', '--url', healthy.url, '--json']);
      assert.equal(result.code, 0);
      assert.equal(JSON.parse(result.stdout).healthy, true);
    } finally {
      await healthy.close();
    }
  });

  test('a wrong or missing token: says the server refused it, exit 1', async () => {
    const server = await serve(healthyDocument(), { token: STATUS_TOKEN });
    try {
      const result = await runSiphon(['status', '--url', server.url, '--token', 'not-the-token']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^siphon status: the status server at 127\.0\.0\.1:\d+ refused the token \(HTTP 401\): give it with --token or SIPHON_STATUS_TOKEN, or in globals\.status_server\.token$/m);
      const none = await runSiphon(['status', '--url', server.url]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /refused the token \(HTTP 401\)/);
    } finally {
      await server.close();
    }
  });

  test('nothing listening: "No collector answers", exit 1; no --url nor --config: says what to give', async () => {
    const port = await freeTcpPort();
    const result = await runSiphon(['status', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, `No collector answers at http://127.0.0.1:${port} (connection refused).\nGive --config FILE too, to see the checkpoints its state store holds.\n`);
    const bare = await runSiphon(['status']);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /^siphon status: give --config FILE \(it names the status server\) or --url URL/);
  });
});

describe('siphon status --config', () => {
  let sim: OnePasswordSimulator;
  let dir: string;
  let port: number;

  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: OP_TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 120, itemusages: 80, signinattempts: 40 },
    });
    dir = await tempDir('siphon-status-');
    port = await freeTcpPort();
    const config = await writeConfig(dir, configYaml(sim.url, `  status_server: {listen: "127.0.0.1:${port}"}\n`));
    // Real saved state: a collector ran and stopped.
    const run = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: OP_TOKEN });
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await sim.close();
  });

  test('no collector running: says so, then each checkpoint with its age; exit 1', async () => {
    const result = await runSiphon(['status', '--config', join(dir, 'config.yaml')], { OP_EVENTS_TOKEN: OP_TOKEN });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `No collector answers at http://127.0.0.1:${port} (connection refused).`);
    assert.equal(lines[1], `What the state store in ${join(dir, 'state')} knows:`);
    const services = { audit: 120, item_usage: 80, sign_in_attempts: 40 };
    assert.equal(lines.length, 2 + Object.keys(services).length);
    for (const [service, events] of Object.entries(services)) {
      const line = lines.find((l) => l.startsWith(`onepassword/${service} `));
      assert.match(line ?? '', new RegExp(`^onepassword/${service} +checkpoint \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\((\\d+ s|\\d+ min( \\d+ s)?) ago\\) +newest event \\S+ \\(.+ ago\\) +${events} events delivered$`), `${service}: ${line}`);
    }

    const json = await runSiphon(['status', '--config', join(dir, 'config.yaml'), '--json'], { OP_EVENTS_TOKEN: OP_TOKEN });
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { answer: string; healthy: boolean; checkpoints: Array<{ service: string; events_delivered: number; checkpoint_age_seconds: number }> };
    assert.equal(parsed.answer, 'unreachable');
    assert.equal(parsed.healthy, false);
    assert.deepEqual(parsed.checkpoints.map((c) => [c.service, c.events_delivered]), Object.entries(services));
    for (const c of parsed.checkpoints) assert.ok(c.checkpoint_age_seconds >= 0);
  });

  test('no status server configured, or port 0: says why it cannot ask, then the checkpoints; exit 1', async () => {
    // Variants of the configuration beside it, with the same state folder.
    const none = join(dir, 'no-server.yaml');
    await writeFile(none, configYaml(sim.url, ''));
    const portZero = join(dir, 'port-zero.yaml');
    await writeFile(portZero, configYaml(sim.url, '  status_server: {listen: "127.0.0.1:0"}\n'));

    const unconfigured = await runSiphon(['status', '--config', none], { OP_EVENTS_TOKEN: OP_TOKEN });
    assert.equal(unconfigured.code, 1);
    assert.match(unconfigured.stdout, new RegExp(`^No status server configured in ${none.replace(/[.]/g, '\\.')} \\(globals\\.status_server\\), so the running collector cannot be asked\\.\n`));
    assert.match(unconfigured.stdout, /^onepassword\/audit +checkpoint /m);

    const zero = await runSiphon(['status', '--config', portZero], { OP_EVENTS_TOKEN: OP_TOKEN });
    assert.equal(zero.code, 1);
    assert.match(zero.stdout, /uses port 0 \(any free port\), so its port cannot be known from the configuration: give --url with the address the collector logged \("Status server listening on \.\.\."\)\./);
    assert.match(zero.stdout, /^onepassword\/audit +checkpoint /m);
  });

  test('TLS and a token from the configuration: asks the configured address and trusts exactly the configured certificate', async () => {
    const pki = await makeTestPki(join(dir, 'pki'));
    const provider = new FixedStatusProvider(healthyDocument());
    const server = await serve(provider.document, { tls: { cert: join(dir, 'pki', 'server.crt'), key: join(dir, 'pki', 'server.key') }, token: STATUS_TOKEN }, provider);
    try {
      const listen = new URL(server.url).host;
      const tlsConfig = join(dir, 'tls.yaml');
      await writeFile(
        tlsConfig,
        configYaml(sim.url, `  status_server: {listen: "${listen}", token: "\${env:STATUS_TOKEN}", tls: {cert: ./pki/server.crt, key: ./pki/server.key}}\n`),
      );
      const result = await runSiphon(['status', '--config', tlsConfig], { OP_EVENTS_TOKEN: OP_TOKEN, STATUS_TOKEN });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`^Collector acme-prod \\(Siphon 0\\.1\\.0\\) at https://${listen.replace(/[.]/g, '\\.')}, started`));
      assertNoToken(result, STATUS_TOKEN);

      // Another certificate at that address (here: the configuration names the self-signed one): refused before the token is sent.
      await writeFile(join(dir, 'pki', 'other.crt'), pki.selfSignedCertPem);
      const otherConfig = join(dir, 'other-cert.yaml');
      await writeFile(
        otherConfig,
        configYaml(sim.url, `  status_server: {listen: "${listen}", token: "\${env:STATUS_TOKEN}", tls: {cert: ./pki/other.crt, key: ./pki/server.key}}\n`),
      );
      const asked = provider.statusCalls;
      const refused = await runSiphon(['status', '--config', otherConfig], { OP_EVENTS_TOKEN: OP_TOKEN, STATUS_TOKEN });
      assert.equal(provider.statusCalls, asked, 'the request (with its token) went to a server with another certificate');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^siphon status: the server at 127\.0\.0\.1:\d+ presents another certificate than .*other\.crt \(globals\.status_server\.tls\.cert\): is it another program\?$/m);
    } finally {
      await server.close();
    }
  });
});
