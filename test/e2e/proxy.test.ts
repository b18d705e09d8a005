// Forward proxies end to end, through the CLI, with a real CONNECT proxy written in the test
// (test/support/connect-proxy.ts) on 127.0.0.1: the per-input `http.proxy` setting to an
// HTTPS vendor (Kiteworks, token endpoint included), HTTPS_PROXY/HTTP_PROXY/NO_PROXY for the
// vendor and the http output alike, an https:// proxy, and proxies that refuse: each failure
// names the proxy, and the proxy password is in no log line and no file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startKiteworksSimulator, type KiteworksSimulator } from '../../src/simulators/kiteworks/index.js';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { fileCollectorYaml, readAllFiles, readDelivered, runSiphon, tempDir, writeConfig, type CliResult } from './harness.js';

const PROXY_USER = 'siphon';
const PROXY_PASSWORD = 'Pr0xy-pass-e2e-93b1d7';
const OP_TOKEN = 'op-proxy-token-2c8e55aa1f';
const DAY_MS = 86_400_000;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The proxy password (and its Basic form) in no output, log or file of the run. */
async function assertNoProxyPassword(run: CliResult, dir: string): Promise<void> {
  const everything = run.stdout + run.stderr + (await readAllFiles(dir));
  assert.ok(!everything.includes(PROXY_PASSWORD), 'the proxy password leaked');
  assert.ok(!everything.includes(Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')), 'the proxy credentials leaked');
}

/** A receiver for the http output that keeps the pulled events' uuids (not Siphon's own log records). */
async function startReceiver(): Promise<{ url: string; port: number; uuids: string[]; close(): Promise<void> }> {
  const uuids: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      for (const line of Buffer.concat(parts).toString('utf8').split('\n')) {
        if (line === '') continue;
        const record = JSON.parse(line) as { tag: string; event: Record<string, unknown> };
        if (!record.tag.startsWith('devo.collectors.out.local')) uuids.push(String(record.event['uuid']));
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    port,
    uuids,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function onePasswordInput(url: string, http = '{max_retries: 0}'): string {
  return `  onepassword:
    base_url: ${url}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    http: ${http}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: 100}
`;
}

describe('proxies end to end', () => {
  let pki: TestPki;
  let op: OnePasswordSimulator;

  before(async () => {
    pki = await makeTestPki(await tempDir('siphon-pki-'));
    op = await startOnePasswordSimulator({ tokens: [{ token: OP_TOKEN, features: ['auditevents'] }], initialEvents: { auditevents: 230, itemusages: 0, signinattempts: 0 } });
  });
  after(async () => {
    await op.close();
  });

  test('http.proxy with the password from ${env:}: every request to an HTTPS vendor, token endpoint included, goes through the tunnel', async () => {
    const now = Date.now();
    const kw: KiteworksSimulator = await startKiteworksSimulator({ history: [{ from: now - DAY_MS, to: now - 60_000, count: 150 }], tls: { key: pki.serverKeyPem, cert: pki.serverCertPem } });
    const proxy = await startConnectProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
    try {
      const c = kw.client;
      const dir = await tempDir();
      const config = await writeConfig(
        dir,
        fileCollectorYaml(
          'proxied',
          `  kiteworks:
    api_base_url: ${kw.url}
    ca_bundle_file: ${JSON.stringify(pki.caCertFile)}
    credentials:
      client_id: ${c.clientId}
      client_secret: \${env:KW_SECRET}
      signature_key: \${env:KW_SIGNATURE_KEY}
      user_email: ${c.users?.[0] ?? ''}
      redirect_uri: ${c.redirectUri}
    http:
      max_retries: 2
      proxy: {url: ${proxy.url}, username: ${PROXY_USER}, password: "\${env:PROXY_PASSWORD}"}
    services:
      admin: {historical_poll_datetime: "${new Date(now - 2 * DAY_MS).toISOString().slice(0, 19)}Z", lag_in_seconds: 0}
`,
        ),
      );
      const run = await runSiphon(['run', '--config', config, '--once'], { KW_SECRET: c.clientSecret, KW_SIGNATURE_KEY: c.signatureKey ?? '', PROXY_PASSWORD });
      assert.equal(run.code, 0, run.stderr);
      const delivered = (await readDelivered(join(dir, 'events.ndjson'))).map((l) => String(l.event['id'])).sort();
      assert.deepEqual(delivered, kw.events('events').map((e) => String(e['id'])).sort(), 'every event, once');
      const vendor = `127.0.0.1:${new URL(kw.url).port}`;
      assert.ok(proxy.tunnels.length >= 1, 'the proxy opened tunnels');
      assert.ok(proxy.tunnels.every((t) => t === vendor), proxy.tunnels.join(', '));
      assert.equal(proxy.plainRequests, 0);
      assert.match(run.stderr, new RegExp(`INFO .*HttpClient.* -> Requests to ${escape(kw.url)} go through the proxy ${escape(proxy.address)} \\(http\\.proxy\\)`));
      await assertNoProxyPassword(run, dir);
    } finally {
      await proxy.close();
      await kw.close();
    }
  });

  test('HTTP_PROXY from the environment carries the vendor requests and the http output POSTs; NO_PROXY=127.0.0.1 goes direct', async () => {
    const proxy = await startConnectProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
    const receiver = await startReceiver();
    try {
      const yaml = `globals:
  name: envproxy
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  siem: {type: http, config: {url: ${receiver.url}, gzip: false, max_retries: 0}}
inputs:
${onePasswordInput(op.url)}`;
      const expected = op.events('auditevents').map((e) => String(e['uuid']));
      const env = { OP_EVENTS_TOKEN: OP_TOKEN, HTTP_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}` };

      const dir = await tempDir();
      const proxied = await runSiphon(['run', '--config', await writeConfig(dir, yaml), '--once'], env);
      assert.equal(proxied.code, 0, proxied.stderr);
      assert.deepEqual(receiver.uuids, expected, 'the http output got every event, once');
      const targets = new Set(proxy.tunnels);
      assert.ok(targets.has(`127.0.0.1:${new URL(op.url).port}`), `the vendor requests went through the proxy: ${[...targets].join(', ')}`);
      assert.ok(targets.has(`127.0.0.1:${receiver.port}`), `the http output went through the proxy: ${[...targets].join(', ')}`);
      assert.match(proxied.stderr, new RegExp(`Requests to ${escape(op.url)} go through the proxy ${escape(proxy.address)} \\(HTTP_PROXY\\)`));
      assert.match(proxied.stderr, new RegExp(`Output siem: requests to http://127\\.0\\.0\\.1:${receiver.port} go through the proxy ${escape(proxy.address)} \\(HTTP_PROXY\\)`));
      await assertNoProxyPassword(proxied, dir);

      const tunnelsBefore = proxy.tunnels.length;
      receiver.uuids.length = 0;
      const directDir = await tempDir();
      const direct = await runSiphon(['run', '--config', await writeConfig(directDir, yaml), '--once'], { ...env, NO_PROXY: '127.0.0.1' });
      assert.equal(direct.code, 0, direct.stderr);
      assert.deepEqual(receiver.uuids, expected);
      assert.equal(proxy.tunnels.length, tunnelsBefore, 'NO_PROXY: no tunnel opened');
      assert.match(direct.stderr, /Requests to http:\/\/127\.0\.0\.1:\d+ go direct \(NO_PROXY/);
      await assertNoProxyPassword(direct, directDir);
    } finally {
      await receiver.close();
      await proxy.close();
    }
  });

  test('an https:// proxy, its CA given to Node with NODE_EXTRA_CA_CERTS', async () => {
    const proxy = await startConnectProxy({ tls: { key: pki.serverKeyPem, cert: pki.serverCertPem } });
    try {
      const dir = await tempDir();
      const config = await writeConfig(dir, fileCollectorYaml('tlsproxy', onePasswordInput(op.url, `{max_retries: 0, proxy: {url: ${proxy.url}}}`)));
      const run = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: OP_TOKEN, NODE_EXTRA_CA_CERTS: pki.caCertFile });
      assert.equal(run.code, 0, run.stderr);
      assert.equal((await readDelivered(join(dir, 'events.ndjson'))).length, op.events('auditevents').length);
      assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.every((t) => t === `127.0.0.1:${new URL(op.url).port}`), proxy.tunnels.join(', '));
      assert.match(run.stderr, new RegExp(`go through the proxy ${escape(proxy.address)} \\(http\\.proxy\\)`));
    } finally {
      await proxy.close();
    }
  });

  test('wrong proxy credentials, and a proxy that is down: setup fails naming the proxy, exit code 3, nothing delivered', async () => {
    const proxy = await startConnectProxy({ credentials: { username: PROXY_USER, password: 'the-proxy-wants-this' } });
    try {
      const dir = await tempDir();
      const config = await writeConfig(
        dir,
        fileCollectorYaml('badproxy', onePasswordInput(op.url, `{max_retries: 0, proxy: {url: ${proxy.url}, username: ${PROXY_USER}, password: "\${env:PROXY_PASSWORD}"}}`)),
      );
      const refused = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: OP_TOKEN, PROXY_PASSWORD });
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(
          `\\[SetupError 103\\] GET /api/v2/auth/introspect: GET /api/v2/auth/introspect to 127\\.0\\.0\\.1:\\d+ failed: the proxy ${escape(proxy.address)} \\(http\\.proxy\\) ` +
            'refused the proxy credentials \\(HTTP 407 Proxy Authentication Required\\): check `http\\.proxy\\.username` and `http\\.proxy\\.password` The collector cannot start\\.',
        ),
      );
      assert.equal(proxy.tunnels.length, 0);
      assert.deepEqual(await readDelivered(join(dir, 'events.ndjson')), []);
      await assertNoProxyPassword(refused, dir);
    } finally {
      await proxy.close();
    }

    // The same proxy, now gone: HTTPS_PROXY is not used for an http:// vendor, HTTP_PROXY is.
    const downDir = await tempDir();
    const down = await runSiphon(['run', '--config', await writeConfig(downDir, fileCollectorYaml('downproxy', onePasswordInput(op.url))), '--once'], {
      OP_EVENTS_TOKEN: OP_TOKEN,
      HTTP_PROXY: proxy.url,
    });
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, new RegExp(`\\[SetupError 103\\] .* failed after 1 attempt: the proxy ${escape(proxy.address)} \\(HTTP_PROXY\\) cannot be reached: connect ECONNREFUSED`));
  });
});
