// An output's `delivery` block through the CLI: a syslog output whose receiver refuses every
// connection (a port nothing listens on), with a non-default `delivery.retry`. The waits the
// log announces and the attempts before a --once run gives up are the configured ones, and
// nothing is committed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import type { Checkpoint } from '../../src/core/contracts.js';
import { freeTcpPort } from '../support/free-port.js';
import { runSiphon, tempDir, writeConfig } from './harness.js';

const TOKEN = 'op-output-delivery-token-5d1f0a3c';
const ENV = { OP_EVENTS_TOKEN: TOKEN };

function configYaml(simUrl: string, port: number, delivery: string): string {
  return `globals:
  name: output-delivery
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  syslog_1:
    type: syslog
    config: {address: 127.0.0.1, port: ${port}, protocol: tcp}
${delivery}
inputs:
  onepassword:
    base_url: ${simUrl}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z}
`;
}

describe('delivery.retry of an output', () => {
  let sim: OnePasswordSimulator;
  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 20, itemusages: 0, signinattempts: 0 },
    });
  });
  after(async () => {
    await sim.close();
  });

  test('a receiver that refuses: the configured waits (multiplier, cap) and attempts, then --once gives up with nothing committed', async () => {
    const dir = await tempDir('siphon-output-delivery-');
    const delivery = `    delivery:
      retry: {initial_interval_seconds: 0.2, max_interval_seconds: 0.5, multiplier: 3, max_attempts_once: 4}
      write_max_events: 100`;
    const config = await writeConfig(dir, configYaml(sim.url, await freeTcpPort(), delivery));
    const result = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(result.code, 1, result.stderr);
    const waits = [...result.stderr.matchAll(/stay queued for output syslog_1 and are sent again in (\S+) s \(attempt (\d+);/g)].map((m) => `${m[2]}: ${m[1]}`);
    // 0.2 s, then 0.2 x 3 = 0.6 cut to 0.5 s, then 0.5 s; the fourth failure ends the run.
    assert.deepEqual(waits, ['1: 0.2', '2: 0.5', '3: 0.5'], result.stderr);
    assert.match(result.stderr, /Output syslog_1 failed 4 time\(s\) in a row; giving up \(nothing was acknowledged, so no checkpoint moved\)/);
    const saved = JSON.parse(await readFile(join(dir, 'state', 'onepassword', 'audit.json'), 'utf8')) as Checkpoint;
    assert.equal(saved.events_delivered, 0, 'no checkpoint moved');
    assert.equal(saved.cursor, null);
  });
});
