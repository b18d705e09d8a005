// The Okta connector end to end, through the CLI, against the simulator: an API token and a
// service app (private key file), late events, a cursor Okta refuses (the dedup memory drops
// the overlap), a revoked token (exit 3 for run and check), an http:// address refused, and
// no credential or key material anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOktaSimulator, type OktaSimulator, type OktaSimulatorOptions } from '../../src/simulators/okta/index.js';
import { fileCollectorYaml, readAllFiles, readDelivered, runSiphon, tempDir, writeConfig, type DeliveredLine } from './harness.js';

const DAY_MS = 86_400_000;
const TOKEN = '00e2e-okta-api-token-0123456789abcdefghij';
const isoAgo = (ms: number): string => `${new Date(Date.now() - ms).toISOString().slice(0, 19)}Z`;

function configYaml(sim: OktaSimulator, credentials: string, service = ''): string {
  return fileCollectorYaml(
    'e2e',
    `  okta:
    id: 6001
    okta_url: ${sim.url}
    credentials: ${credentials}
    http: {max_retries: 4, backoff_base_seconds: 0.05, backoff_max_seconds: 0.5}
    services:
      system_log: {start_time_value: "${isoAgo(8 * DAY_MS)}", page_size: 50${service}}
`,
  );
}

const SSWS = '{api_token: "${env:OKTA_TOKEN}"}';
const ENV = { OKTA_TOKEN: TOKEN };

/** Every event exactly once, in the order Okta serves them (the order it wrote them). */
function assertExact(lines: DeliveredLine[], sim: OktaSimulator): void {
  const delivered = lines.map((l) => String(l.event['uuid']));
  assert.equal(new Set(delivered).size, delivered.length, 'an event was delivered twice');
  assert.deepEqual(delivered, sim.events().map((e) => String(e['uuid'])));
  for (const line of lines) assert.deepEqual([line.tag, line.input, line.service], ['auth.okta.system', 'okta', 'system_log']);
}

async function withSim(opts: OktaSimulatorOptions, body: (sim: OktaSimulator) => Promise<void>): Promise<void> {
  const sim = await startOktaSimulator({ apiTokens: [TOKEN], ...opts });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

/** Every file below `dir` but `except`, concatenated. */
async function allFilesBut(dir: string, except: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name === except) continue;
    text += await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

test('API token: the whole log in order, then what was written since (late events too); the same log lines as every connector; the token nowhere', async () => {
  await withSim({ initialEvents: 420 }, async (sim) => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim, SSWS));
    const first = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /OktaPullerSetup\(okta,6001\) -> Authenticated with an API token \(SSWS\) at http:\/\/127\.0\.0\.1:\d+\. Source is pullable/);
    assert.match(first.stderr, /OktaPuller\(okta,6001,system_log\) -> Statistics for this pull cycle .*Number of requests made: 10; Number of events received: 420;/);
    assert.match(first.stderr, /The data is up to date!/);
    assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);

    sim.addEvents(20);
    sim.addEvents(6, { late: true });
    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
    const everything = first.stdout + first.stderr + second.stdout + second.stderr + (await readAllFiles(dir));
    assert.ok(!everything.includes(TOKEN), 'the API token appears in an output, a log or a state file');
  });
});

test('service app: a private key file (RSA, RS256), an access token for the run; the key and the token nowhere but the key file', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await withSim({ initialEvents: 130, serviceApp: { clientId: '0oaE2eServiceApp00001', keyId: 'siphon-e2e', publicKeyPem } }, async (sim) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'okta-app.key'), keyPem, { mode: 0o600 });
    const config = await writeConfig(dir, configYaml(sim, '{client_id: 0oaE2eServiceApp00001, private_key_file: okta-app.key, key_id: siphon-e2e}'));
    const run = await runSiphon(['run', '--config', config, '--once']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Obtained an access token for service app 0oaE2eServiceApp00001 \(scope okta\.logs\.read\); it expires in 3600 seconds/);
    assert.match(run.stderr, /Authenticated with service app 0oaE2eServiceApp00001 \(okta\.logs\.read\) at .*Source is pullable/);
    assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
    const stats = sim.stats();
    assert.equal(stats.tokensIssued, 1, 'one token for setup and the pull');
    assert.ok(stats.lastRequests.filter((r) => r.path === '/api/v1/logs').every((r) => r.auth === 'Bearer'));
    const keyBody = keyPem.split('\n')[1] ?? '';
    const everything = run.stdout + run.stderr + (await allFilesBut(dir, 'okta-app.key'));
    assert.ok(keyBody.length > 40 && !everything.includes(keyBody), 'key material leaked');
    assert.ok(!/eyJ[A-Za-z0-9]{40}/.test(everything), 'an access token leaked');
  });
});

test('a cursor Okta refuses: a warning, the stream restarts from the newest delivered event, and the dedup memory drops what comes again', async () => {
  await withSim({ initialEvents: 200 }, async (sim) => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim, SSWS));
    assert.equal((await runSiphon(['run', '--config', config, '--once'], ENV)).code, 0);
    sim.addEvents(15);
    sim.faults.badCursorNext(1);
    const run = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /WARNING .*OktaPuller\(okta,6001,system_log\) -> GET \/api\/v1\/logs refused the saved cursor \(HTTP 400 E0000001: .*\)\. Restarting the stream from .* \(the newest delivered event\); already delivered events are filtered out/);
    const filtered = /Number of duplicated events filtered out: (\d+)/.exec(run.stderr.split('\n').filter((l) => l.includes('Statistics for this pull cycle')).pop() ?? '');
    assert.ok(Number(filtered?.[1]) >= 1, `the restart read delivered events again, and dropped them: ${filtered?.[0] ?? run.stderr}`);
    assertExact(await readDelivered(join(dir, 'events.ndjson')), sim);
  });
});

test('a revoked API token: run --once and check exit 3 with a clear message, the token never printed', async () => {
  await withSim({ initialEvents: 20 }, async (sim) => {
    sim.faults.revokeApiTokens();
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml(sim, SSWS));
    const run = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /\[SetupError 100\] Okta refused the API token \(HTTP 401 E0000011: Invalid token provided\): it may be revoked, expired/);
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 3, check.stdout);
    assert.match(check.stdout, /^FAIL {2}input okta/m);
    assert.match(check.stdout, /Okta refused the API token/);
    const everything = run.stdout + run.stderr + check.stdout + check.stderr + (await readAllFiles(dir));
    assert.ok(!everything.includes(TOKEN));
  });
});

test('okta_url over plain http:// to another machine is a configuration error (exit 2) naming the setting', async () => {
  const dir = await tempDir();
  const config = await writeConfig(
    dir,
    fileCollectorYaml('e2e', `  okta:\n    okta_url: http://acme.okta.com\n    credentials: ${SSWS}\n`),
  );
  const run = await runSiphon(['run', '--config', config, '--once'], ENV);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /inputs\.okta\.okta_url.*must start with https:\/\/: Okta answers over HTTPS only/);
  assert.match(run.stderr, /InitVariablesError 7/);
});
