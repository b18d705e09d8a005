// The Kiteworks connector end to end, through the CLI, against the simulator: each OAuth
// flow and each answer shape, tokens that expire or are revoked, TLS verification (private
// CA, self-signed, wrong host), a missing permission, and no secret or key material leaking.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKiteworksSimulator, type KiteworksSimulator, type KiteworksSimulatorOptions } from '../../src/simulators/kiteworks/index.js';
import { makeTestPki, rsaKeyPairPem } from '../support/certs.js';
import { fileCollectorYaml, readAllFiles, readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig, type DeliveredLine } from './harness.js';

const DAY_MS = 86_400_000;
type Flow = 'signature' | 'jwt' | 'refresh';

const isoAgo = (ms: number): string => `${new Date(Date.now() - ms).toISOString().slice(0, 19)}Z`;

interface FlowSetup {
  credentials: string;
  env: Record<string, string>;
  secrets: string[];
}

async function flowSetup(sim: KiteworksSimulator, flow: Flow, dir: string, privateKeyPem: string): Promise<FlowSetup> {
  const c = sim.client;
  const user = c.users?.[0] ?? '';
  const common = `      client_id: ${c.clientId}\n      client_secret: \${env:KW_SECRET}\n`;
  if (flow === 'signature') {
    return {
      credentials: `${common}      signature_key: \${env:KW_SIGNATURE_KEY}\n      user_email: ${user}\n      redirect_uri: ${c.redirectUri}\n`,
      env: { KW_SECRET: c.clientSecret, KW_SIGNATURE_KEY: c.signatureKey ?? '' },
      secrets: [c.clientSecret, c.signatureKey ?? ''],
    };
  }
  if (flow === 'jwt') {
    await writeFile(join(dir, 'kiteworks-app.key'), privateKeyPem, { mode: 0o600 });
    return {
      credentials: `${common}      private_key_file: kiteworks-app.key\n      jwt_algorithm: RS512\n      user_email: ${user}\n      redirect_uri: ${c.redirectUri}\n`,
      env: { KW_SECRET: c.clientSecret },
      secrets: [c.clientSecret],
    };
  }
  const refresh = sim.issueRefreshToken();
  return { credentials: `${common}      refresh_token: \${env:KW_REFRESH}\n`, env: { KW_SECRET: c.clientSecret, KW_REFRESH: refresh }, secrets: [c.clientSecret, refresh] };
}

function configYaml(sim: KiteworksSimulator, setup: FlowSetup, start: string, extra = '', service = ''): string {
  return fileCollectorYaml(
    'e2e',
    `  kiteworks:
    id: 5001
    api_base_url: ${sim.url}
    credentials:
${setup.credentials}    http: {max_retries: 4, backoff_base_seconds: 0.05, backoff_max_seconds: 0.5}
${extra}    services:
      admin:
        historical_poll_datetime: "${start}"
        event_fetch_limit_in_items: 50
        lag_in_seconds: 0
${service}`,
  );
}

/** Every activity exactly once (by id, as a string), as served in that shape. */
function assertExact(lines: DeliveredLine[], sim: KiteworksSimulator, shape: 'events' | 'data'): void {
  const expected = sim.events(shape).map((e) => String(e['id'])).sort();
  const delivered = lines.map((l) => String(l.event['id'])).sort();
  assert.equal(delivered.length, expected.length, `delivered ${delivered.length}, the vendor holds ${expected.length}`);
  assert.deepEqual(delivered, expected);
  for (const line of lines) assert.equal(line.tag, 'dmp.kiteworks.admin.event');
}

async function withSim(opts: KiteworksSimulatorOptions, body: (sim: KiteworksSimulator) => Promise<void>): Promise<void> {
  const keys = rsaKeyPairPem();
  const sim = await startKiteworksSimulator({ ...opts, client: { jwtPublicKeyPem: keys.publicKeyPem, ...opts.client } });
  try {
    currentKey = keys.privateKeyPem;
    await body(sim);
  } finally {
    await sim.close();
  }
}
let currentKey = '';

describe('kiteworks end to end', () => {
  for (const [flow, shape] of [
    ['signature', 'events'],
    ['signature', 'data'],
    ['jwt', 'events'],
    ['jwt', 'data'],
    ['refresh', 'events'],
    ['refresh', 'data'],
  ] as Array<[Flow, 'events' | 'data']>) {
    test(`${flow} flow, "${shape}" answers: 40 days in 29-day windows, exact, no secret or key leaks`, async () => {
      const now = Date.now();
      await withSim({ history: [{ from: now - 40 * DAY_MS, to: now - 60_000, count: 400 }], responseShape: shape }, async (sim) => {
        if (shape === 'data') sim.faults.createdOffsetStyle('+00:00');
        const dir = await tempDir();
        const setup = await flowSetup(sim, flow, dir, currentKey);
        const config = await writeConfig(dir, configYaml(sim, setup, isoAgo(41 * DAY_MS)));
        const run = await runSiphon(['run', '--config', config, '--once'], setup.env);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, new RegExp(`Authenticated with the ${flow} flow. Source is pullable`));
        assert.equal((run.stderr.match(/Fetching admin activities created between/g) ?? []).length, 2, 'two windows for 41 days');
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, shape);
        assert.ok(sim.stats().versionHeaders.length > 0 && sim.stats().versionMissing === 0, 'X-Accellion-Version on every call');
        const everything = run.stdout + run.stderr + (await readAllFiles(dir)).replace(currentKey, '');
        for (const secret of setup.secrets) assert.ok(!everything.includes(secret), 'a secret leaked');
        const keyBody = currentKey.split('\n')[1] ?? 'none';
        assert.ok(!(run.stdout + run.stderr + (await readAllFiles(join(dir, 'state')))).includes(keyBody), 'private key material leaked');
      });
    });
  }

  test('an access token that expires and one that is revoked mid-pull are recovered from without loss', async () => {
    const now = Date.now();
    await withSim({ history: [{ from: now - 2 * DAY_MS, to: now - 60_000, count: 900 }], tokenLifetimeSeconds: 2 }, async (sim) => {
      sim.faults.slowResponses(60);
      const dir = await tempDir();
      const setup = await flowSetup(sim, 'signature', dir, currentKey);
      const config = await writeConfig(dir, configYaml(sim, setup, isoAgo(3 * DAY_MS)));
      const file = join(dir, 'events.ndjson');
      const { child, done } = startSiphon(['run', '--config', config, '--once'], setup.env);
      await waitFor(async () => (await readDelivered(file)).length >= 200, 180_000, 'a part');
      sim.faults.expireAccessTokensNow();
      await waitFor(async () => (await readDelivered(file)).length >= 500, 180_000, 'more');
      sim.faults.expireAccessTokensNow();
      const result = await done;
      child.kill();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /answered 401 ERR_AUTH_UNAUTHORIZED: obtaining a new access token and trying again/);
      assert.ok(sim.stats().tokensIssued >= 3);
      assertExact(await readDelivered(file), sim, 'events');
    });
  });

  test('a missing Activity Log permission (403 ERR_ACCESS_USER) is a clear exit 3, not a retry loop', async () => {
    await withSim({ initialEvents: 20 }, async (sim) => {
      sim.faults.denyActivityLog(true);
      const dir = await tempDir();
      const setup = await flowSetup(sim, 'signature', dir, currentKey);
      const config = await writeConfig(dir, configYaml(sim, setup, isoAgo(DAY_MS)));
      const run = await runSiphon(['run', '--config', config, '--once'], setup.env);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /\[SetupError 101\] .*403 ERR_ACCESS_USER.*administrator with access to the Activity Log/);
    });
  });

  describe('TLS', () => {
    let pki: Awaited<ReturnType<typeof makeTestPki>>;
    let pkiDir = '';
    before(async () => {
      pkiDir = await tempDir('siphon-pki-');
      pki = await makeTestPki(pkiDir);
    });
    after(() => undefined);

    test('a private CA is trusted when configured; a self-signed or wrong-host certificate is refused unless verification is off', async () => {
      const now = Date.now();
      const history = [{ from: now - DAY_MS, to: now - 60_000, count: 60 }];
      await withSim({ history, tls: { key: pki.serverKeyPem, cert: pki.serverCertPem } }, async (sim) => {
        const dir = await tempDir();
        const setup = await flowSetup(sim, 'signature', dir, currentKey);
        const refused = await runSiphon(['check', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS)))], setup.env);
        assert.equal(refused.code, 3, refused.stdout);
        assert.match(refused.stdout, /FAIL {2}input kiteworks \(kiteworks\): .*(unable to verify|self.signed|certificate)/i);
        const trusted = await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), `    ca_bundle_file: ${JSON.stringify(pki.caCertFile)}\n`));
        const ok = await runSiphon(['run', '--config', trusted, '--once'], setup.env);
        assert.equal(ok.code, 0, ok.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, 'events');
      });
      await withSim({ history, tls: { key: pki.selfSignedKeyPem, cert: pki.selfSignedCertPem } }, async (sim) => {
        const dir = await tempDir();
        const setup = await flowSetup(sim, 'signature', dir, currentKey);
        const refused = await runSiphon(['check', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), `    ca_bundle_file: ${JSON.stringify(pki.caCertFile)}\n`))], setup.env);
        assert.equal(refused.code, 3, refused.stdout);
        assert.match(refused.stdout, /self.signed/i);
        const insecure = await runSiphon(['run', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), '    verify_host_ssl_cert: false\n')), '--once'], setup.env);
        assert.equal(insecure.code, 0, insecure.stderr);
        assert.match(insecure.stderr, /Certificate verification of kiteworks's host is off/);
      });
      await withSim({ history, tls: { key: pki.wrongHostKeyPem, cert: pki.wrongHostCertPem } }, async (sim) => {
        const dir = await tempDir();
        const setup = await flowSetup(sim, 'signature', dir, currentKey);
        const refused = await runSiphon(['check', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), `    ca_bundle_file: ${JSON.stringify(pki.caCertFile)}\n`))], setup.env);
        assert.equal(refused.code, 3, refused.stdout);
        assert.match(refused.stdout, /(altnames|does not match|Hostname)/i);
      });
    });

    test('the standard tls block trusts a private CA like ca_bundle_file; both at once, or a missing file, are configuration errors naming the setting', async () => {
      const now = Date.now();
      const history = [{ from: now - DAY_MS, to: now - 60_000, count: 40 }];
      await withSim({ history, tls: { key: pki.serverKeyPem, cert: pki.serverCertPem } }, async (sim) => {
        const dir = await tempDir();
        const setup = await flowSetup(sim, 'signature', dir, currentKey);
        const trusted = await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), `    tls: {ca_file: ${JSON.stringify(pki.caCertFile)}}\n`));
        const ok = await runSiphon(['run', '--config', trusted, '--once'], setup.env);
        assert.equal(ok.code, 0, ok.stderr);
        assertExact(await readDelivered(join(dir, 'events.ndjson')), sim, 'events');
        const both = `    tls: {ca_file: ${JSON.stringify(pki.caCertFile)}}\n    ca_bundle_file: ${JSON.stringify(pki.caCertFile)}\n`;
        const twice = await runSiphon(['validate', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), both))], setup.env);
        assert.equal(twice.code, 2, twice.stderr);
        assert.match(twice.stderr, /\[InitVariablesError 7\] inputs\.kiteworks\.ca_bundle_file: names the same file as tls\.ca_file/);
        const missing = await runSiphon(['run', '--once', '--config', await writeConfig(dir, configYaml(sim, setup, isoAgo(2 * DAY_MS), '    tls: {ca_file: no-such-ca.pem}\n'))], setup.env);
        assert.equal(missing.code, 2, missing.stderr);
        assert.ok(missing.stderr.includes(`inputs.kiteworks.tls.ca_file: cannot read ${join(dir, 'no-such-ca.pem')} (ENOENT)`), missing.stderr);
      });
    });
  });
});
