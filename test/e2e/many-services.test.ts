// A collector of many services, through the CLI: the stop signal is shared by all of them,
// and nothing may pile listeners on it (Node warns past ten: MaxListenersExceededWarning).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { fileCollectorYaml, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN = 'op-many-services-token-41d9e7';
const INPUTS = 34;
const SERVICES = INPUTS * 3;
const CYCLES = 3;

let sim: OnePasswordSimulator;
before(async () => {
  sim = await startOnePasswordSimulator({
    tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
    initialEvents: { auditevents: 5, itemusages: 5, signinattempts: 5 },
    rateLimit: false,
  });
});
after(async () => {
  await sim.close();
});

test(`${SERVICES} services cycling several times put no pile of listeners on the stop signal`, async () => {
  const dir = await tempDir();
  let inputs = '';
  for (let i = 0; i < INPUTS; i++) {
    inputs += `  op${i}:
    type: onepassword
    base_url: ${sim.url}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    rate_limit: {enabled: false}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}
      item_usage: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z, request_period_in_seconds: 1}
`;
  }
  const config = await writeConfig(dir, fileCollectorYaml('many', inputs));
  const run = startSiphon(['run', '--config', config], { OP_EVENTS_TOKEN: TOKEN });
  let exited = false;
  void run.done.then(() => (exited = true));
  try {
    // Every service pulls, waits and pulls again: the listeners of each wait come and go.
    await waitFor(() => exited || (run.stderr().match(/The data is up to date!/g) ?? []).length >= SERVICES * CYCLES, 180_000, `${CYCLES} cycles of every service`);
    assert.equal(exited, false, run.stderr().slice(-3000));
  } finally {
    run.child.kill('SIGTERM');
  }
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr.slice(-3000));
  assert.doesNotMatch(result.stderr, /MaxListenersExceededWarning/);
  assert.match(result.stderr, /Collector stopped: every delivered page is committed/);
});
