import { inputEvents } from '../support/telemetry.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, type HttpClientOptions } from '../../src/http/client.js';
import { RateBudget } from '../../src/http/rate-budget.js';
import { Redactor } from '../../src/core/redact.js';
import { SiphonError } from '../../src/core/errors.js';
import type { RetryDecision } from '../../src/core/contracts.js';
import { systemClock } from '../../src/core/time.js';
import { freeTcpPort } from '../support/free-port.js';
import { CapturingLogger, FakeClock, fastSettings, flush, startServer } from './helpers.js';

function setup(overrides: Partial<HttpClientOptions> = {}) {
  const logger = new CapturingLogger();
  const budget = overrides.budget ?? RateBudget.unlimited(systemClock);
  const client = createHttpClient({
    settings: fastSettings(),
    budget,
    clock: systemClock,
    logger,
    redactor: new Redactor(), events: inputEvents(logger),
    ...overrides,
  });
  return { client, logger, budget };
}

function isSiphon(code: string, check: (err: SiphonError) => void = () => undefined) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SiphonError, `expected SiphonError, got ${String(err)}`);
    assert.equal(err.code, code);
    check(err);
    return true;
  };
}

test('a plain success: status, lower-cased headers, multi-values joined, body, attempts', async (t) => {
  const server = await startServer((_req, res) => {
    res.setHeader('X-Multi', ['a', 'b']);
    res.setHeader('Content-Type', 'application/json');
    res.end('{"ok":true,"é":"ü"}');
  });
  const { client } = setup();
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const res = await client.request({ method: 'GET', url: `${server.url}/api/v1/things?x=1` });
  assert.equal(res.status, 200);
  assert.equal(res.attempts, 1);
  assert.equal(res.body, '{"ok":true,"é":"ü"}');
  assert.equal(res.headers['x-multi'], 'a, b');
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(client.requestCount, 1);
  assert.match(String(server.seen[0]?.headers['user-agent']), /^siphon\/\d+\.\d+\.\d+/);
  assert.equal(server.seen[0]?.url, '/api/v1/things?x=1');
});

test('object bodies are sent as JSON; string bodies as they are', async (t) => {
  const server = await startServer((_req, res, _i, body) => res.end(body));
  const { client } = setup({ userAgent: 'test-agent/1' });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const res = await client.request({ method: 'POST', url: `${server.url}/api/v2/auditevents`, body: { limit: 100, cursor: 'abc' } });
  assert.deepEqual(JSON.parse(res.body), { limit: 100, cursor: 'abc' });
  assert.equal(server.seen[0]?.headers['content-type'], 'application/json');
  assert.equal(server.seen[0]?.headers['user-agent'], 'test-agent/1');
  await client.request({ method: 'PUT', url: `${server.url}/raw`, body: 'a=1', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(server.seen[1]?.body, 'a=1');
  assert.equal(server.seen[1]?.headers['content-type'], 'text/plain');
});

test('500 then 500 then 200: retried, attempts counted, each retry logged at warn', async (t) => {
  const server = await startServer((_req, res, i) => {
    res.statusCode = i < 2 ? 500 : 200;
    res.end(i < 2 ? 'oops' : 'fine');
  });
  const { client, logger } = setup();
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const res = await client.request({ method: 'POST', url: `${server.url}/api/v2/auditevents`, body: {} });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'fine');
  assert.equal(res.attempts, 3);
  assert.equal(client.requestCount, 3);
  assert.equal(server.seen.length, 3);
  const warns = logger.lines.filter((l) => l.level === 'warn');
  assert.equal(warns.length, 2);
  assert.match(warns[0]?.msg ?? '', /^POST \/api\/v2\/auditevents answered HTTP 500 \(attempt 1\/4\); retrying in [\d.]+ s$/);
  assert.match(warns[1]?.msg ?? '', /attempt 2\/4/);
});

test('429 with Retry-After: 1 is honoured and pauses the whole budget for other requests', async (t) => {
  const server = await startServer((req, res, i) => {
    if (req.url === '/first' && i === 0) {
      res.statusCode = 429;
      res.setHeader('Retry-After', '1');
      res.end('slow down');
      return;
    }
    res.end('ok');
  });
  const budget = new RateBudget([{ limit: 600, perMs: 60_000 }], systemClock);
  const { client } = setup({ budget });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const first = client.request({ method: 'GET', url: `${server.url}/first` });
  // Wait until the client has seen the 429 and paused the account's budget.
  while (budget.snapshot().pausedUntil === null) await systemClock.sleep(5);
  const pausedUntil = budget.snapshot().pausedUntil ?? 0;
  const second = client.request({ method: 'GET', url: `${server.url}/second` });
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.status, 200);
  assert.equal(a.attempts, 2);
  assert.equal(b.status, 200);
  assert.equal(b.attempts, 1);
  const firstAt = server.seen[0]?.at ?? 0;
  const retryAt = server.seen.find((s, i) => i > 0 && s.url === '/first')?.at ?? 0;
  const secondAt = server.seen.find((s) => s.url === '/second')?.at ?? 0;
  assert.ok(retryAt - firstAt >= 950, `retry came ${retryAt - firstAt} ms after the 429`);
  assert.ok(secondAt >= pausedUntil - 50, `the other request went ${pausedUntil - secondAt} ms before the pause ended`);
  assert.equal(client.requestCount, 3);
});

test('retries exhausted on a retryable status: the last response is returned with its attempts', async (t) => {
  const server = await startServer((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  const { client, logger } = setup({ settings: fastSettings({ max_retries: 2 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const res = await client.request({ method: 'GET', url: `${server.url}/x` });
  assert.equal(res.status, 503);
  assert.equal(res.attempts, 3);
  assert.equal(res.body, 'down');
  assert.equal(server.seen.length, 3);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
});

test('a non-retryable status returns at once', async (t) => {
  const server = await startServer((_req, res) => {
    res.statusCode = 401;
    res.end('{"error":"bad token"}');
  });
  const { client } = setup();
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const res = await client.request({ method: 'GET', url: `${server.url}/x` });
  assert.equal(res.status, 401);
  assert.equal(res.attempts, 1);
  assert.equal(server.seen.length, 1);
});

test('connection refused: PULL_NETWORK after max_retries + 1 attempts, every attempt through the budget', async (t) => {
  const port = await freeTcpPort();
  const budget = new RateBudget([{ limit: 1000, perMs: 60_000 }], systemClock);
  const { client, logger } = setup({ budget });
  t.after(() => client.close());
  await assert.rejects(
    client.request({ method: 'POST', url: `http://127.0.0.1:${port}/api/v2/auditevents?secret=1`, body: {} }),
    isSiphon('PULL_NETWORK', (err) => {
      assert.match(err.message, new RegExp(`^POST /api/v2/auditevents to 127\\.0\\.0\\.1:${port} failed after 4 attempts: .*ECONNREFUSED`));
      assert.deepEqual(err.details, { operation: 'POST /api/v2/auditevents', url: `http://127.0.0.1:${port}/api/v2/auditevents`, attempts: 4 });
    }),
  );
  assert.equal(client.requestCount, 4);
  assert.equal(budget.snapshot().windows[0]?.used, 4);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 3);
  assert.doesNotMatch(logger.text(), /secret=1/);
});

test('headers timeout: retried, then PULL_NETWORK', async (t) => {
  const server = await startServer(() => {
    // Never answer.
  });
  const { client } = setup({ settings: fastSettings({ response_timeout_seconds: 0.2, max_retries: 1 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const started = Date.now();
  await assert.rejects(
    client.request({ method: 'GET', url: `${server.url}/slow`, operation: 'list things' }),
    isSiphon('PULL_NETWORK', (err) => {
      assert.match(err.message, /^list things to 127\.0\.0\.1:\d+ failed after 2 attempts: .*[Tt]imeout/);
      assert.equal(err.details.attempts, 2);
    }),
  );
  assert.equal(server.seen.length, 2);
  // A hang guard, not a timing assertion: without the timeout the request never ends.
  assert.ok(Date.now() - started < 60_000);
});

test('body cap: a chunked body over the limit aborts with PULL_MALFORMED_RESPONSE, and so does a declared one', async (t) => {
  let streamedBytes = 0;
  const server = await startServer((req, res) => {
    if (req.url === '/declared') {
      res.setHeader('Content-Length', String(5 * 1024 * 1024));
      res.write(Buffer.alloc(1024));
      return; // never finishes: the client must not wait for it
    }
    // An endless body: only a cap stops it.
    const chunk = Buffer.alloc(64 * 1024, 97);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) streamedBytes += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => undefined);
    pump();
  });
  const { client } = setup({ settings: fastSettings({ max_body_megabytes: 1 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  await assert.rejects(
    client.request({ method: 'GET', url: `${server.url}/endless` }),
    isSiphon('PULL_MALFORMED_RESPONSE', (err) => {
      assert.equal(err.message, `GET /endless to 127.0.0.1:${server.port}: response body exceeds 1 MB`);
      assert.equal(err.details.attempts, 1);
    }),
  );
  assert.ok(streamedBytes < 50 * 1024 * 1024, `server streamed ${streamedBytes} bytes`);
  await assert.rejects(
    client.request({ method: 'GET', url: `${server.url}/declared` }),
    isSiphon('PULL_MALFORMED_RESPONSE', (err) => assert.match(err.message, /exceeds 1 MB/)),
  );
  assert.equal(client.requestCount, 2, 'an oversized body is not retried');
});

test('abort during back-off stops at once with the abort reason', async (t) => {
  const server = await startServer((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  const { client } = setup({ settings: fastSettings({ backoff_base_seconds: 300, backoff_max_seconds: 600 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const controller = new AbortController();
  const reason = new Error('stopping');
  const started = Date.now();
  const pending = client.request({ method: 'GET', url: `${server.url}/x`, signal: controller.signal });
  while (server.seen.length === 0) await systemClock.sleep(5);
  await systemClock.sleep(50);
  controller.abort(reason);
  await assert.rejects(pending, (err) => err === reason);
  // Well inside the 300 s back-off: the abort cut the wait short.
  assert.ok(Date.now() - started < 60_000);
  assert.equal(server.seen.length, 1);
});

test('abort while the request is in flight, and before it is sent', async (t) => {
  const server = await startServer(() => {
    // Never answer.
  });
  const budget = new RateBudget([{ limit: 10, perMs: 1000 }], systemClock);
  const { client } = setup({ budget });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const controller = new AbortController();
  const pending = client.request({ method: 'GET', url: `${server.url}/x`, signal: controller.signal });
  while (server.seen.length === 0) await systemClock.sleep(5);
  controller.abort('in flight');
  await assert.rejects(pending, (err) => err === 'in flight');

  budget.pauseUntil(Date.now() + 60_000);
  const waiting = new AbortController();
  const queued = client.request({ method: 'GET', url: `${server.url}/y`, signal: waiting.signal });
  await systemClock.sleep(20);
  waiting.abort('while waiting for the budget');
  await assert.rejects(queued, (err) => err === 'while waiting for the budget');
  assert.equal(client.requestCount, 1, 'only attempts actually sent are counted');
});

test('classify hook: a 403 treated as a rate limit is retried after its delay and pauses the budget', async (t) => {
  const server = await startServer((_req, res, i) => {
    res.statusCode = i === 0 ? 403 : 200;
    res.end(i === 0 ? '{"errorCode":"RATE_LIMIT"}' : '[]');
  });
  const budget = new RateBudget([{ limit: 100, perMs: 60_000 }], systemClock);
  const { client } = setup({ budget });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  let pausedSeen: number | null = null;
  const res = await client.request({
    method: 'GET',
    url: `${server.url}/rest/activities`,
    classify: (r) => {
      if (r.status === 403 && r.body.includes('RATE_LIMIT')) return { kind: 'retry', rateLimited: true, delayMs: 300 };
      return { kind: 'done' };
    },
  });
  pausedSeen = budget.snapshot().pausedUntil;
  assert.equal(res.status, 200);
  assert.equal(res.attempts, 2);
  const gap = (server.seen[1]?.at ?? 0) - (server.seen[0]?.at ?? 0);
  assert.ok(gap >= 280, `retried after ${gap} ms`);
  assert.equal(pausedSeen, null, 'pause is over once the retry went out');

  // A 500 the classifier calls final is returned at once.
  const done = await client.request({ method: 'GET', url: `${server.url}/x`, classify: () => ({ kind: 'done' }) });
  assert.equal(done.attempts, 1);
});

test('a bearer token and query-string secrets never reach a log line or an error', async (t) => {
  const token = 'ops_eyJhbGciOiJFUzI1NiIsImtpZCI6InNlY3JldC10b2tlbi0xMjM0NTY3ODkwIn0';
  const server = await startServer((_req, res) => {
    res.statusCode = 502;
    // A vendor echoing the credential must not leak it either.
    res.setHeader('X-Echo', `Bearer ${token}`);
    res.end(`bad gateway for Bearer ${token}`);
  });
  const port = await freeTcpPort();
  // Nothing registered with the redactor: the client must not rely on it.
  const { client, logger } = setup({ settings: fastSettings({ max_retries: 2 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const headers = { Authorization: `Bearer ${token}` };
  const res = await client.request({ method: 'POST', url: `${server.url}/api/v2/auditevents?api_key=querysecret123`, headers, body: { password: 'bodysecret123' } });
  assert.equal(res.status, 502);
  let caught: unknown;
  try {
    await client.request({ method: 'GET', url: `http://user:pw-secret-99@127.0.0.1:${port}/p?token=querysecret123`, headers });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SiphonError);
  const everything = [logger.text(), caught.message, caught.describe(), JSON.stringify(caught.details), String(caught.stack)].join('\n');
  for (const secret of [token, 'querysecret123', 'bodysecret123', 'pw-secret-99']) {
    assert.ok(!everything.includes(secret), `${secret} leaked`);
  }
  assert.ok(logger.lines.length >= 4, 'retries were logged');
});

test('registered secrets in an operation name or path are redacted from messages', async (t) => {
  const port = await freeTcpPort();
  const redactor = new Redactor();
  redactor.add('tenant-secret-path');
  const { client, logger } = setup({ redactor, settings: fastSettings({ max_retries: 1 }) });
  t.after(() => client.close());
  await assert.rejects(
    client.request({ method: 'GET', url: `http://127.0.0.1:${port}/t/tenant-secret-path/events` }),
    isSiphon('PULL_NETWORK', (err) => {
      assert.ok(!err.message.includes('tenant-secret-path'));
      assert.ok(!JSON.stringify(err.details).includes('tenant-secret-path'));
      assert.match(err.message, /\[REDACTED\]/);
    }),
  );
  assert.ok(!logger.text().includes('tenant-secret-path'));
});

test('a huge Retry-After is capped and logged; a final 429 still pauses the budget', async (t) => {
  const server = await startServer((_req, res, i) => {
    res.statusCode = i === 0 ? 429 : i === 1 ? 200 : 429;
    if (res.statusCode === 429) res.setHeader('Retry-After', '100000');
    res.end();
  });
  const clock = new FakeClock(Date.now());
  const budget = new RateBudget([{ limit: 100, perMs: 60_000 }], clock);
  const { client, logger } = setup({ budget, clock, settings: fastSettings({ backoff_max_seconds: 60 }) });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const pending = client.request({ method: 'GET', url: `${server.url}/x` });
  while (clock.pending === 0) await systemClock.sleep(5);
  const cap = 600_000; // 10 x backoff_max
  assert.equal(budget.snapshot().pausedUntil, clock.now() + cap);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /Retry-After asks for 100000 s; waiting at most 600 s/.test(l.msg)));
  await clock.advance(cap);
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal(res.attempts, 2);

  const noRetry = createHttpClient({ settings: fastSettings({ max_retries: 0, backoff_max_seconds: 60 }), budget, clock, logger, redactor: new Redactor(), events: inputEvents(logger) });
  t.after(() => noRetry.close());
  const last = await noRetry.request({ method: 'GET', url: `${server.url}/x` });
  assert.equal(last.status, 429);
  assert.equal(last.attempts, 1);
  await flush();
  assert.equal(budget.snapshot().pausedUntil, clock.now() + cap, 'the next cycle will hold back too');
});

test('an answer that announces the allowance is used up pauses the account before a 429 happens', async (t) => {
  const server = await startServer((_req, res) => {
    res.setHeader('x-left', '0');
    res.end('ok');
  });
  const budget = new RateBudget([{ limit: 600, perMs: 60_000 }], systemClock);
  const { client } = setup({ budget });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const resumeAt = Date.now() + 400;
  const classify = (res: { headers: Readonly<Record<string, string>> }): RetryDecision => (res.headers['x-left'] === '0' ? { kind: 'done', pauseUntil: resumeAt } : { kind: 'done' });
  const first = await client.request({ method: 'GET', url: `${server.url}/first`, classify });
  assert.equal(first.status, 200);
  assert.equal(budget.snapshot().pausedUntil, resumeAt);
  await client.request({ method: 'GET', url: `${server.url}/second`, classify });
  const secondAt = server.seen.find((s) => s.url === '/second')?.at ?? 0;
  assert.ok(secondAt >= resumeAt - 50, `the next request went ${resumeAt - secondAt} ms before the announced reset`);
});
