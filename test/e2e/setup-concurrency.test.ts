// Setup probes several inputs at once: a provider's many accounts do not wait in line, one
// vendor round trip each, before anything is pulled. Every refused input is still reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { runSiphon, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const ACCOUNTS = 10;
const tokenOf = (i: number): string => `op-setup-token-${String(i).padStart(2, '0')}-0123456789`;

function config(url: string, tokens: readonly string[]): string {
  const inputs = tokens
    .map(
      (token, i) => `  op_${i}:
    type: onepassword
    base_url: ${url}
    credentials: {token: "${token}"}
    services:
      item_usage: {start_time_value: 2020-01-01T00:00:00Z}
`,
    )
    .join('');
  return `globals:
  name: setup-concurrency
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
${inputs}`;
}

test('inputs are set up eight at a time: the probes are in flight together', async () => {
  const tokens = Array.from({ length: ACCOUNTS }, (_, i) => tokenOf(i));
  const sim = await startOnePasswordSimulator({ tokens: tokens.map((token) => ({ token, features: ['itemusages'] })), initialEvents: { itemusages: 5 }, seed: 3 });
  const run = { stop: async (): Promise<void> => undefined };
  try {
    // Every answer waits far longer than the test: one probe at a time would never have two out.
    sim.faults.slowResponses(600_000);
    const dir = await tempDir();
    const file = await writeConfig(dir, config(sim.url, tokens));
    const siphon = startSiphon(['run', '--config', file]);
    run.stop = async () => {
      siphon.child.kill('SIGTERM');
      await siphon.done;
    };
    await waitFor(() => sim.stats().requests >= 8, 60_000, 'eight setup probes in flight');
    assert.equal(sim.stats().requests, 8, 'no more than eight at once');
    assert.equal(Object.values(sim.stats().status).reduce((a, b) => a + b, 0), 0, 'none answered yet');
  } finally {
    await run.stop();
    await sim.close();
  }
});

test('with some inputs refused, every other one is set up, and each refusal is logged', async () => {
  const good = Array.from({ length: ACCOUNTS }, (_, i) => tokenOf(i));
  const sim = await startOnePasswordSimulator({ tokens: good.map((token) => ({ token, features: ['itemusages'] })), initialEvents: { itemusages: 5 }, seed: 4 });
  try {
    const tokens = good.map((token, i) => (i === 3 || i === 8 ? `${token}-revoked` : token));
    const dir = await tempDir();
    const result = await runSiphon(['run', '--config', await writeConfig(dir, config(sim.url, tokens)), '--once']);
    assert.equal(result.code, 3, result.stderr);
    const pullable = result.stderr.split('\n').filter((line) => line.includes('Source is pullable'));
    assert.equal(pullable.length, ACCOUNTS - 2, result.stderr);
    for (const refused of ['op_3', 'op_8']) assert.match(result.stderr, new RegExp(`ERROR .*\\(${refused}\\)`), `${refused} refused and logged`);
    const last = result.stderr.trimEnd().split('\n').filter((line) => line.includes('The collector cannot start'));
    assert.equal(last.length, 1, result.stderr);
  } finally {
    await sim.close();
  }
});
