// TLS between Siphon and PostgreSQL, against real servers: one with `ssl = on` and a certificate
// for 127.0.0.1 and localhost signed by a test CA, one whose CA-signed certificate names another
// host, and one with `ssl = off`. The sslmode values do what docs/configuration.md says, every
// refusal is PERSISTENCE_UNAVAILABLE naming the server and the cause (never the password), and
// `siphon run --once` reads a ca_file relative to its configuration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateKey, StateStore } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { openStateStore } from '../../src/state/index.js';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { readAllFiles, readDelivered, runSiphon, tempDir, writeConfig } from '../e2e/harness.js';
import { sampleState } from './store-suite.js';

const KEY: StateKey = { input: 'onepassword', service: 'audit_events' };

let pkiFolder: string;
let pki: TestPki;
/** ssl = on, certificate for IP:127.0.0.1 and DNS:localhost, signed by the test CA. */
let tlsServer: TestPostgres;
/** ssl = on, certificate signed by the test CA for wrong.example only. */
let wrongNameServer: TestPostgres;
/** ssl = off. */
let plainServer: TestPostgres;
let schemas = 0;

before(async () => {
  pkiFolder = await tempDir('siphon-pg-tls-');
  pki = await makeTestPki(pkiFolder);
  [tlsServer, wrongNameServer, plainServer] = await Promise.all([
    startPostgres({}, { tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem } }),
    startPostgres({}, { tls: { certPem: pki.wrongHostCertPem, keyPem: pki.wrongHostKeyPem } }),
    startPostgres(),
  ]);
});
after(async () => {
  await Promise.all([tlsServer?.close(), wrongNameServer?.close(), plainServer?.close()]);
  if (pkiFolder) await rm(pkiFolder, { recursive: true, force: true });
});

/** The store `siphon run` would open, in a schema of its own. */
function open(url: string, caFile?: string): Promise<StateStore> {
  schemas += 1;
  return openStateStore({ type: 'postgres', url, schema: `tls_${schemas}`, ...(caFile !== undefined ? { caFile } : {}) });
}

/** Writes and reads back a checkpoint: the store works over this connection. */
async function roundTrip(store: StateStore): Promise<void> {
  await store.put(KEY, sampleState(), undefined);
  assert.deepEqual(await store.get(KEY), { ...sampleState(), revision: 1 });
}

/** Whether Siphon's open connections to `server` are encrypted, as the server sees them (the pool keeps them idle after a query). */
async function siphonSessions(server: TestPostgres): Promise<{ encrypted: number; plain: number }> {
  const { rows } = await server.query<{ encrypted: number; plain: number }>(
    `SELECT count(*) FILTER (WHERE s.ssl)::int AS encrypted, count(*) FILTER (WHERE NOT s.ssl)::int AS plain
       FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'siphon'`,
  );
  return rows[0] ?? { encrypted: 0, plain: 0 };
}

/** A refusal: PERSISTENCE_UNAVAILABLE naming the server and `cause`, the password nowhere. */
function refused(server: TestPostgres, cause: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SiphonError, `expected a SiphonError, got ${String(err)}`);
    assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE', err.message);
    assert.match(err.message, new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${server.port}/siphon cannot be used: `));
    assert.match(err.message, cause);
    assert.ok(!err.message.includes(server.password), err.message);
    assert.ok(!JSON.stringify(err.details).includes(server.password), JSON.stringify(err.details));
    return true;
  };
}

describe('postgres over TLS', () => {
  test('verify-full with ca_file naming the test CA: the store opens, writes and reads a checkpoint, encrypted; by IP address and by name', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const store = await open(tlsServer.urlFor('siphon', { host, sslmode: 'verify-full' }), pki.caCertFile);
      try {
        await roundTrip(store);
        const sessions = await siphonSessions(tlsServer);
        assert.equal(sessions.plain, 0, host);
        assert.ok(sessions.encrypted > 0, host);
      } finally {
        await store.close();
      }
    }
  });

  test('verify-full without ca_file: the system CAs do not know the test CA, so the server is refused as not trusted', async () => {
    await assert.rejects(open(tlsServer.urlFor('siphon', { sslmode: 'verify-full' })), refused(tlsServer, /certificate is not trusted.*ca_file must name/));
    // A CA file of another authority is no better.
    await assert.rejects(open(tlsServer.urlFor('siphon', { sslmode: 'verify-full' }), pki.rogueCaCertFile), refused(tlsServer, /certificate is not trusted/));
  });

  test('a ca_file without a PEM certificate (a key, a DER file) is refused before any connection, naming the file', async () => {
    const notPem = join(pkiFolder, 'ca.der');
    await writeFile(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
    const before = await siphonSessions(tlsServer);
    await assert.rejects(open(tlsServer.urlFor('siphon', { sslmode: 'verify-full' }), notPem), (err: unknown) => {
      assert.ok(err instanceof SiphonError);
      assert.equal(err.code, 'PERSISTENCE_UNAVAILABLE');
      assert.match(err.message, new RegExp(`The CA file .*ca\\.der for PostgreSQL at 127\\.0\\.0\\.1:${tlsServer.port}/siphon holds no PEM certificate`));
      assert.ok(!err.message.includes(tlsServer.password));
      return true;
    });
    assert.deepEqual(await siphonSessions(tlsServer), before);
  });

  test('verify-full with a trusted certificate for another host is refused; verify-ca, which checks the chain only, accepts it', async () => {
    const url = (sslmode: string): string => wrongNameServer.urlFor('siphon', { sslmode });
    await assert.rejects(open(url('verify-full'), pki.caCertFile), refused(wrongNameServer, /certificate is not for the host in the URL.*127\.0\.0\.1/));
    const store = await open(url('verify-ca'), pki.caCertFile);
    try {
      await roundTrip(store);
      assert.equal((await siphonSessions(wrongNameServer)).plain, 0);
    } finally {
      await store.close();
    }
  });

  test('require encrypts without checking the certificate: no ca_file needed', async () => {
    const store = await open(tlsServer.urlFor('siphon', { sslmode: 'require' }));
    try {
      await roundTrip(store);
      const sessions = await siphonSessions(tlsServer);
      assert.equal(sessions.plain, 0);
      assert.ok(sessions.encrypted > 0);
    } finally {
      await store.close();
    }
  });

  test('a server with ssl = off is refused under verify-full and require, never used unencrypted', async () => {
    for (const sslmode of ['verify-full', 'require']) {
      await assert.rejects(open(plainServer.urlFor('siphon', { sslmode }), pki.caCertFile), refused(plainServer, /does not offer TLS \(its ssl setting is off\)/));
    }
    assert.deepEqual(await siphonSessions(plainServer), { encrypted: 0, plain: 0 });
  });
});

describe('siphon run --once with PostgreSQL over TLS', () => {
  const TOKEN = 'op-pg-tls-token-5e6f7a8b9c0d';
  let sim: OnePasswordSimulator;
  before(async () => {
    sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['auditevents'] }], initialEvents: { auditevents: 40 } });
  });
  after(async () => {
    await sim?.close();
  });

  const configYaml = (schema: string, caFile: string | undefined): string => `globals:
  name: pg-tls-e2e
  persistence: {type: postgres, config: {url: "\${env:SIPHON_POSTGRES_URL}", schema: ${schema}${caFile !== undefined ? `, ca_file: ${caFile}` : ''}}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  onepassword:
    base_url: ${sim.url}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: 25}
`;

  test('ca_file relative to the configuration: the checkpoint lands in the database; without it the start is refused in one clear line', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'certs'));
    await copyFile(pki.caCertFile, join(dir, 'certs', 'pg-ca.pem'));
    const env = { OP_EVENTS_TOKEN: TOKEN, SIPHON_POSTGRES_URL: tlsServer.urlFor('siphon', { sslmode: 'verify-full' }) };

    // Run from the repository's folder: the relative path must resolve against the configuration's.
    const ok = await runSiphon(['run', '--config', await writeConfig(dir, configYaml('e2e_tls', './certs/pg-ca.pem')), '--once'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await readDelivered(join(dir, 'events.ndjson'))).length, sim.events('auditevents').length);
    const saved = await tlsServer.query<{ delivered: string }>(`SELECT record->>'events_delivered' AS delivered FROM e2e_tls.checkpoints WHERE input = 'onepassword' AND service = 'audit'`);
    assert.deepEqual(saved.rows, [{ delivered: String(sim.events('auditevents').length) }]);
    assert.doesNotMatch(ok.stderr, /DeprecationWarning|\(node:\d+\)/, 'no warning from the TLS set-up (an IP address as SNI name)');

    const untrusted = await runSiphon(['run', '--config', await writeConfig(dir, configYaml('e2e_tls_untrusted', undefined)), '--once'], env);
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.match(untrusted.stderr, /PERSISTENCE_UNAVAILABLE|PrePullError 204/);
    assert.match(untrusted.stderr, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${tlsServer.port}/siphon cannot be used: the server's certificate is not trusted`));
    assert.doesNotMatch(untrusted.stderr, /^\s+at /m, 'no stack trace');

    const everything = [ok, untrusted].map((r) => r.stdout + r.stderr).join('') + (await readAllFiles(dir));
    assert.ok(!everything.includes(tlsServer.password), 'the database password appears in a line or a file');
    assert.ok(!everything.includes(TOKEN), 'the token appears in a line or a file');
  });
});
