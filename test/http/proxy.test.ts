// The HTTP client through a real CONNECT proxy on 127.0.0.1 (test/support/connect-proxy.ts):
// the `http.proxy` setting, the environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY, failures that
// name the proxy rather than the vendor, and the rules for reading those variables.
import { inputEvents } from '../support/telemetry.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../src/http/client.js';
import { NoProxyList } from '../../src/http/no-proxy.js';
import { RateBudget } from '../../src/http/rate-budget.js';
import { Redactor } from '../../src/core/redact.js';
import { SiphonError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/time.js';
import type { EnvironmentProxies } from '../../src/core/contracts.js';
import { readEnvironmentProxies } from '../../src/config/proxy.js';
import { httpSettingsSchema, type ProxySettings } from '../../src/config/fields.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { makeTestPki } from '../support/certs.js';
import { freeTcpPort } from '../support/free-port.js';
import { CapturingLogger, fastSettings, startServer } from './helpers.js';

const PASSWORD = 'proxy-pass-7f3a91c2';

function client(proxy: ProxySettings | undefined, environmentProxies?: EnvironmentProxies, tls?: { ca: string }) {
  const logger = new CapturingLogger();
  const redactor = new Redactor();
  redactor.add(PASSWORD);
  const http = createHttpClient({
    settings: fastSettings({ max_retries: 2, ...(proxy ? { proxy } : {}) }),
    budget: RateBudget.unlimited(systemClock),
    clock: systemClock,
    logger,
    redactor, events: inputEvents(logger),
    ...(environmentProxies ? { environmentProxies } : {}),
    ...(tls ? { tls } : {}),
  });
  return { http, logger };
}

function env(vars: Record<string, string>): EnvironmentProxies {
  const reading = readEnvironmentProxies(vars);
  assert.deepEqual(reading.problems, []);
  return reading.proxies;
}

test('http.proxy with credentials: requests go through a CONNECT tunnel, once logged, without the password', async (t) => {
  const server = await startServer((_req, res) => res.end('{"ok":true}'));
  const proxy = await startConnectProxy({ credentials: { username: 'siphon', password: PASSWORD } });
  const { http, logger } = client({ url: proxy.url, username: 'siphon', password: PASSWORD });
  t.after(async () => {
    await http.close();
    await proxy.close();
    await server.close();
  });
  const res = await http.request({ method: 'GET', url: `${server.url}/api/things` });
  await http.request({ method: 'GET', url: `${server.url}/api/things` });
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"ok":true}');
  assert.ok(proxy.tunnels.length >= 1);
  assert.ok(proxy.tunnels.every((target) => target === `127.0.0.1:${server.port}`), proxy.tunnels.join(', '));
  assert.equal(proxy.plainRequests, 0);
  assert.equal(server.seen[0]?.headers['proxy-authorization'], undefined, 'the vendor never sees the proxy credentials');
  const routeLines = logger.lines.filter((l) => /go through the proxy/.test(l.msg));
  assert.equal(routeLines.length, 1);
  assert.equal(routeLines[0]?.level, 'info');
  assert.equal(routeLines[0]?.msg, `Requests to ${server.url} go through the proxy ${proxy.address} (http.proxy)`);
  assert.ok(!logger.text().includes(PASSWORD));
});

test('an https:// vendor through the proxy: TLS is end to end and verified against the vendor CA', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-proxy-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await makeTestPki(dir);
  const vendor = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (_req, res) => res.end('secure'));
  await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
  const port = (vendor.address() as AddressInfo).port;
  const proxy = await startConnectProxy();
  const trusted = client({ url: proxy.url }, undefined, { ca: pki.caCertPem });
  const untrusted = client({ url: proxy.url });
  t.after(async () => {
    await trusted.http.close();
    await untrusted.http.close();
    await proxy.close();
    vendor.closeAllConnections();
    await new Promise((resolve) => vendor.close(resolve));
  });
  const res = await trusted.http.request({ method: 'GET', url: `https://127.0.0.1:${port}/x` });
  assert.equal(res.body, 'secure');
  assert.deepEqual(proxy.tunnels, [`127.0.0.1:${port}`]);
  // Without the vendor's CA, the certificate inside the tunnel is refused: the proxy cannot stand in for the vendor.
  await assert.rejects(untrusted.http.request({ method: 'GET', url: `https://127.0.0.1:${port}/x` }), (err: unknown) => {
    assert.ok(err instanceof SiphonError);
    assert.match(err.message, new RegExp(`\\(through proxy ${proxy.address.replace(/\./g, '\\.')} \\(http\\.proxy\\)\\)$`));
    return true;
  });
});

test('wrong proxy credentials: PULL_NETWORK at the first attempt, naming the proxy and the setting to fix', async (t) => {
  const server = await startServer((_req, res) => res.end('never'));
  const proxy = await startConnectProxy({ credentials: { username: 'siphon', password: 'the-right-one' } });
  const { http, logger } = client({ url: proxy.url, username: 'siphon', password: PASSWORD });
  t.after(async () => {
    await http.close();
    await proxy.close();
    await server.close();
  });
  await assert.rejects(http.request({ method: 'GET', url: `${server.url}/api/things`, operation: 'GET /api/things' }), (err: unknown) => {
    assert.ok(err instanceof SiphonError, String(err));
    assert.equal(err.code, 'PULL_NETWORK');
    assert.equal(
      err.message,
      `GET /api/things to 127.0.0.1:${server.port} failed: the proxy ${proxy.address} (http.proxy) refused the proxy credentials ` +
        '(HTTP 407 Proxy Authentication Required): check `http.proxy.username` and `http.proxy.password`',
    );
    assert.equal(err.details['proxy'], proxy.address);
    assert.ok(!JSON.stringify(err.details).includes(PASSWORD) && !err.message.includes(PASSWORD));
    return true;
  });
  assert.equal(proxy.refusedAuth, 1, 'the same credentials are not offered again');
  assert.equal(server.seen.length, 0);
  assert.ok(!logger.text().includes(PASSWORD));
});

test('a proxy that refuses connections: retried, then PULL_NETWORK saying the proxy cannot be reached', async (t) => {
  const server = await startServer((_req, res) => res.end('never'));
  const port = await freeTcpPort();
  const { http, logger } = client(undefined, env({ HTTP_PROXY: `http://127.0.0.1:${port}` }));
  t.after(async () => {
    await http.close();
    await server.close();
  });
  await assert.rejects(http.request({ method: 'GET', url: `${server.url}/api/things`, operation: 'GET /api/things' }), (err: unknown) => {
    assert.ok(err instanceof SiphonError, String(err));
    assert.equal(err.code, 'PULL_NETWORK');
    assert.match(err.message, new RegExp(`^GET /api/things to 127\\.0\\.0\\.1:${server.port} failed after 3 attempts: the proxy 127\\.0\\.0\\.1:${port} \\(HTTP_PROXY\\) cannot be reached: connect ECONNREFUSED`));
    return true;
  });
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
  assert.match(logger.lines.find((l) => l.level === 'info')?.msg ?? '', new RegExp(`^Requests to ${server.url} go through the proxy 127\\.0\\.0\\.1:${port} \\(HTTP_PROXY\\)$`));
});

test('environment: HTTP_PROXY with credentials in its URL carries http:// requests; NO_PROXY sends a host direct', async (t) => {
  const server = await startServer((_req, res) => res.end('ok'));
  const proxy = await startConnectProxy({ credentials: { username: 'u', password: PASSWORD } });
  const through = client(undefined, env({ HTTP_PROXY: `http://u:${PASSWORD}@127.0.0.1:${proxy.port}` }));
  const direct = client(undefined, env({ HTTP_PROXY: `http://u:${PASSWORD}@127.0.0.1:${proxy.port}`, NO_PROXY: 'localhost,127.0.0.1' }));
  const httpsOnly = client(undefined, env({ HTTPS_PROXY: `http://u:${PASSWORD}@127.0.0.1:${proxy.port}` }));
  t.after(async () => {
    for (const c of [through, direct, httpsOnly]) await c.http.close();
    await proxy.close();
    await server.close();
  });
  assert.equal((await through.http.request({ method: 'GET', url: `${server.url}/a` })).body, 'ok');
  assert.equal(proxy.tunnels.length, 1);
  assert.equal((await direct.http.request({ method: 'GET', url: `${server.url}/b` })).body, 'ok');
  assert.equal((await httpsOnly.http.request({ method: 'GET', url: `${server.url}/c` })).body, 'ok');
  assert.equal(proxy.tunnels.length, 1, 'NO_PROXY, and HTTPS_PROXY for an http:// URL, go direct');
  assert.match(direct.logger.lines.find((l) => l.level === 'info')?.msg ?? '', /^Requests to http:\/\/127\.0\.0\.1:\d+ go direct \(NO_PROXY/);
  for (const c of [through, direct, httpsOnly]) assert.ok(!c.logger.text().includes(PASSWORD));
});

test('a per-input proxy replaces the environment, NO_PROXY included', async (t) => {
  const server = await startServer((_req, res) => res.end('ok'));
  const proxy = await startConnectProxy();
  const { http } = client({ url: proxy.url }, env({ HTTP_PROXY: `http://127.0.0.1:${await freeTcpPort()}`, NO_PROXY: '*' }));
  t.after(async () => {
    await http.close();
    await proxy.close();
    await server.close();
  });
  assert.equal((await http.request({ method: 'GET', url: `${server.url}/a` })).body, 'ok');
  assert.deepEqual(proxy.tunnels, [`127.0.0.1:${server.port}`]);
});

test('NO_PROXY: names cover their subdomains, ports and CIDR ranges narrow, * matches everything', () => {
  const list = NoProxyList.parse(' example.com, .corp.local *.internal:8443 10.0.0.0/8,[::1],192.168.1.5:80 ');
  const m = (url: string): boolean => list.matches(new URL(url));
  assert.ok(m('https://example.com/x'));
  assert.ok(m('https://api.example.com/x'));
  assert.ok(!m('https://notexample.com/x'));
  assert.ok(m('https://corp.local/'));
  assert.ok(m('https://a.b.corp.local/'));
  assert.ok(m('https://vault.internal:8443/'));
  assert.ok(!m('https://vault.internal/'), 'port 443 is not 8443');
  assert.ok(m('http://10.1.2.3/'));
  assert.ok(!m('http://11.1.2.3/'));
  assert.ok(m('http://[::1]:8080/'));
  assert.ok(m('http://192.168.1.5/'));
  assert.ok(!m('https://192.168.1.5/'), 'https is port 443');
  assert.ok(NoProxyList.parse('*').matches(new URL('https://anything.example')));
  assert.ok(NoProxyList.parse('').isEmpty);
});

test('proxy variables: lower-case first, no scheme means http://, unusable values are reported without their value', () => {
  const reading = readEnvironmentProxies({ https_proxy: 'proxy.lower:3128', HTTPS_PROXY: 'http://proxy.upper:3128', NO_PROXY: 'a.example' });
  assert.deepEqual(reading.problems, []);
  assert.deepEqual(reading.proxies.https, { url: 'http://proxy.lower:3128', address: 'proxy.lower:3128', username: undefined, password: undefined, source: 'https_proxy' });
  assert.equal(reading.proxies.http, undefined);
  assert.equal(reading.proxies.noProxy, 'a.example');
  const withUser = readEnvironmentProxies({ HTTP_PROXY: 'https://me:p%40ss@proxy.example' });
  assert.deepEqual(withUser.proxies.http, { url: 'https://proxy.example', address: 'proxy.example:443', username: 'me', password: 'p@ss', source: 'HTTP_PROXY' });
  const bad = readEnvironmentProxies({ HTTPS_PROXY: 'socks5://me:hunter22@proxy:1080' });
  assert.equal(bad.proxies.https, undefined);
  assert.deepEqual(bad.problems, ['the environment variable HTTPS_PROXY uses socks5://, which is not supported: use http:// or https:// (an HTTP proxy that tunnels with CONNECT)']);
});

test('http.proxy settings: a URL with credentials, a path or another scheme is refused; username and password go together', () => {
  const issues = (proxy: unknown): string => JSON.stringify(httpSettingsSchema.safeParse({ proxy }).error?.issues ?? []);
  assert.equal(httpSettingsSchema.safeParse({ proxy: { url: 'https://proxy.example.com:8443', username: 'a', password: 'b' } }).success, true);
  assert.match(issues({ url: 'http://a:b@proxy:3128' }), /must not carry credentials: use `username` and `password`/);
  assert.match(issues({ url: 'http://proxy:3128/path' }), /without a path or query/);
  assert.match(issues({ url: 'socks5://proxy:1080' }), /socks5:\/\/, which is not supported/);
  assert.match(issues({ url: 'http://proxy:3128', username: 'a' }), /"password".*is required with `username`/);
  assert.match(issues({ url: 'http://proxy:3128', user: 'a' }), /user/);
});
