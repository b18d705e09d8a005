// The Okta connector against its simulator, over real HTTP with the real client and rate
// budget: settings as the loader reads them, polling pages and Okta's next links, resuming
// from the saved link (late events included), pacing on X-Rate-Limit-Remaining, 429 until the
// reset, the service app's tokens, a refused cursor, a foreign next link, and setup errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText, type Registries } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/types.js';
import type { Clock, JsonValue, Page, StreamPuller, VendorEvent } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redact.js';
import { systemClock } from '../../src/core/time.js';
import { createHttpClient } from '../../src/http/client.js';
import { createRateBudget } from '../../src/http/budget-from-settings.js';
import { builtinOutputs } from '../../src/outputs/index.js';
import { oktaConnector } from '../../src/sources/okta/index.js';
import { startOktaSimulator, type OktaSimulator, type OktaSimulatorOptions } from '../../src/simulators/okta/index.js';
import { CapturingLogger } from '../http/helpers.js';
import { inputEvents } from '../support/telemetry.js';

const DAY = 86_400_000;
const TOKEN = '00test-api-token-0123456789abcdefghijklmn';
const registries: Registries = { connectors: new Map([['okta', oktaConnector]]), outputs: builtinOutputs };

/** Real time, shifted when a test says so (the simulator and the connector share it). */
class ShiftedClock implements Clock {
  offset = 0;
  now = (): number => Date.now() + this.offset;
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => systemClock.sleep(ms, signal);
}

interface Connected {
  stream: StreamPuller;
  setup(): Promise<void>;
  logger: CapturingLogger;
}

interface ConnectOptions {
  /** The `credentials:` value (YAML flow); default the API token. */
  credentials?: string;
  /** The `system_log:` value (YAML flow). */
  service?: string;
  /** The input's `rate_limit:` (YAML flow); default off, so only Okta's headers pace. */
  rateLimit?: string;
  clock?: Clock;
  /** Written to app.key beside the configuration. */
  keyPem?: string;
}

async function loadOkta(url: string, o: ConnectOptions): Promise<ReturnType<typeof loadConfigText>> {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-okta-'));
  if (o.keyPem !== undefined) await writeFile(join(dir, 'app.key'), o.keyPem);
  const yaml = `globals: {name: okta-test}
outputs:
  console_1: {type: console}
inputs:
  okta:
    okta_url: ${url}
    credentials: ${o.credentials ?? '{api_token: "${env:OKTA_TOKEN}"}'}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    rate_limit: ${o.rateLimit ?? '{enabled: false}'}
    services:
      system_log: ${o.service ?? `{start_time_value: "${new Date(Date.now() - 8 * DAY).toISOString().slice(0, 19)}Z", page_size: 40}`}
`;
  return loadConfigText(yaml, join(dir, 'config.yaml'), dir, registries, { env: { OKTA_TOKEN: TOKEN } });
}

async function connect(sim: OktaSimulator, o: ConnectOptions = {}): Promise<Connected> {
  const clock = o.clock ?? systemClock;
  const result = await loadOkta(sim.url, o);
  if (!result.ok) assert.fail(JSON.stringify(result.problems));
  const input = result.config.inputs[0];
  assert.ok(input);
  const logger = new CapturingLogger();
  const redactor = new Redactor();
  redactor.add(...result.config.secrets);
  const http = createHttpClient({
    settings: input.settings.common.http,
    budget: createRateBudget(oktaConnector.rateLimits, input.settings.common.rate_limit, clock),
    clock,
    logger,
    redactor,
    events: inputEvents(logger),
  });
  const signal = new AbortController().signal;
  const source = input.settings.create({ name: 'okta', id: undefined }, { logger, clock, http, signal, redactor });
  const stream = source.streams[0];
  assert.ok(stream);
  return { stream, setup: () => source.setup(signal), logger };
}

interface Position {
  cursor: JsonValue | null;
  newestEventTime: number | null;
}

interface Cycle {
  events: VendorEvent[];
  requests: number;
  pages: number;
  position: Position;
}

/** One pull cycle as the framework runs it: pages until one says it is caught up. */
async function cycle(stream: StreamPuller, from: Position = { cursor: null, newestEventTime: null }): Promise<Cycle> {
  const events: VendorEvent[] = [];
  let position = from;
  let requests = 0;
  for (let pages = 1; pages < 1000; pages++) {
    const page: Page = await stream.fetchPage(position, new AbortController().signal);
    events.push(...page.events);
    requests += page.requests;
    const times = page.events.map((e) => stream.eventTime(e) ?? 0);
    position = { cursor: page.cursor, newestEventTime: Math.max(position.newestEventTime ?? 0, ...times) || null };
    if (!page.hasMore) return { events, requests, pages, position };
  }
  throw new Error('the stream never caught up');
}

const uuids = (events: readonly VendorEvent[]): string[] => events.map((e) => String(e['uuid']));

async function withSim(opts: OktaSimulatorOptions, fn: (sim: OktaSimulator) => Promise<void>): Promise<void> {
  const sim = await startOktaSimulator({ apiTokens: [TOKEN], rateLimit: false, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

function rejectsWith(code: string, message: RegExp, permanent?: boolean) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SiphonError, `expected a SiphonError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    if (permanent !== undefined) assert.equal(err.permanent, permanent);
    return true;
  };
}

test('paging: a polling request from the start, then Okta next links to an empty page; the saved link resumes with what was written since, late events included', async () => {
  await withSim({ initialEvents: 230 }, async (sim) => {
    const { stream } = await connect(sim);
    const first = await cycle(stream);
    assert.deepEqual(uuids(first.events), uuids(sim.events()));
    assert.equal(first.pages, 7, '6 pages of 40, then the empty page that says caught up');
    assert.equal(first.requests, 7);
    const start = sim.stats().lastRequests[0]?.query ?? {};
    assert.equal(start['sortOrder'], 'ASCENDING');
    assert.equal(start['limit'], '40');
    assert.ok(Math.abs(Date.parse(start['since'] ?? '') - (Date.now() - 8 * DAY)) < 120_000, `since ${start['since']}`);
    const saved = first.position.cursor as { next: string };
    assert.match(saved.next, /^\/api\/v1\/logs\?.*after=/);

    // Nothing new: one request, the same position.
    const idle = await cycle(stream, first.position);
    assert.deepEqual([idle.events.length, idle.requests], [0, 1]);
    assert.deepEqual(idle.position.cursor, first.position.cursor);

    const onTime = sim.addEvents(5);
    const late = sim.addEvents(3, { late: true });
    const newest = Math.max(...first.events.map((e) => Date.parse(String(e['published']))));
    assert.ok(late.some((e) => Date.parse(String(e['published'])) < Date.now() - 4_000));
    const next = await cycle(stream, idle.position);
    assert.deepEqual(uuids(next.events), uuids([...onTime, ...late]));
    assert.ok(newest > 0);
  });
});

test('page_size: a saved next link is followed with the configured page size, its cursor untouched', async () => {
  await withSim({ initialEvents: 100 }, async (sim) => {
    const first = await connect(sim);
    const page = await first.stream.fetchPage({ cursor: null, newestEventTime: null }, new AbortController().signal);
    const after = new URLSearchParams((page.cursor as { next: string }).next.split('?')[1]).get('after');
    const second = await connect(sim, { service: '{page_size: 25}' });
    const next = await second.stream.fetchPage({ cursor: page.cursor, newestEventTime: null }, new AbortController().signal);
    assert.equal(next.events.length, 25);
    const asked = sim.stats().lastRequests.at(-1)?.query ?? {};
    assert.deepEqual([asked['limit'], asked['after']], ['25', after]);
  });
});

test('pacing: an answer with X-Rate-Limit-Remaining 0 pauses the account until X-Rate-Limit-Reset, so Okta never answers 429', async () => {
  // 4 requests per 2-second window; the collector's own budget is off: only Okta's headers pace it.
  await withSim({ initialEvents: 300, rateLimit: { limit: 4, windowMs: 2_000 } }, async (sim) => {
    const { stream } = await connect(sim, { service: `{start_time_value: "${new Date(Date.now() - 8 * DAY).toISOString().slice(0, 19)}Z", page_size: 20}` });
    const result = await cycle(stream);
    assert.deepEqual(uuids(result.events), uuids(sim.events()));
    const stats = sim.stats();
    assert.equal(stats.requests, 16, '15 pages and the empty one');
    assert.equal(stats.rateLimitRefusals, 0, 'a request went beyond the window');
    assert.ok(stats.lastRequests.every((r) => r.status === 200));
    const perWindow = new Map<number, number>();
    for (const t of stats.requestTimes) perWindow.set(Math.floor(t / 2_000), (perWindow.get(Math.floor(t / 2_000)) ?? 0) + 1);
    assert.ok(perWindow.size >= 4, 'the pull crossed several windows');
    assert.ok([...perWindow.values()].every((n) => n <= 4));
  });
});

test('429: retried when X-Rate-Limit-Reset says, not before', async () => {
  await withSim({ initialEvents: 50 }, async (sim) => {
    const { stream } = await connect(sim);
    sim.faults.rateLimitNext(2, { retryAfterSeconds: 2 });
    const result = await cycle(stream);
    assert.equal(result.events.length, 50);
    const records = sim.stats().lastRequests;
    assert.deepEqual(records.slice(0, 3).map((r) => r.status), [429, 429, 200]);
    for (const i of [0, 1]) {
      const refused = records[i];
      const retry = records[i + 1];
      assert.ok(refused && retry);
      const reset = Math.ceil((refused.at + 2_000) / 1000) * 1000;
      // Timers may fire a millisecond early against the wall clock.
      assert.ok(retry.at >= reset - 5, `retried at ${retry.at}, reset at ${reset}`);
    }
    assert.ok(result.requests >= 4);
  });
});

test('service app: one access token, reused, renewed before it expires and again when Okta refuses it (401); a rotated key is PULL_AUTH_LOST', async () => {
  const clock = new ShiftedClock();
  await withSim({ initialEvents: 60, now: clock.now }, async (sim) => {
    const app = sim.serviceApp;
    const { stream, setup, logger } = await connect(sim, {
      clock,
      keyPem: sim.privateKeyPem,
      credentials: `{client_id: ${app.clientId}, private_key_file: app.key, key_id: ${app.keyId}}`,
    });
    await setup();
    assert.equal(sim.stats().tokensIssued, 1);
    const first = await cycle(stream);
    assert.equal(first.events.length, 60);
    assert.equal(sim.stats().tokensIssued, 1, 'the token is reused');
    assert.ok(sim.stats().lastRequests.filter((r) => r.path === '/api/v1/logs').every((r) => r.auth === 'Bearer' && r.status === 200));
    assert.ok(logger.lines.some((l) => /Obtained an access token for service app .* \(scope okta\.logs\.read\); it expires in 3600 seconds/.test(l.msg)));

    // 59.5 minutes later: within the last minute, a new token before the old one is refused.
    clock.offset += 3_570_000;
    await cycle(stream, first.position);
    assert.equal(sim.stats().tokensIssued, 2);
    assert.ok(!sim.stats().lastRequests.some((r) => r.status === 401));

    sim.faults.expireAccessTokensNow();
    sim.addEvents(3);
    const renewed = await cycle(stream, first.position);
    assert.equal(renewed.events.length, 3);
    assert.equal(sim.stats().tokensIssued, 3);
    assert.deepEqual(sim.stats().lastRequests.filter((r) => r.path === '/api/v1/logs').slice(-3).map((r) => r.status), [401, 200, 200]);
    assert.ok(logger.lines.some((l) => /answered HTTP 401 E0000011: Invalid token provided: obtaining a new access token and trying again/.test(l.msg)));

    sim.faults.rotateServiceAppKey();
    sim.faults.expireAccessTokensNow();
    await assert.rejects(cycle(stream, renewed.position), rejectsWith('PULL_AUTH_LOST', /Okta refused the client assertion of service app .*HTTP 401 invalid_client: The client_assertion signature is invalid/, true));
    assert.ok(!logger.text().includes('PRIVATE KEY'));
  });
});

test('service app with an RSA key: RS384 as configured, the key id sent; a key that cannot sign the configured algorithm is a configuration error', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await withSim({ initialEvents: 10, serviceApp: { clientId: '0oaRsaServiceApp00001', keyId: 'rsa-key-1', publicKeyPem } }, async (sim) => {
    const { stream, setup } = await connect(sim, { keyPem, credentials: '{client_id: 0oaRsaServiceApp00001, private_key_file: app.key, key_id: rsa-key-1, jwt_algorithm: RS384}' });
    await setup();
    assert.equal((await cycle(stream)).events.length, 10);
    // A wrong kid is refused by Okta: an authentication failure at setup.
    const wrongKid = await connect(sim, { keyPem, credentials: '{client_id: 0oaRsaServiceApp00001, private_key_file: app.key, key_id: other-key}' });
    await assert.rejects(wrongKid.setup(), rejectsWith('SETUP_AUTH_FAILED', /Okta refused the client assertion of service app 0oaRsaServiceApp00001 \(HTTP 401 invalid_client/, true));
    await assert.rejects(
      connect(sim, { keyPem, credentials: '{client_id: 0oaRsaServiceApp00001, private_key_file: app.key, jwt_algorithm: ES256}' }),
      rejectsWith('CONFIG_INVALID_VALUE', /inputs\.okta\.credentials\.private_key_file: cannot use app\.key \(inputs\.okta\.credentials\.jwt_algorithm is ES256, but the file holds an RSA key\)/),
    );
  });
});

test('an EC key on P-384 signs ES384 by default; a key Okta does not take is a configuration error', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  await withSim({ initialEvents: 5, serviceApp: { clientId: '0oaEcServiceApp000001', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() } }, async (sim) => {
    const { setup } = await connect(sim, { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), credentials: '{client_id: 0oaEcServiceApp000001, private_key_file: app.key}' });
    await setup();
    assert.equal(sim.stats().tokensIssued, 1);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(connect(sim, { keyPem: ed, credentials: '{client_id: 0oaEcServiceApp000001, private_key_file: app.key}' }), rejectsWith('CONFIG_INVALID_VALUE', /holds an ed25519 key; Okta takes RSA keys, or EC keys on P-256, P-384 or P-521/));
    await assert.rejects(connect(sim, { keyPem: 'not a key', credentials: '{client_id: 0oaEcServiceApp000001, private_key_file: app.key}' }), rejectsWith('CONFIG_INVALID_VALUE', /not a PEM private key/));
  });
});

test("a JWK key file (what Okta's \"Generate new key\" offers): its kid names the key", async () => {
  await withSim({ initialEvents: 5 }, async (sim) => {
    const jwk = (kid: string): string => JSON.stringify({ ...createPrivateKey(sim.privateKeyPem ?? '').export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' });
    const credentials = `{client_id: ${sim.serviceApp.clientId}, private_key_file: app.key}`;
    const good = await connect(sim, { keyPem: jwk(sim.serviceApp.keyId), credentials });
    await good.setup();
    const wrong = await connect(sim, { keyPem: jwk('not-the-registered-kid'), credentials });
    await assert.rejects(wrong.setup(), rejectsWith('SETUP_AUTH_FAILED', /no registered key has this kid/));
    await assert.rejects(connect(sim, { keyPem: '{"kty":"EC"}', credentials }), rejectsWith('CONFIG_INVALID_VALUE', /not a private JWK/));
  });
});

test('a cursor Okta refuses (400): the stream restarts from the newest delivered event, with a warning, and loses nothing', async () => {
  await withSim({ initialEvents: 120 }, async (sim) => {
    const { stream, logger } = await connect(sim);
    const first = await cycle(stream);
    const delivered = new Set(uuids(first.events));
    const added = sim.addEvents(7);
    sim.faults.badCursorNext(1);
    const next = await cycle(stream, first.position);
    const newest = first.position.newestEventTime ?? 0;
    const warning = logger.lines.find((l) => l.level === 'warn' && /refused the saved cursor \(HTTP 400 E0000001: Api validation failed: 'after': The cursor is not valid\.\)/.test(l.msg));
    assert.ok(warning, JSON.stringify(logger.lines.filter((l) => l.level === 'warn')));
    assert.match(warning.msg, new RegExp(`Restarting the stream from ${new Date(newest).toISOString()} \\(the newest delivered event\\)`));
    const recovery = sim.stats().lastRequests.find((r) => r.query['since'] !== undefined && r.at > 0 && r.query['after'] === undefined && r.status === 200 && Date.parse(r.query['since']) === newest);
    assert.ok(recovery, 'the restart asks for what was written since the newest delivered event');
    // Every new event comes; what comes again was delivered before (the dedup memory drops it).
    const again = uuids(next.events).filter((u) => !added.some((e) => e['uuid'] === u));
    assert.deepEqual(uuids(next.events).filter((u) => !delivered.has(u)), uuids(added));
    assert.ok(again.every((u) => delivered.has(u)));
  });
});

test('a next link to another origin is not followed: PULL_MALFORMED_RESPONSE naming it', async () => {
  await withSim({ initialEvents: 30 }, async (sim) => {
    const { stream } = await connect(sim);
    sim.faults.nextLinkOrigin('http://127.0.0.2:9');
    await assert.rejects(
      cycle(stream),
      rejectsWith('PULL_MALFORMED_RESPONSE', new RegExp(`answered a next link to http://127\\.0\\.0\\.2:9/api/v1/logs, which is not ${sim.url.replace(/[.]/g, '\\.')}/api/v1/logs: Siphon does not follow it`)),
    );
    assert.equal(sim.stats().requests, 1);
  });
});

test('setup: a revoked token, a token without the right, an app without the scope, an unreachable org; each with its code and no secret', async () => {
  await withSim({ initialEvents: 5, serviceApp: { grantedScopes: ['okta.users.read'] } }, async (sim) => {
    const ok = await connect(sim);
    await ok.setup();
    assert.ok(ok.logger.lines.some((l) => l.msg === `Authenticated with an API token (SSWS) at ${sim.url}. Source is pullable`));

    sim.faults.denyLogsRead(true);
    await assert.rejects(ok.setup(), rejectsWith('SETUP_FEATURE_MISSING', /Okta does not let the API token read the System Log \(HTTP 403 E0000006: .*\): the administrator who created the API token needs a role that may read the System Log/, true));
    sim.faults.reset();
    sim.faults.revokeApiTokens();
    await assert.rejects(ok.setup(), (err: unknown) => {
      rejectsWith('SETUP_AUTH_FAILED', /Okta refused the API token \(HTTP 401 E0000011: Invalid token provided\): it may be revoked, expired/, true)(err);
      assert.ok(!(err as Error).message.includes(TOKEN));
      return true;
    });

    const app = await connect(sim, { keyPem: sim.privateKeyPem, credentials: `{client_id: ${sim.serviceApp.clientId}, private_key_file: app.key}` });
    await assert.rejects(app.setup(), rejectsWith('SETUP_FEATURE_MISSING', /Okta did not grant okta\.logs\.read to service app .* \(HTTP 400 invalid_scope: .*\)\. Grant okta\.logs\.read on the app's Okta API Scopes tab/, true));
  });
  const closed = await startOktaSimulator({ apiTokens: [TOKEN] });
  const url = closed.url;
  await closed.close();
  const unreachable = await connect({ url } as OktaSimulator);
  await assert.rejects(unreachable.setup(), rejectsWith('SETUP_UNREACHABLE', /ECONNREFUSED|refused/));
});

test('a start older than the 90 days Okta keeps starts at that limit, with a warning', async () => {
  await withSim({ history: [{ from: Date.now() - 95 * DAY, to: Date.now() - DAY, count: 40 }] }, async (sim) => {
    const start = new Date(Date.now() - 120 * DAY).toISOString().slice(0, 19);
    const { stream, logger } = await connect(sim, { service: `{start_time_value: "${start}Z"}` });
    const result = await cycle(stream);
    assert.deepEqual(uuids(result.events), uuids(sim.events()));
    const since = Date.parse(sim.stats().lastRequests[0]?.query['since'] ?? '');
    assert.ok(Math.abs(since - (Date.now() - 90 * DAY)) < 120_000, `since ${new Date(since).toISOString()}`);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && l.msg.startsWith(`${start}.000Z is older than the 90 days Okta keeps its System Log: starting from `)));
  });
});

/** The problems loading an Okta input with these settings. */
async function problems(oktaUrl: string, credentials = '{api_token: "${env:OKTA_TOKEN}"}'): Promise<ConfigProblem[]> {
  const result = await loadOkta(oktaUrl, { credentials, service: '{}' });
  return result.ok ? [] : result.problems;
}

test('settings: okta_url is https:// (http:// only on this machine), the org address only; exactly one credential', async () => {
  assert.deepEqual(await problems('https://acme.okta.com/'), []);
  assert.deepEqual(await problems('https://login.acme.example:8443'), []);
  assert.deepEqual(await problems('http://127.0.0.1:8080'), []);
  assert.deepEqual(await problems('http://localhost:8080'), []);
  assert.deepEqual(await problems('http://[::1]:8080'), []);

  const [clear] = await problems('http://acme.okta.com');
  assert.deepEqual([clear?.code, clear?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.okta_url']);
  assert.match(clear?.message ?? '', /must start with https:\/\/: Okta answers over HTTPS only, and an http:\/\/ address would send the credentials in clear \(http:\/\/ is accepted only for a simulator on 127\.0\.0\.1, \[::1\] or localhost\)/);
  const [path] = await problems('https://acme.okta.com/api/v1');
  assert.deepEqual([path?.code, path?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.okta_url']);
  assert.match(path?.message ?? '', /without a path or query/);
  assert.equal((await problems('ftp://acme.okta.com'))[0]?.code, 'CONFIG_INVALID_VALUE');

  const [both] = await problems('https://acme.okta.com', '{api_token: x0123456789, client_id: 0oa1, private_key_file: app.key}');
  assert.deepEqual([both?.code, both?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.credentials']);
  assert.match(both?.message ?? '', /must set one credential: api_token \(SSWS\), or client_id with private_key_file \(an OAuth service app\), not both/);
  const [none] = await problems('https://acme.okta.com', '{}');
  assert.deepEqual([none?.code, none?.path], ['CONFIG_MISSING', 'inputs.okta.credentials']);
  const [noKey] = await problems('https://acme.okta.com', '{client_id: 0oa1}');
  assert.deepEqual([noKey?.code, noKey?.path], ['CONFIG_MISSING', 'inputs.okta.credentials.private_key_file']);
  const [noFile] = await problems('https://acme.okta.com', '{client_id: 0oa1, private_key_file: missing.key}');
  assert.deepEqual([noFile?.code, noFile?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.credentials.private_key_file']);
  const [scope] = await problems('https://acme.okta.com', '{client_id: 0oa1, private_key_file: missing.key, scope: okta.users.read}');
  assert.deepEqual([scope?.code, scope?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.credentials.scope']);
  const [alg] = await problems('https://acme.okta.com', '{client_id: 0oa1, private_key_file: missing.key, jwt_algorithm: HS256}');
  assert.deepEqual([alg?.code, alg?.path], ['CONFIG_INVALID_VALUE', 'inputs.okta.credentials.jwt_algorithm']);
});
