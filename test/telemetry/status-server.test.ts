// The status server on 127.0.0.1 (port 0), serving a fixed status document: each route,
// the token, TLS, readiness, a provider that fails or hangs, and the start-up errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiphonError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redact.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { startStatusServer, type StatusServer } from '../../src/telemetry/status-server.js';
import type { StatusServerSettings } from '../../src/config/types.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { fetchText, FixedStatusProvider, sampleDocument, type Fetched } from '../support/status-fixture.js';

const TOKEN = 'status-token-7f3a9c2e5b1d4860';

function logger(sink: MemorySink) {
  return createLogger({ format: 'text', level: 'debug', redactor: new Redactor(), sink });
}

async function start(settings: Partial<StatusServerSettings> = {}, provider = new FixedStatusProvider(sampleDocument()), options = {}) {
  const sink = new MemorySink();
  const server = await startStatusServer({ host: '127.0.0.1', port: 0, ...settings }, provider, logger(sink), options);
  return { server, provider, sink };
}

async function startError(settings: Partial<StatusServerSettings>): Promise<SiphonError> {
  try {
    const { server } = await start(settings);
    await server.close();
  } catch (err) {
    assert.ok(err instanceof SiphonError, `not a SiphonError: ${String(err)}`);
    return err;
  }
  assert.fail('the server started');
}

describe('status server routes', () => {
  let server: StatusServer;
  let sink: MemorySink;
  let provider: FixedStatusProvider;

  before(async () => {
    ({ server, sink, provider } = await start());
  });
  after(async () => {
    await server.close();
  });

  test('logs the URL with the port it got, once it listens', () => {
    const port = Number(new URL(server.url).port);
    assert.ok(port > 0);
    assert.equal(server.url, `http://127.0.0.1:${port}`);
    assert.deepEqual(
      sink.lines.filter((l) => l.includes('Status server')).map((l) => l.replace(/^\S+ /, '')),
      [`INFO MainProcess::MainThread -> Status server listening on http://127.0.0.1:${port}`],
    );
  });

  test('GET /health: 200 {"status":"ok"}; HEAD: the same without a body', async () => {
    const get = await fetchText(`${server.url}/health`);
    assert.equal(get.status, 200);
    assert.equal(get.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(get.body), { status: 'ok' });
    const head = await fetchText(`${server.url}/health`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(get.body.length));
  });

  test('GET /ready: 200 when ready', async () => {
    const ready = await fetchText(`${server.url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { ready: true, reasons: [] });
  });

  test('GET /metrics: the provider\'s body and content type', async () => {
    const metrics = await fetchText(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(metrics.body, /^siphon_events_delivered_total 42$/m);
  });

  test('GET /api/v1/status: the status document as JSON, not cached', async () => {
    const status = await fetchText(`${server.url}/api/v1/status?ignored=1`);
    assert.equal(status.status, 200);
    assert.equal(status.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(status.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(status.body), provider.document);
  });

  test('GET /: the self-contained page, with a policy that allows only its own script and style', async () => {
    const page = await fetchText(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /^<!doctype html>/);
    // No external asset: nothing is loaded from anywhere (the only URL is the relative API path).
    assert.doesNotMatch(page.body, /\b(src|href)="(?!data:)/);
    assert.doesNotMatch(page.body, /https?:\/\//);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /connect-src 'self'/);
  });

  test('unknown paths are 404, other methods 405 with Allow', async () => {
    const missing = await fetchText(`${server.url}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), { error: 'not found' });
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const refused = await fetchText(`${server.url}/health`, { method });
      assert.equal(refused.status, 405, method);
      assert.equal(refused.headers['allow'], 'GET, HEAD');
    }
  });
});

describe('status server with a token', () => {
  let server: StatusServer;
  let sink: MemorySink;
  const answers: Fetched[] = [];
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Fetched> => {
    const answer = await fetchText(`${server.url}${path}`, { headers });
    answers.push(answer);
    return answer;
  };

  before(async () => {
    ({ server, sink } = await start({ token: TOKEN }));
  });
  after(async () => {
    await server.close();
  });

  test('every route but /health and the page wants the bearer token', async () => {
    for (const path of ['/ready', '/metrics', '/api/v1/status']) {
      const none = await get(path);
      assert.equal(none.status, 401, path);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="siphon"');
      assert.equal((await get(path, { Authorization: 'Bearer wrong-token' })).status, 401, path);
      assert.equal((await get(path, { Authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).status, 401, path);
      assert.equal((await get(path, { Authorization: `Basic ${TOKEN}` })).status, 401, path);
      assert.equal((await get(path, { Authorization: `Bearer ${TOKEN}` })).status, 200, path);
      assert.equal((await get(path, { Authorization: `bearer  ${TOKEN}` })).status, 200, `${path}: the scheme is case-insensitive`);
    }
    assert.equal((await get('/health')).status, 200);
    assert.equal((await get('/')).status, 200);
  });

  test('the token is in no answer and no log line', () => {
    assert.ok(answers.length > 0);
    for (const a of answers) {
      assert.ok(!a.body.includes(TOKEN.slice(0, 8)), a.body);
      assert.ok(!JSON.stringify(a.headers).includes(TOKEN.slice(0, 8)));
    }
    for (const line of sink.lines) assert.ok(!line.includes(TOKEN.slice(0, 8)), line);
  });
});

test('a secret of the configuration in the status document is redacted from the answer', async () => {
  const secret = 'lastpass-hash-0b9d7c6e5f4a3b2c';
  const document = sampleDocument();
  document.streams[2]!.last_error = { code: 'SetupError 100', message: `The vendor echoed ${secret} back`, at: new Date().toISOString() };
  const redactor = new Redactor();
  redactor.add(secret);
  const { server } = await start({}, new FixedStatusProvider(document), { redactor });
  try {
    const status = await fetchText(`${server.url}/api/v1/status`);
    assert.equal(status.status, 200);
    assert.ok(!status.body.includes(secret.slice(0, 12)));
    assert.match(JSON.parse(status.body).streams[2].last_error.message, /The vendor echoed \[REDACTED\] back/);
  } finally {
    await server.close();
  }
});

test('readiness: 503 with the provider\'s reasons, then 200, then 503 "shutting down" while /health stays 200', async () => {
  const { server, provider } = await start();
  try {
    provider.readiness_ = { ready: false, reasons: ['output devo_eu is not open yet', 'setup of lastpass is running'] };
    const before = await fetchText(`${server.url}/ready`);
    assert.equal(before.status, 503);
    assert.deepEqual(JSON.parse(before.body), { ready: false, reasons: ['output devo_eu is not open yet', 'setup of lastpass is running'] });

    provider.readiness_ = { ready: true, reasons: [] };
    assert.equal((await fetchText(`${server.url}/ready`)).status, 200);

    server.setShuttingDown();
    const stopping = await fetchText(`${server.url}/ready`);
    assert.equal(stopping.status, 503);
    assert.deepEqual(JSON.parse(stopping.body), { ready: false, reasons: ['shutting down'] });
    assert.equal((await fetchText(`${server.url}/health`)).status, 200);
  } finally {
    await server.close();
  }
});

test('a provider that throws gives 500 with a short sentence, no stack; the log says why', async () => {
  const { server, provider, sink } = await start();
  try {
    provider.fault = new Error('status table is being rebuilt');
    const failed = await fetchText(`${server.url}/api/v1/status`);
    assert.equal(failed.status, 500);
    assert.deepEqual(JSON.parse(failed.body), { error: 'the collector could not produce this answer; see its log' });
    assert.doesNotMatch(failed.body, /\bat \S+:\d+/);
    assert.ok(sink.lines.some((l) => l.includes('WARNING') && l.includes('GET /api/v1/status failed: status table is being rebuilt')), sink.lines.join('\n'));
    // The server goes on answering.
    assert.equal((await fetchText(`${server.url}/health`)).status, 200);
  } finally {
    await server.close();
  }
});

test('close() ends at once with an idle keep-alive client and a request the provider never answers', async () => {
  const { server, provider } = await start();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    assert.equal((await fetchText(`${server.url}/health`, { agent })).status, 200);
    // A request in flight that the provider never answers.
    const held = provider.hangMetrics();
    const hanging = fetchText(`${server.url}/metrics`, { agent }).then(
      () => 'answered',
      () => 'cut',
    );
    await held;
    // A generous bound, so that a regression fails here (and the cleanup below ends the
    // connections) instead of holding the test process for ever.
    let bound: NodeJS.Timeout | undefined;
    const verdict = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise<string>((resolve) => (bound = setTimeout(() => resolve('still open after 30 s'), 30_000))),
    ]);
    clearTimeout(bound);
    assert.equal(verdict, 'closed');
    assert.equal(await hanging, 'cut');
  } finally {
    agent.destroy();
  }
});

describe('TLS', () => {
  let pki: TestPki;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'siphon-status-tls-'));
    pki = await makeTestPki(join(dir, 'pki'));
  });

  test('serves HTTPS with the configured certificate and logs an https URL', async () => {
    const { server, sink } = await start({ tls: { cert: join(dir, 'pki', 'server.crt'), key: join(dir, 'pki', 'server.key') }, token: TOKEN });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(sink.lines.some((l) => l.endsWith(`Status server listening on ${server.url}`)));
      const health = await fetchText(`${server.url}/health`, { ca: pki.caCertPem });
      assert.equal(health.status, 200);
      const status = await fetchText(`${server.url}/api/v1/status`, { ca: pki.caCertPem, headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(status.status, 200);
      assert.equal(JSON.parse(status.body).collector.name, 'acme-prod');
      await assert.rejects(fetchText(`${server.url}/health`), /self-signed|unable to verify|certificate/i, 'a client that does not trust the CA is refused');
    } finally {
      await server.close();
    }
  });

  test('a missing certificate file and a key that does not match are STATUS_SERVER_UNAVAILABLE naming the setting', async () => {
    const missing = await startError({ tls: { cert: join(dir, 'nope.crt'), key: join(dir, 'pki', 'server.key') } });
    assert.equal(missing.code, 'STATUS_SERVER_UNAVAILABLE');
    assert.equal(missing.describe(), `[PrePullError 203] globals.status_server.tls.cert: cannot read ${join(dir, 'nope.crt')} (ENOENT)`);

    const mismatched = await startError({ tls: { cert: join(dir, 'pki', 'server.crt'), key: join(dir, 'pki', 'client.key') } });
    assert.equal(mismatched.code, 'STATUS_SERVER_UNAVAILABLE');
    assert.match(mismatched.message, /^globals\.status_server\.tls: the certificate .*server\.crt and the key .*client\.key cannot be used \(.*key values mismatch.*\)$/);

    const notPem = join(dir, 'not-pem.crt');
    await writeFile(notPem, 'hello');
    const garbage = await startError({ tls: { cert: notPem, key: join(dir, 'pki', 'server.key') } });
    assert.match(garbage.message, /^globals\.status_server\.tls: the certificate .*not-pem\.crt and the key .*server\.key cannot be used/);
    assert.ok(!garbage.message.includes('PRIVATE KEY'));
  });
});

describe('start-up failures', () => {
  test('a port in use is STATUS_SERVER_UNAVAILABLE naming globals.status_server.listen and the address', async () => {
    const { server } = await start();
    try {
      const port = Number(new URL(server.url).port);
      const error = await startError({ port });
      assert.equal(error.code, 'STATUS_SERVER_UNAVAILABLE');
      assert.equal(
        error.describe(),
        `[PrePullError 203] The status server cannot listen on 127.0.0.1:${port} (globals.status_server.listen): the port is already in use by another program`,
      );
    } finally {
      await server.close();
    }
  });

  test('a port held by another program (not a status server) is refused the same way', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const address = other.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const error = await startError({ port });
      assert.match(error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(globals\\.status_server\\.listen\\): the port is already in use`));
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test('an address that is not this machine\'s is refused with the reason', async () => {
    // 192.0.2.1 is TEST-NET-1: never assigned to a local interface.
    const error = await startError({ host: '192.0.2.1' });
    assert.equal(error.code, 'STATUS_SERVER_UNAVAILABLE');
    assert.equal(error.message, "The status server cannot listen on 192.0.2.1:0 (globals.status_server.listen): the address is not one of this machine's");
  });
});
