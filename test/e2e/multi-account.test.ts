// Two 1Password accounts in one configuration (`type:` picks the connector), each with its
// own state and rate budget, and HMAC obfuscation end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { startOnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { readAllFiles, readDelivered, runSiphon, tempDir, writeConfig } from './harness.js';

test('two accounts of one vendor, obfuscated by HMAC, delivered separately and exactly', async () => {
  const tokens = { eu: 'op-eu-token-90817263544536', us: 'op-us-token-11223344556677' };
  const hashKey = 'hmac-key-for-siphon-tests-0001';
  const eu = await startOnePasswordSimulator({ tokens: [{ token: tokens.eu, features: ['itemusages'] }], initialEvents: { itemusages: 120 }, seed: 7 });
  const us = await startOnePasswordSimulator({ tokens: [{ token: tokens.us, features: ['signinattempts'] }], initialEvents: { signinattempts: 80 }, seed: 9 });
  try {
    const dir = await tempDir();
    const config = await writeConfig(
      dir,
      `globals:
  name: two-accounts
  obfuscation: {hash_key: "\${env:SIPHON_HASH_KEY}"}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  op_eu:
    type: onepassword
    base_url: ${eu.url}
    credentials: {token: "\${env:OP_EU}"}
    services:
      item_usage:
        start_time_value: 2020-01-01 00:00:00
        override_tag: my.app.onepassword.eu.itemusage
        obfuscation:
          - {path: user.email, method: hash}
          - {path: client.ip_address, method: mask}
          - {path: location, method: drop}
  op_us:
    type: onepassword
    base_url: ${us.url}
    credentials: {token: "\${env:OP_US}"}
    services:
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z}
`,
    );
    const env = { OP_EU: tokens.eu, OP_US: tokens.us, SIPHON_HASH_KEY: hashKey };
    const run = await runSiphon(['run', '--config', config, '--once'], env);
    assert.equal(run.code, 0, run.stderr);
    // Three rules; a field missing from an event is not counted.
    const present = eu
      .events('itemusages')
      .reduce((n, e) => n + ['user', 'client', 'location'].filter((f) => e[f] !== undefined).length, 0);
    assert.match(
      run.stderr,
      new RegExp(`OnePasswordPuller\\(op_eu,item_usage\\) -> Statistics .*Number of events generated and sent: 120; .*Number of obfuscated fields: ${present}\\.`),
    );

    const lines = await readDelivered(join(dir, 'events.ndjson'));
    const euLines = lines.filter((l) => l.input === 'op_eu');
    const usLines = lines.filter((l) => l.input === 'op_us');
    assert.deepEqual(euLines.map((l) => l.event['uuid']), eu.events('itemusages').map((e) => e['uuid']));
    assert.deepEqual(usLines.map((l) => l.event['uuid']), us.events('signinattempts').map((e) => e['uuid']));
    assert.ok(euLines.every((l) => l.tag === 'my.app.onepassword.eu.itemusage' && l.service === 'item_usage'));
    assert.ok(usLines.every((l) => l.tag === 'auth.agilebits.onepassword.signinattempt'));

    // Obfuscation: the same email always gives the same token (HMAC-SHA256 with the key).
    for (let i = 0; i < euLines.length; i++) {
      const original = eu.events('itemusages')[i] as { user: { email: string }; client: { ip_address: string } };
      const delivered = euLines[i]!.event as { user: { email: string }; client: { ip_address: string }; location?: unknown };
      const expected = `hmac-sha256:${createHmac('sha256', hashKey).update(original.user.email).digest('hex')}`;
      assert.equal(delivered.user.email, expected);
      assert.match(delivered.client.ip_address, /^\*+$/);
      assert.equal(delivered.location, undefined);
    }
    // Each account has its own state; no token or key anywhere.
    assert.deepEqual((await readdir(join(dir, 'state'))).filter((n) => !n.startsWith('.')).sort(), ['op_eu', 'op_us']);
    const everything = run.stdout + run.stderr + (await readAllFiles(dir));
    for (const secret of [tokens.eu, tokens.us, hashKey]) assert.ok(!everything.includes(secret), 'a secret leaked');
  } finally {
    await eu.close();
    await us.close();
  }
});

test('a hash rule without globals.obfuscation.hash_key is a configuration error', async () => {
  const dir = await tempDir();
  const config = await writeConfig(
    dir,
    `outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  onepassword:
    credentials: {token: abcdefgh}
    services:
      audit: {obfuscation: [{path: actor_details.email, method: hash}]}
`,
  );
  const result = await runSiphon(['validate', '--config', config]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /\[InitVariablesError 1\] globals\.obfuscation\.hash_key/);
});
