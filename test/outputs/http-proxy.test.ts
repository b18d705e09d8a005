// The http output through a real CONNECT proxy on 127.0.0.1: its `proxy` setting, the
// environment's proxies, and failures that name the proxy (never its password).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { HttpOutput, httpOutputDefinition } from '../../src/outputs/http/index.js';
import { httpOutputSchema } from '../../src/outputs/http/settings.js';
import { readEnvironmentProxies } from '../../src/config/proxy.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { systemClock } from '../../src/core/time.js';
import type { EnvironmentProxies, OutputRecord } from '../../src/core/contracts.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { rejection } from '../support/rejection.js';

const PASSWORD = 'out-proxy-pass-51d0e2';
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A receiver that keeps the events it was POSTed. */
async function receiver(): Promise<{ url: string; port: number; events: string[] }> {
  const events: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      events.push(...text.split('\n').filter((l) => l !== ''));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/ingest`, port, events };
}

function makeOutput(config: Record<string, unknown>, environmentProxies?: EnvironmentProxies) {
  const sink = new MemorySink();
  const redactor = new Redactor();
  const settings = httpOutputSchema.parse({ max_retries: 1, ...config });
  redactor.add(...(httpOutputDefinition.secrets?.(settings) ?? []));
  const logger = createLogger({ format: 'text', level: 'info', redactor, sink });
  const output = new HttpOutput('http_1', settings, { logger, clock: systemClock, baseDir: tmpdir(), ...(environmentProxies ? { environmentProxies } : {}) });
  cleanups.push(() => output.close());
  return { output, sink };
}

const rec = (id: number): OutputRecord => ({ tag: 'my.app.test.events', input: 'op', service: 'audit', event: { uuid: `e${id}` } });

test('config.proxy with credentials: POSTs go through the tunnel, the start says so, the password never shows', async () => {
  const target = await receiver();
  const proxy = await startConnectProxy({ credentials: { username: 'siphon', password: PASSWORD } });
  cleanups.push(() => proxy.close());
  const { output, sink } = makeOutput({ url: target.url, proxy: { url: proxy.url, username: 'siphon', password: PASSWORD } });
  await output.open();
  await output.write([rec(1), rec(2)]);
  await output.check();
  assert.equal(target.events.length, 2);
  assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.every((t) => t === `127.0.0.1:${target.port}`), proxy.tunnels.join(', '));
  assert.equal(proxy.plainRequests, 0);
  const text = sink.lines.join('\n');
  assert.match(text, new RegExp(`Output http_1: requests to http://127\\.0\\.0\\.1:${target.port} go through the proxy ${proxy.address.replace(/\./g, '\\.')} \\(config\\.proxy\\)`));
  assert.ok(!text.includes(PASSWORD));
});

test('wrong proxy credentials: the write fails at once naming the proxy and the setting; check says the same', async () => {
  const target = await receiver();
  const proxy = await startConnectProxy({ credentials: { username: 'siphon', password: 'another-one' } });
  cleanups.push(() => proxy.close());
  const { output, sink } = makeOutput({ url: target.url, proxy: { url: proxy.url, username: 'siphon', password: PASSWORD } });
  const writeErr = await rejection(output.write([rec(1)]));
  assert.equal(writeErr.code, 'OUTPUT_WRITE_FAILED');
  assert.equal(
    writeErr.message,
    `Output http_1: POST to ${target.url} (1 event) failed: the proxy ${proxy.address} (config.proxy) refused the proxy credentials ` +
      '(HTTP 407 Proxy Authentication Required): check `config.proxy.username` and `config.proxy.password`',
  );
  assert.equal(proxy.refusedAuth, 1, 'not retried within the write: the same credentials would be refused again');
  const checkErr = await rejection(output.check());
  assert.equal(checkErr.code, 'OUTPUT_UNAVAILABLE');
  assert.match(checkErr.message, /refused the proxy credentials/);
  assert.equal(checkErr.details['failure'], 'proxy');
  for (const text of [writeErr.message, checkErr.message, JSON.stringify(writeErr.details), sink.lines.join('\n')]) assert.ok(!text.includes(PASSWORD));
  assert.equal(target.events.length, 0);
});

test('environment: HTTP_PROXY carries the POSTs; NO_PROXY sends the receiver direct', async () => {
  const target = await receiver();
  const proxy = await startConnectProxy();
  cleanups.push(() => proxy.close());
  const viaEnv = readEnvironmentProxies({ HTTP_PROXY: proxy.url }).proxies;
  const { output } = makeOutput({ url: target.url }, viaEnv);
  await output.write([rec(1)]);
  assert.equal(proxy.tunnels.length, 1);
  const bypass = readEnvironmentProxies({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }).proxies;
  const { output: direct, sink } = makeOutput({ url: target.url }, bypass);
  await direct.write([rec(2)]);
  assert.equal(proxy.tunnels.length, 1, 'NO_PROXY: no tunnel');
  assert.deepEqual(target.events.map((l) => (JSON.parse(l) as { event: { uuid: string } }).event.uuid), ['e1', 'e2']);
  assert.match(sink.lines.join('\n'), /requests to http:\/\/127\.0\.0\.1:\d+ go direct \(NO_PROXY/);
});

test('a proxy that is down: retried, then the write fails saying the proxy cannot be reached', async () => {
  const target = await receiver();
  const proxy = await startConnectProxy();
  await proxy.close();
  const { output } = makeOutput({ url: target.url, proxy: { url: proxy.url } });
  const err = await rejection(output.write([rec(1)]));
  assert.match(err.message, new RegExp(`failed after 2 attempts: the proxy ${proxy.address.replace(/\./g, '\\.')} \\(config\\.proxy\\) cannot be reached: connect ECONNREFUSED`));
});

test('settings: proxy credentials are secrets of the output', () => {
  const settings = httpOutputSchema.parse({ url: 'https://siem.example.com', proxy: { url: 'http://proxy:3128', username: 'me', password: PASSWORD } });
  const secrets = httpOutputDefinition.secrets?.(settings) ?? [];
  assert.ok(secrets.includes(PASSWORD));
  assert.ok(secrets.includes(Buffer.from(`me:${PASSWORD}`).toString('base64')));
});
