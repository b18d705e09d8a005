// The overall deadline of one attempt (http.request_timeout_seconds), against a real server on
// 127.0.0.1 that trickles its answer: a byte every 100 ms never trips the idle timeouts, but
// the attempt must still end, as a timeout naming the request, and a stop must still be a stop.
import { inputEvents } from '../support/telemetry.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { createHttpClient } from '../../src/http/client.js';
import { RateBudget } from '../../src/http/rate-budget.js';
import { Redactor } from '../../src/core/redact.js';
import { SiphonError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/time.js';
import { httpSettingsSchema } from '../../src/config/fields.js';
import { CapturingLogger, fastSettings, startServer } from './helpers.js';

/** Sends headers at once, then one byte of a JSON body every `everyMs`, until the client goes away. */
function trickle(res: ServerResponse, everyMs: number, sent: { bytes: number }): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('[');
  const timer = setInterval(() => {
    sent.bytes++;
    res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

test('a body trickled past request_timeout_seconds fails each attempt as a timeout, then PULL_NETWORK naming the request', async (t) => {
  const sent = { bytes: 0 };
  const server = await startServer((_req, res) => trickle(res, 100, sent));
  const logger = new CapturingLogger();
  // The idle timeouts (2 s) never trip: a byte comes every 100 ms.
  const client = createHttpClient({
    settings: fastSettings({ response_timeout_seconds: 2, request_timeout_seconds: 0.8, max_retries: 1 }),
    budget: RateBudget.unlimited(systemClock),
    clock: systemClock,
    logger,
    redactor: new Redactor(), events: inputEvents(logger),
  });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const started = Date.now();
  await assert.rejects(client.request({ method: 'GET', url: `${server.url}/api/v2/slow?cursor=abc`, operation: 'GET /api/v2/slow' }), (err: unknown) => {
    assert.ok(err instanceof SiphonError, String(err));
    assert.equal(err.code, 'PULL_NETWORK');
    assert.match(err.message, /^GET \/api\/v2\/slow to 127\.0\.0\.1:\d+ failed after 2 attempts: no complete answer within 0\.80 s \(http\.request_timeout_seconds\)$/);
    assert.equal(err.details['attempts'], 2);
    return true;
  });
  assert.equal(server.seen.length, 2, 'the timed-out attempt is retried like other network timeouts');
  assert.ok(sent.bytes > 0, 'the server was still sending when the deadline passed');
  const warning = logger.lines.find((l) => l.level === 'warn');
  assert.match(warning?.msg ?? '', /GET \/api\/v2\/slow failed \(attempt 1\/2\): no complete answer within 0\.80 s/);
  // Bounded by the deadlines, not by the server: far less than the trickle would take to finish.
  assert.ok(Date.now() - started < 60_000);
});

test('a stop during a trickled body ends the request with the stop reason, not as a timeout', async (t) => {
  const sent = { bytes: 0 };
  const server = await startServer((_req, res) => trickle(res, 50, sent));
  const logger = new CapturingLogger();
  const client = createHttpClient({
    settings: fastSettings({ response_timeout_seconds: 5, request_timeout_seconds: 600, max_retries: 3 }),
    budget: RateBudget.unlimited(systemClock),
    clock: systemClock,
    logger,
    redactor: new Redactor(),
    events: inputEvents(logger),
  });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const stop = new AbortController();
  const reason = new Error('collector stopping');
  const pending = client.request({ method: 'GET', url: `${server.url}/slow`, signal: stop.signal });
  // Stop once the body is flowing.
  while (sent.bytes < 3) await new Promise((r) => setTimeout(r, 20));
  stop.abort(reason);
  await assert.rejects(pending, (err: unknown) => err === reason);
  assert.equal(server.seen.length, 1, 'a stop is not retried');
});

test('settings: request_timeout_seconds defaults to 300 s (or the response timeout when longer), and may not be shorter than it', () => {
  assert.equal(httpSettingsSchema.parse({}).request_timeout_seconds, 300);
  assert.equal(httpSettingsSchema.parse({ response_timeout_seconds: 900 }).request_timeout_seconds, 900);
  assert.equal(httpSettingsSchema.parse({ request_timeout_seconds: 120 }).request_timeout_seconds, 120);
  const refused = httpSettingsSchema.safeParse({ response_timeout_seconds: 60, request_timeout_seconds: 30 });
  assert.equal(refused.success, false);
  assert.match(JSON.stringify(refused.error?.issues), /must be at least `response_timeout_seconds` \(60\)/);
});
