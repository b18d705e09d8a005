// `siphon check` with a devo_platform output, through the CLI, against the local Devo-relay
// imitation (real TLS with client certificates): good certificates pass; a certificate from
// another CA, no certificate, and a relay certificate for another host fail with their reasons
// and exit 3. A relay refuses a client certificate inside the handshake under TLS 1.2, and
// right after it under TLS 1.3 (with an alert, a bare close, or, behind a balancer that
// answers with an unencrypted alert, OpenSSL's "bad record type"): all read the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { DevoReceiver, type DevoReceiverTls } from '../support/devo-receiver.js';
import { AlertingFront } from '../support/alerting-front.js';
import { runSiphon, tempDir, writeConfig } from './harness.js';

const TOKEN = 'op-devo-check-token-77aa01be';
const ENV = { OP_EVENTS_TOKEN: TOKEN };

interface DevoFiles {
  cert: string;
  key: string;
}

/** A collector with one 1Password input and a devo_platform output; file paths relative to the config (none: no client certificate). */
function configYaml(simUrl: string, port: number, files: DevoFiles | undefined): string {
  return `globals:
  name: e2e-devo
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  devo_1:
    type: devo_platform
    config:
      address: 127.0.0.1
      port: ${port}
      type: SSL
${files ? `      cert: ${files.cert}\n      key: ${files.key}\n` : ''}      chain: ./pki/ca.crt
inputs:
  onepassword:
    id: 10001
    enabled: true
    base_url: ${simUrl}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z}
`;
}

const GOOD: DevoFiles = { cert: './pki/client.crt', key: './pki/client.key' };
const ROGUE: DevoFiles = { cert: './pki/rogue-client.crt', key: './pki/rogue-client.key' };

describe('siphon check with a Devo output', () => {
  let sim: OnePasswordSimulator;
  let dir: string;
  let pki: TestPki;
  const receivers: DevoReceiver[] = [];

  before(async () => {
    sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }] });
    dir = await tempDir('siphon-e2e-devo-');
    pki = await makeTestPki(join(dir, 'pki'));
  });
  after(async () => {
    for (const r of receivers) await r.stop({ abrupt: true });
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function relay(tls: Partial<DevoReceiverTls> = {}): Promise<DevoReceiver> {
    const receiver = await DevoReceiver.start({ tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, ...tls } });
    receivers.push(receiver);
    return receiver;
  }

  test('good certificates: exit 0, PASS for the output, and the relay saw an authorised handshake', async () => {
    const receiver = await relay();
    const config = await writeConfig(dir, configYaml(sim.url, receiver.port, GOOD));
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /PASS {2}output devo_1 \(devo_platform\): TLSv1\.3 handshake with 127\.0\.0\.1:\d+ completed, client certificate accepted/);
    assert.match(check.stdout, /All checks passed\./);
    assert.ok(receiver.connectionCount >= 1);
    assert.ok(receiver.connections.every((c) => c.authorized && c.clientEnded), 'every connection authorised and ended by the client');
    assert.equal(receiver.frames().length, 0, 'check sends no event, and no internal record either');
  });

  const FAIL_LINE = String.raw`FAIL {2}output devo_1 \(devo_platform\): \[OutputError 400\] Output devo_1: 127\.0\.0\.1:\d+: the relay `;
  const REFUSED = String.raw`, most likely refusing our client certificate; check ${'`'}cert${'`'}, ${'`'}key${'`'} and ${'`'}chain${'`'}`;
  const NONE_GIVEN = String.raw`, most likely because it requires a client certificate and none is configured; set ${'`'}cert${'`'} and ${'`'}key${'`'}`;
  const refusals: Array<{ name: string; version: 'TLSv1.3' | 'TLSv1.2'; files: DevoFiles | undefined; front?: boolean; expect: RegExp }> = [
    { name: 'a client certificate from another CA', version: 'TLSv1.3', files: ROGUE, expect: new RegExp(`${FAIL_LINE}closed the session right after the TLS handshake${REFUSED} \\(seen: a close without an alert\\)`) },
    {
      name: 'a client certificate from another CA, behind a balancer that answers with an unencrypted alert (ERR_SSL_BAD_RECORD_TYPE)',
      version: 'TLSv1.3',
      files: ROGUE,
      front: true,
      expect: new RegExp(`${FAIL_LINE}closed the session right after the TLS handshake${REFUSED} \\(seen: ERR_SSL_BAD_RECORD_TYPE\\)`),
    },
    { name: 'no client certificate', version: 'TLSv1.3', files: undefined, expect: new RegExp(`${FAIL_LINE}closed the session right after the TLS handshake${NONE_GIVEN} \\(seen: the alert "certificate required"\\)`) },
    { name: 'no client certificate, behind the balancer', version: 'TLSv1.3', files: undefined, front: true, expect: new RegExp(`${FAIL_LINE}closed the session right after the TLS handshake${NONE_GIVEN}`) },
    { name: 'a client certificate from another CA', version: 'TLSv1.2', files: ROGUE, expect: new RegExp(`${FAIL_LINE}cut the connection during the TLS handshake \\(ECONNRESET\\)${REFUSED}`) },
    { name: 'no client certificate', version: 'TLSv1.2', files: undefined, expect: new RegExp(`${FAIL_LINE}refused the TLS handshake with the alert "handshake failure"${NONE_GIVEN}`) },
  ];
  for (const r of refusals) {
    test(`${r.version}, ${r.name}: exit 3, FAIL saying the relay most likely refused our certificate`, async () => {
      const receiver = await relay({ maxVersion: r.version });
      const front = r.front ? await AlertingFront.start(receiver.port) : undefined;
      try {
        const config = await writeConfig(dir, configYaml(sim.url, front?.port ?? receiver.port, r.files));
        const check = await runSiphon(['check', '--config', config], ENV);
        assert.equal(check.code, 3, check.stdout + check.stderr);
        assert.match(check.stdout, r.expect);
        assert.match(check.stdout, /PASS {2}input onepassword/, 'the input still passes');
      } finally {
        await front?.stop();
      }
    });
  }

  test('a client certificate that names a FIFO: exit 3, FAIL at once naming the setting (reading it would block)', async () => {
    await promisify(execFile)('mkfifo', [join(dir, 'pki', 'client.fifo')]);
    const receiver = await relay();
    const config = await writeConfig(dir, configYaml(sim.url, receiver.port, { cert: './pki/client.fifo', key: GOOD.key }));
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 3, check.stdout + check.stderr);
    assert.match(check.stdout, /FAIL {2}output devo_1 \(devo_platform\): .*config\.cert: cannot read .*client\.fifo \(it is a named pipe \(FIFO\), not a regular file\)/);
  });

  test('a certificate without its key: configuration error naming the missing setting, exit 2', async () => {
    const config = await writeConfig(dir, configYaml(sim.url, 443, GOOD).replace(/^ {6}key: .*\n/m, ''));
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 2, check.stdout + check.stderr);
    assert.match(check.stderr, /\[InitVariablesError 1\] outputs\.devo_1\.config\.key: `cert` is set but `key` is not/);
  });

  test('a relay certificate for another host name: exit 3, FAIL with host-name mismatch', async () => {
    const receiver = await relay({ cert: pki.wrongHostCertPem, key: pki.wrongHostKeyPem });
    const config = await writeConfig(dir, configYaml(sim.url, receiver.port, GOOD));
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 3, check.stdout + check.stderr);
    assert.match(check.stdout, /FAIL {2}output devo_1 \(devo_platform\): .*host-name mismatch/);
  });

  test('nothing listening: exit 3, FAIL with connection refused', async () => {
    const receiver = await relay();
    const port = receiver.port;
    await receiver.stop();
    const check = await runSiphon(['check', '--config', await writeConfig(dir, configYaml(sim.url, port, GOOD))], ENV);
    assert.equal(check.code, 3, check.stdout + check.stderr);
    assert.match(check.stdout, /FAIL {2}output devo_1 \(devo_platform\): \[OutputError 400\] Output devo_1: 127\.0\.0\.1:\d+: connection refused/);
  });

  test('a server that accepts but never answers the TLS handshake: exit 3, FAIL with the timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const yaml = configYaml(sim.url, port, GOOD).replace('      type: SSL\n', '      type: SSL\n      connect_timeout_seconds: 1\n');
      const check = await runSiphon(['check', '--config', await writeConfig(dir, yaml)], ENV);
      assert.equal(check.code, 3, check.stdout + check.stderr);
      assert.match(check.stdout, /FAIL {2}output devo_1 \(devo_platform\): .*timed out after 1 s/);
    } finally {
      silent.close();
      // Connections the silent server accepted are cut by the check's own timeout.
    }
  });
});
