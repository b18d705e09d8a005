// The status page in a real headless Chromium (test/support/chromium.ts), served by the real
// status server with a fixed status document: what a browser shows after the page's script ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../../src/core/redact.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { startStatusServer, type StatusServer } from '../../src/telemetry/status-server.js';
import type { StatusDocument } from '../../src/telemetry/status-types.js';
import { chromiumOrSkip, dumpDom, rootAttributes, startTagWith } from '../support/chromium.js';
import { FixedStatusProvider, HOSTILE_MESSAGE, sampleDocument, stream } from '../support/status-fixture.js';

const TOKEN = 'page-token-3c9e1a7b5d2f+8/4=';

async function serve(document: StatusDocument, token?: string): Promise<{ server: StatusServer; provider: FixedStatusProvider; sink: MemorySink }> {
  const provider = new FixedStatusProvider(document);
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'debug', redactor: new Redactor(), sink });
  const server = await startStatusServer({ host: '127.0.0.1', port: 0, ...(token ? { token } : {}) }, provider, logger);
  return { server, provider, sink };
}

/** The text of the element with this id (its first text run), from dumped HTML. */
function textOfId(html: string, id: string): string {
  const tag = html.indexOf(`id="${id}"`);
  assert.ok(tag !== -1, `no element #${id}`);
  const start = html.indexOf('>', tag) + 1;
  return html.slice(start, html.indexOf('<', start));
}

test('every stream shows with its state, lag, last error (as text, never markup) and back-fill; every output with its queue', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const document = sampleDocument();
  const { server } = await serve(document);
  try {
    const html = await dumpDom(chromium, `${server.url}/`);
    const root = rootAttributes(html);
    assert.equal(root['data-status'], 'ok', html.slice(0, 400));
    assert.equal(root['data-streams'], String(document.streams.length));
    for (const s of document.streams) {
      const row = startTagWith(html, `data-stream="${s.input}/${s.service}"`);
      assert.ok(row, `${s.input}/${s.service} is not on the page`);
      assert.equal(row['data-state'], s.state);
    }
    for (const o of document.outputs) assert.equal(startTagWith(html, `data-output="${o.name}"`)?.['data-state'], o.state, o.name);
    // Worst first: the failed stream leads.
    assert.ok(html.indexOf('data-stream="lastpass/events"') < html.indexOf('data-stream="onepassword/audit"'));
    assert.match(html, /<span class="badge s-failed">failed<\/span>/);
    assert.match(html, />2 h 5 min</, 'the back-filling stream\'s lag');
    assert.match(html, />66\.7 % · ETA 2 h 5 min</);
    assert.match(html, />10,000 events</);
    assert.match(html, /<span class="code">SetupError 100<\/span>/);
    assert.match(html, /<title>\(3\) acme-prod · Siphon status<\/title>/);
    // The hostile message is shown as text: escaped in the DOM, and nothing of it ran.
    assert.ok(html.includes('The vendor answered &lt;script&gt;document.documentElement.dataset.pwned="script"&lt;/script&gt;&lt;img src=x'), 'the message is not shown as text');
    assert.equal(root['data-pwned'], undefined, 'markup from the status document ran');
    assert.ok(!html.includes('<img src="x"'));
    assert.ok(HOSTILE_MESSAGE.includes('<script>'));
  } finally {
    await server.close();
  }
});

test('with a token, the page reads it from the #token= fragment; without it, it says a token is needed', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const { server, sink } = await serve(sampleDocument(), TOKEN);
  try {
    const withToken = await dumpDom(chromium, `${server.url}/#token=${encodeURIComponent(TOKEN)}`);
    assert.equal(rootAttributes(withToken)['data-status'], 'ok');
    assert.ok(startTagWith(withToken, 'data-stream="onepassword/audit"'));

    const without = await dumpDom(chromium, `${server.url}/`);
    assert.equal(rootAttributes(without)['data-status'], 'unauthorized');
    assert.equal(textOfId(without, 'banner-title'), 'A token is needed.');
    assert.match(textOfId(without, 'banner-detail'), /open this page as http:\/\/127\.0\.0\.1:\d+\/#token=YOUR_TOKEN/);
    assert.equal(startTagWith(without, 'data-stream='), undefined, 'no data without the token');

    const wrong = await dumpDom(chromium, `${server.url}/#token=not-it`);
    assert.equal(rootAttributes(wrong)['data-status'], 'unauthorized');
    assert.match(textOfId(wrong, 'banner-detail'), /refused the token/);
    for (const line of sink.lines) assert.ok(!line.includes(TOKEN.slice(0, 8)), line);
  } finally {
    await server.close();
  }
});

test('when the collector goes away, the page keeps its last figures under a "not reachable" banner', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const { server, provider } = await serve(sampleDocument());
  // The second request for the status document finds the server stopping: its connection is cut,
  // and the next ones are refused.
  provider.onStatus = () => {
    if (provider.statusCalls === 2) void server.close();
  };
  try {
    const html = await dumpDom(chromium, `${server.url}/`, { virtualTimeMs: 20_000 });
    assert.ok(provider.statusCalls >= 2, 'the page did not refresh');
    const root = rootAttributes(html);
    assert.equal(root['data-status'], 'unreachable');
    assert.equal(startTagWith(html, 'id="banner"')?.['hidden'], undefined, 'the banner is hidden');
    assert.equal(textOfId(html, 'banner-title'), 'Collector not reachable.');
    assert.ok(startTagWith(html, 'data-stream="onepassword/audit"'), 'the last figures are gone');
    assert.match(textOfId(html, 'refreshed'), /^Updated .+, last tried .+$/);
  } finally {
    await server.close();
  }
});

test('no streams and no outputs: the page says so', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const { server } = await serve({ collector: { name: 'empty', version: '0.1.0', started_at: new Date().toISOString() }, streams: [], outputs: [] });
  try {
    const html = await dumpDom(chromium, `${server.url}/`);
    assert.equal(rootAttributes(html)['data-status'], 'ok');
    assert.equal(rootAttributes(html)['data-streams'], '0');
    assert.equal(startTagWith(html, 'id="no-streams"')?.['hidden'], undefined);
    assert.equal(startTagWith(html, 'id="no-outputs"')?.['hidden'], undefined);
  } finally {
    await server.close();
  }
});

test('a thousand streams are all listed', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const now = Date.now();
  const document = sampleDocument(now);
  for (let i = 0; i < 1_000; i++) document.streams.push(stream(now, { input: `tenant_${String(i).padStart(4, '0')}`, service: 'audit', state: i % 97 === 0 ? 'degraded' : 'healthy', lag_seconds: i }));
  const { server } = await serve(document);
  try {
    const html = await dumpDom(chromium, `${server.url}/`);
    assert.equal(rootAttributes(html)['data-streams'], String(document.streams.length));
    assert.equal(html.match(/<tr data-stream=/g)?.length, document.streams.length);
    assert.ok(startTagWith(html, 'data-stream="tenant_0999/audit"'));
  } finally {
    await server.close();
  }
});

test('on a phone-sized window (390 px) the page fits its width', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const document = sampleDocument();
  document.streams.push(stream(Date.now(), { input: 'an_input_with_a_very_long_name_that_does_not_break_by_itself_anywhere', service: 'audit', state: 'healthy' }));
  const { server } = await serve(document);
  try {
    const narrow = await dumpDom(chromium, `${server.url}/`, { windowSize: [390, 900] });
    assert.equal(rootAttributes(narrow)['data-status'], 'ok');
    assert.equal(rootAttributes(narrow)['data-overflow'], 'false', 'the page is wider than a 390 px window');
  } finally {
    await server.close();
  }
});

test('in a cluster, each stream says which replica holds it and when its lease expires; outside one, nothing is said', async (t) => {
  const chromium = chromiumOrSkip(t);
  if (!chromium) return;
  const nowMs = Date.now();
  const clustered: StatusDocument = {
    collector: { name: 'replicas', version: '0.1.0', started_at: new Date(nowMs).toISOString() },
    streams: [
      { ...stream(nowMs, { input: 'tenant_a', service: 'audit', state: 'healthy' }), owner: 'replica-a <host 1>', lease_expires_at: new Date(nowMs + 600_000).toISOString() },
      { ...stream(nowMs, { input: 'tenant_b', service: 'audit', state: 'healthy' }), owner: 'replica-b', lease_expires_at: new Date(nowMs - 120_000).toISOString() },
      { ...stream(nowMs, { input: 'tenant_c', service: 'audit', state: 'healthy' }), owner: null, lease_expires_at: null },
    ],
    outputs: [],
  };
  const { server } = await serve(clustered);
  try {
    const html = await dumpDom(chromium, `${server.url}/`);
    assert.match(html, /held by replica-a &lt;host 1&gt;, lease expires in (9|10) min/);
    assert.match(html, /held by replica-b, lease expired (1|2) min( \d+ s)? ago/);
    assert.match(html, />held by no replica</);
  } finally {
    await server.close();
  }
  const single = await serve(sampleDocument());
  try {
    const html = await dumpDom(chromium, `${single.server.url}/`);
    const owners = [...html.matchAll(/<div class="sub owner"([^>]*)>([^<]*)</g)];
    assert.equal(owners.length, sampleDocument().streams.length, 'one owner line per stream');
    for (const [, attributes, text] of owners) {
      assert.equal(text, '', 'no replica is named outside a cluster');
      assert.match(attributes ?? '', /hidden/);
    }
  } finally {
    await single.server.close();
  }
});
