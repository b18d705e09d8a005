// The http output against real node:http / node:https servers on 127.0.0.1: bodies, batching,
// authentication, retries, Splunk HEC, check(), TLS with a private CA, and secrets kept out
// of messages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HttpOutput, httpOutputDefinition } from '../../src/outputs/http/index.js';
import { httpOutputSchema } from '../../src/outputs/http/settings.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import type { Clock, OutputRecord } from '../../src/core/contracts.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { rejection } from '../support/rejection.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Raw bytes as they came. */
  raw: Buffer;
  /** Decompressed when the request said gzip. */
  text: string;
}

type Reply = (req: Received, res: ServerResponse, n: number) => void;

interface TestServer {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function serve(server: Server, reply: Reply, scheme: 'http' | 'https'): Promise<TestServer> {
  const requests: Received[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, text };
      requests.push(received);
      reply(received, res, requests.length);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const close = (): Promise<void> =>
        new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      cleanups.push(close);
      resolve({ url: `${scheme}://127.0.0.1:${port}`, requests, close });
    });
  });
}

const httpServer = (reply: Reply): Promise<TestServer> => serve(createHttpServer(), reply, 'http');

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const ok: Reply = (_req, res) => json(res, 200, { ok: true });

/** Records the delays the output asks for, and waits only a little of each, so tests stay quick. */
class QuickClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, Math.min(ms, 20));
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  }
}

function makeOutput(config: Record<string, unknown>, baseDir = tmpdir()) {
  const sink = new MemorySink();
  const redactor = new Redactor();
  const settings = httpOutputSchema.parse(config);
  redactor.add(...(httpOutputDefinition.secrets?.(settings) ?? []));
  const logger = createLogger({ format: 'text', level: 'info', redactor, sink });
  const clock = new QuickClock();
  const output = new HttpOutput('http_1', settings, { logger, clock, baseDir });
  cleanups.push(() => output.close());
  return { output, sink, clock };
}

const rec = (id: number, extra: Record<string, unknown> = {}): OutputRecord => ({
  tag: 'my.app.test.events',
  input: 'op',
  service: 'audit',
  event: { uuid: `e${id}`, ...extra },
});


test('ndjson: one {"tag","input","service","event"} line per event, the pipeline\'s event text spliced in, gzip', async () => {
  const server = await httpServer(ok);
  const { output } = makeOutput({ url: `${server.url}/ingest?src=siphon` });
  await output.open();
  const spliced: OutputRecord = { ...rec(1), eventJson: '{"z":1,  "uuid":"e1"}' };
  await output.write([spliced, rec(2, { b: 1, a: 'é' })]);
  assert.equal(server.requests.length, 1);
  const [req] = server.requests;
  assert.equal(req?.method, 'POST');
  assert.equal(req?.url, '/ingest?src=siphon');
  assert.equal(req?.headers['content-type'], 'application/x-ndjson');
  assert.equal(req?.headers['content-encoding'], 'gzip');
  assert.equal(
    req?.text,
    '{"tag":"my.app.test.events","input":"op","service":"audit","event":{"z":1,  "uuid":"e1"}}\n' +
      '{"tag":"my.app.test.events","input":"op","service":"audit","event":{"uuid":"e2","b":1,"a":"é"}}\n',
  );
  assert.equal(output.bytesSent, req?.raw.length, 'bytesSent counts the compressed body');
});

test('gzip: false sends the body as is', async () => {
  const server = await httpServer(ok);
  const { output } = makeOutput({ url: server.url, gzip: false });
  await output.write([rec(1)]);
  const [req] = server.requests;
  assert.equal(req?.headers['content-encoding'], undefined);
  assert.equal(req?.raw.toString('utf8'), '{"tag":"my.app.test.events","input":"op","service":"audit","event":{"uuid":"e1"}}\n');
  assert.equal(output.bytesSent, req?.raw.length);
});

test('a write that fits the limits is one POST; larger ones are cut by events and by bytes, in order', async () => {
  const server = await httpServer(ok);
  const ids = (r: Received): string[] => r.text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid);

  const whole = makeOutput({ url: server.url });
  await whole.output.write(Array.from({ length: 300 }, (_, i) => rec(i)));
  assert.equal(server.requests.length, 1);

  server.requests.length = 0;
  const byEvents = makeOutput({ url: server.url, batch_max_events: 2 });
  await byEvents.output.write([rec(1), rec(2), rec(3), rec(4), rec(5)]);
  assert.deepEqual(server.requests.map(ids), [['e1', 'e2'], ['e3', 'e4'], ['e5']]);

  server.requests.length = 0;
  // Each line is 100 + 300 bytes or so: three fit in 1300 bytes, four do not.
  const pad = 'x'.repeat(300);
  const byBytes = makeOutput({ url: server.url, batch_max_bytes: 1300, gzip: false });
  await byBytes.output.write(Array.from({ length: 7 }, (_, i) => rec(i, { pad })));
  assert.deepEqual(server.requests.map((r) => ids(r).length), [3, 3, 1]);
  for (const r of server.requests) assert.ok(r.raw.length <= 1300, `a POST of ${r.raw.length} bytes`);

  server.requests.length = 0;
  // One event larger than the limit still goes, alone.
  await byBytes.output.write([rec(1), rec(2, { pad: 'y'.repeat(3000) }), rec(3)]);
  assert.deepEqual(server.requests.map(ids), [['e1'], ['e2'], ['e3']]);
});

test('bearer, basic and extra headers', async () => {
  const server = await httpServer(ok);
  const bearer = makeOutput({ url: server.url, bearer_token: 'tok-123456789', headers: { 'X-Scope': 'audit', 'User-Agent': 'mine/1' } });
  await bearer.output.write([rec(1)]);
  const basic = makeOutput({ url: server.url, username: 'alice', password: 'p@ss:word' });
  await basic.output.write([rec(1)]);
  assert.equal(server.requests[0]?.headers['authorization'], 'Bearer tok-123456789');
  assert.equal(server.requests[0]?.headers['x-scope'], 'audit');
  assert.equal(server.requests[0]?.headers['user-agent'], 'mine/1');
  assert.equal(server.requests[1]?.headers['authorization'], `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`);
  assert.match(server.requests[1]?.headers['user-agent'] ?? '', /^siphon\//);
});

test('429 with Retry-After is retried after the time asked, and the events arrive once', async () => {
  let accepted = 0;
  const server = await httpServer((req, res, n) => {
    if (n === 1) {
      json(res, 429, { error: 'slow down' }, { 'retry-after': '3' });
      return;
    }
    accepted += req.text.trimEnd().split('\n').length;
    json(res, 200, { ok: true });
  });
  const { output, clock, sink } = makeOutput({ url: server.url });
  await output.write([rec(1), rec(2)]);
  assert.equal(server.requests.length, 2);
  assert.equal(accepted, 2);
  assert.deepEqual(clock.sleeps, [3000]);
  assert.equal(server.requests[0]?.text, server.requests[1]?.text, 'the same body is sent again');
  assert.ok(sink.lines.some((l) => l.includes('HTTP 429') && l.includes('attempt 1 of 6')), sink.lines.join('\n'));
});

test('503 is retried with back-off (1 s, jittered) and then delivered', async () => {
  const server = await httpServer((_req, res, n) => (n === 1 ? json(res, 503, { error: 'busy' }) : json(res, 200, {})));
  const { output, clock } = makeOutput({ url: server.url });
  await output.write([rec(1)]);
  assert.equal(server.requests.length, 2);
  assert.equal(clock.sleeps.length, 1);
  assert.ok((clock.sleeps[0] ?? 0) >= 500 && (clock.sleeps[0] ?? 0) <= 1000, `waited ${clock.sleeps[0]} ms`);
});

test('a connection the receiver drops is retried', async () => {
  const server = await httpServer((req, res, n) => {
    if (n === 1) {
      res.socket?.destroy();
      return;
    }
    json(res, 200, {});
  });
  const { output } = makeOutput({ url: server.url });
  await output.write([rec(1)]);
  assert.equal(server.requests.length, 2);
});

test('retries stop after max_retries, with exponential delays, and the write rejects', async () => {
  const server = await httpServer((_req, res) => json(res, 502, { error: 'bad gateway' }));
  const { output, clock } = makeOutput({ url: server.url, max_retries: 3 });
  const err = await rejection(output.write([rec(1)]));
  assert.equal(err.code, 'OUTPUT_WRITE_FAILED');
  assert.equal(server.requests.length, 4);
  assert.match(err.message, /after 4 attempts: HTTP 502/);
  assert.equal(clock.sleeps.length, 3);
  clock.sleeps.forEach((ms, i) => assert.ok(ms >= 500 * 2 ** i && ms <= 1000 * 2 ** i, `retry ${i + 1} waited ${ms} ms`));
});

test('400 rejects at once, naming the status and the start of the answer', async () => {
  const long = `invalid event: ${'z'.repeat(1000)}`;
  const server = await httpServer((_req, res) => json(res, 400, { error: long }));
  const { output, clock } = makeOutput({ url: server.url });
  const err = await rejection(output.write([rec(1)]));
  assert.equal(err.code, 'OUTPUT_WRITE_FAILED');
  assert.equal(server.requests.length, 1, 'not retried');
  assert.deepEqual(clock.sleeps, []);
  assert.match(err.message, /^Output http_1: POST to http:\/\/127\.0\.0\.1:\d+\/ \(1 event\) failed: HTTP 400: \{"error":"invalid event: z+…$/);
  const excerpt = err.message.slice(err.message.indexOf('HTTP 400: ') + 'HTTP 400: '.length);
  assert.equal(excerpt.length, 301, 'at most 300 characters of the answer, then an ellipsis');
});

test('a cut batch whose second POST fails rejects, saying the first one was accepted; the retried batch resumes at the second POST', async () => {
  const server = await httpServer((_req, res, n) => (n === 2 ? json(res, 413, { error: 'too big' }) : json(res, 200, {})));
  const { output } = makeOutput({ url: server.url, batch_max_events: 2 });
  const batch = [rec(1), rec(2), rec(3), rec(4), rec(5)];
  const err = await rejection(output.write(batch));
  assert.equal(server.requests.length, 2, 'POST 3 is not sent after POST 2 failed');
  assert.match(err.message, /POST 2 of 3 to .* \(2 events\) failed: HTTP 413 \(request too large: lower batch_max_bytes\)/);
  assert.match(err.message, /the POST before it was accepted and is not sent again when the batch is retried/);
  // The pipeline retries the same batch: POST 1 is not repeated.
  await output.write(batch);
  const uuids = server.requests.slice(2).flatMap((r) => r.text.trim().split('\n').map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid));
  assert.deepEqual(uuids, ['e3', 'e4', 'e5']);
  // A new batch starts at its first POST.
  await output.write([rec(6)]);
  assert.equal(server.requests.length, 5);
});

test('an answer that never comes times out', async () => {
  const server = await httpServer(() => undefined);
  const { output } = makeOutput({ url: server.url, timeout_seconds: 0.3, max_retries: 0 });
  const started = Date.now();
  const err = await rejection(output.write([rec(1)]));
  assert.match(err.message, /no complete answer within 0\.3 s \(timeout_seconds\)/);
  // A hang guard: the receiver never answers, so without the timeout the write never ends.
  assert.ok(Date.now() - started < 60_000);
});

test('secrets never appear in error messages, even when the receiver echoes them', async () => {
  const echo: Reply = (req, res) => json(res, 401, { error: 'bad credentials', got: req.headers['authorization'] });
  const server = await httpServer(echo);
  const cases = [
    { config: { bearer_token: 'SECRET-bearer-0001' }, secrets: ['SECRET-bearer-0001'] },
    { config: { username: 'bob', password: 'SECRET-pass-0002' }, secrets: ['SECRET-pass-0002', Buffer.from('bob:SECRET-pass-0002').toString('base64')] },
    { config: { mode: 'splunk_hec', hec_token: 'SECRET-hec-0003' }, secrets: ['SECRET-hec-0003'] },
  ];
  for (const c of cases) {
    const { output } = makeOutput({ url: server.url, ...c.config });
    const writeErr = await rejection(output.write([rec(1)]));
    const checkErr = await rejection(output.check());
    assert.match(writeErr.message, /REDACTED/, 'the echoed credential was there, and hidden');
    for (const err of [writeErr, checkErr]) {
      assert.match(err.message, /HTTP 401/);
      for (const secret of c.secrets) {
        assert.ok(!err.message.includes(secret), err.message);
        assert.ok(!JSON.stringify(err.details).includes(secret));
      }
    }
  }
});

test('splunk_hec: event endpoint, Splunk token, HEC envelope per event', async () => {
  const server = await httpServer((_req, res) => json(res, 200, { text: 'Success', code: 0 }));
  const { output } = makeOutput({ url: `${server.url}/`, mode: 'splunk_hec', hec_token: 'hec-token-1234', hostname: 'collector-7', index: 'audit' });
  await output.write([rec(1), { ...rec(2), service: 'signin', eventJson: '{"uuid":"e2","n":1}' }]);
  const [req] = server.requests;
  assert.equal(req?.url, '/services/collector/event');
  assert.equal(req?.headers['authorization'], 'Splunk hec-token-1234');
  assert.equal(req?.headers['content-type'], 'application/json');
  assert.equal(
    req?.text,
    '{"host":"collector-7","source":"siphon:op/audit","sourcetype":"my.app.test.events","index":"audit","event":{"uuid":"e1"}}\n' +
      '{"host":"collector-7","source":"siphon:op/signin","sourcetype":"my.app.test.events","index":"audit","event":{"uuid":"e2","n":1}}\n',
  );
});

test('splunk_hec: a URL that already names the event endpoint is used as is; host defaults to the machine', async () => {
  const server = await httpServer((_req, res) => json(res, 200, { text: 'Success', code: 0 }));
  const { output } = makeOutput({ url: `${server.url}/hec/services/collector/event`, mode: 'splunk_hec', hec_token: 'hec-token-1234' });
  await output.write([rec(1)]);
  assert.equal(server.requests[0]?.url, '/hec/services/collector/event');
  const line = JSON.parse(server.requests[0]?.text ?? '') as Record<string, unknown>;
  assert.equal(typeof line['host'], 'string');
  assert.ok(!('index' in line) && !('time' in line));
});

test('splunk_hec: a 200 whose code is not 0 is a failure, not retried', async () => {
  const server = await httpServer((_req, res) => json(res, 200, { text: 'Incorrect index', code: 7 }));
  const { output } = makeOutput({ url: server.url, mode: 'splunk_hec', hec_token: 'hec-token-1234' });
  const err = await rejection(output.write([rec(1)]));
  assert.equal(server.requests.length, 1);
  assert.match(err.message, /HTTP 200 with HEC code 7 "Incorrect index"/);
});

test('splunk_hec: a token with indexer acknowledgement is explained', async () => {
  const server = await httpServer((_req, res) => json(res, 400, { text: 'Data channel is missing', code: 10 }));
  const { output } = makeOutput({ url: server.url, mode: 'splunk_hec', hec_token: 'hec-token-1234' });
  const err = await rejection(output.write([rec(1)]));
  assert.match(err.message, /indexer acknowledgement/);
});

test('check (ndjson): HEAD with the credentials; any answer but 401/403 is reachable', async () => {
  const server = await httpServer((req, res) => {
    res.writeHead(req.headers['authorization'] === 'Bearer good-token-1' ? 405 : 401);
    res.end();
  });
  const good = makeOutput({ url: `${server.url}/ingest`, bearer_token: 'good-token-1' });
  assert.match(String(await good.output.check()), /^http:\/\/127\.0\.0\.1:\d+\/ingest answered HEAD with HTTP 405$/);
  assert.equal(server.requests[0]?.method, 'HEAD');
  assert.equal(server.requests[0]?.url, '/ingest');
  const bad = makeOutput({ url: `${server.url}/ingest`, bearer_token: 'bad-token-1' });
  const err = await rejection(bad.output.check());
  assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
  assert.match(err.message, /\/ingest rejected the credentials \(HTTP 401\)/);
});

test('check: connection refused is reported as such', async () => {
  const server = await httpServer(ok);
  await server.close();
  const { output } = makeOutput({ url: server.url });
  const err = await rejection(output.check());
  assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
  assert.match(err.message, /^Output http_1: http:\/\/127\.0\.0\.1:\d+\/: connection refused/);
  assert.equal(err.details['failure'], 'refused');
});

test('check (splunk_hec): health, then a POST without events that proves the token', async () => {
  const server = await httpServer((req, res) => {
    if (req.url === '/services/collector/health') return json(res, 200, { text: 'HEC is healthy', code: 17 });
    if (req.headers['authorization'] !== 'Splunk good-hec-token') return json(res, 403, { text: 'Invalid token', code: 4 });
    if (req.raw.length === 0) return json(res, 400, { text: 'No data', code: 5 });
    return json(res, 200, { text: 'Success', code: 0 });
  });
  const good = makeOutput({ url: server.url, mode: 'splunk_hec', hec_token: 'good-hec-token' });
  assert.match(String(await good.output.check()), /\/services\/collector\/health is healthy and .*\/services\/collector\/event accepts the token$/);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.url} ${r.raw.length}`),
    ['GET /services/collector/health 0', 'POST /services/collector/event 0'],
  );
  const bad = makeOutput({ url: server.url, mode: 'splunk_hec', hec_token: 'bad-hec-token' });
  const err = await rejection(bad.output.check());
  assert.match(err.message, /services\/collector\/event rejected the credentials \(HTTP 403: \{"text":"Invalid token","code":4\}\)/);
});

test('check (splunk_hec): an unhealthy HEC is reported', async () => {
  const server = await httpServer((_req, res) => json(res, 503, { text: 'HEC is unhealthy, queues are full', code: 18 }));
  const { output } = makeOutput({ url: server.url, mode: 'splunk_hec', hec_token: 'hec-token-1234' });
  const err = await rejection(output.check());
  assert.match(err.message, /health: HTTP 503: .*queues are full.*\(HEC is unhealthy/);
});

let made: Promise<{ pki: TestPki; dir: string }> | undefined;
/** One PKI for the file's TLS tests (openssl is slow), in a folder removed at the end. */
function testPki(): Promise<{ pki: TestPki; dir: string }> {
  made ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'siphon-http-tls-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { pki: await makeTestPki(dir), dir };
  })();
  return made;
}

test('https: a private CA given in ca_file is trusted; without it the certificate is reported untrusted', async () => {
  const { pki: p, dir } = await testPki();
  const server = await serve(createHttpsServer({ key: p.serverKeyPem, cert: p.serverCertPem }), ok, 'https');
  const trusted = makeOutput({ url: server.url, ca_file: p.caCertFile }, dir);
  await trusted.output.check();
  await trusted.output.write([rec(1)]);
  assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1);

  const untrusted = makeOutput({ url: server.url, max_retries: 3 });
  const checkErr = await rejection(untrusted.output.check());
  assert.equal(checkErr.details['failure'], 'server-untrusted');
  assert.match(checkErr.message, /not trusted .*set `ca_file`/);
  const writeErr = await rejection(untrusted.output.write([rec(1)]));
  assert.equal(writeErr.code, 'OUTPUT_WRITE_FAILED');
  assert.deepEqual(untrusted.clock.sleeps, [], 'a trust failure is not retried within the write');
});

test('https: a certificate for another host name is reported as a host-name mismatch', async () => {
  const { pki: p, dir } = await testPki();
  const server = await serve(createHttpsServer({ key: p.wrongHostKeyPem, cert: p.wrongHostCertPem }), ok, 'https');
  const { output } = makeOutput({ url: server.url, ca_file: 'ca.crt' }, dir);
  const err = await rejection(output.check());
  assert.equal(err.details['failure'], 'hostname-mismatch');
  assert.match(err.message, /host-name mismatch/);
});

test('https: verify_tls false accepts a self-signed certificate, with a warning', async () => {
  const { pki: p, dir } = await testPki();
  const server = await serve(createHttpsServer({ key: p.selfSignedKeyPem, cert: p.selfSignedCertPem }), ok, 'https');
  const { output, sink } = makeOutput({ url: server.url, verify_tls: false }, dir);
  await output.write([rec(1)]);
  assert.equal(server.requests.length, 1);
  assert.ok(sink.lines.some((l) => l.includes('verify_tls is false')));
});

test('an unreadable ca_file is OUTPUT_UNAVAILABLE naming the setting', async () => {
  const { output } = makeOutput({ url: 'https://127.0.0.1:9', ca_file: 'missing-ca.pem' });
  const err = await rejection(output.check());
  assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
  assert.match(err.message, /config\.ca_file: cannot read .*missing-ca\.pem \(ENOENT\)/);
});

test('settings: defaults, and the mistakes the schema refuses', () => {
  const s = httpOutputSchema.parse({ url: 'https://example.com/in/' });
  assert.equal(s.url, 'https://example.com/in');
  assert.equal(s.mode, 'ndjson');
  assert.equal(s.gzip, true);
  assert.equal(s.batch_max_events, 500);
  assert.equal(s.batch_max_bytes, 1024 * 1024);
  assert.equal(s.timeout_seconds, 30);
  assert.equal(s.max_retries, 5);
  assert.equal(s.verify_tls, true);
  assert.deepEqual(httpOutputDefinition.defaultChannels, ['standard', 'internal']);
  const refused = (config: Record<string, unknown>, pattern: RegExp): void => {
    const result = httpOutputSchema.safeParse(config);
    assert.ok(!result.success, `accepted ${JSON.stringify(config)}`);
    assert.match(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), pattern);
  };
  refused({ url: 'ftp://example.com' }, /must start with https:\/\/ or http:\/\//);
  refused({ url: 'https://example.com', mode: 'splunk_hec' }, /hec_token: is required/);
  refused({ url: 'https://example.com', bearer_token: 'abcd', username: 'u', password: 'p' }, /set only one/);
  refused({ url: 'https://example.com', username: 'u' }, /password: is required/);
  refused({ url: 'https://example.com', hec_token: 'abcd' }, /hec_token: applies only to `mode: splunk_hec`/);
  refused({ url: 'https://example.com', headers: { 'Content-Type': 'text/plain' } }, /must not set Content-Type/);
  refused({ url: 'https://example.com', headers: { 'X-A': 'a\r\nb' } }, /line breaks/);
  refused({ url: 'https://u:p@example.com' }, /must not carry credentials/);
  refused({ url: 'http://example.com', ca_file: 'ca.pem' }, /ca_file: applies only to an https/);
  refused({ url: 'https://example.com', cert_file: 'c.pem' }, /key_file: is required/);
  refused({ url: 'https://example.com', batch: 5 }, /Unrecognized key/i);
});

test('secrets() lists every credential, in its wire forms', () => {
  const basic = httpOutputSchema.parse({ url: 'https://example.com', username: 'bob', password: 'pw-secret' });
  assert.deepEqual(httpOutputDefinition.secrets?.(basic), ['pw-secret', Buffer.from('bob:pw-secret').toString('base64')]);
  const header = httpOutputSchema.parse({ url: 'https://example.com', headers: { Authorization: 'ApiKey abc123' } });
  assert.deepEqual(httpOutputDefinition.secrets?.(header), ['ApiKey abc123']);
});
