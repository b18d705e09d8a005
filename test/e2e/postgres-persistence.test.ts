// `persistence: postgres` end to end, through the CLI, against the 1Password simulator and a real
// PostgreSQL: checkpoints and the delivery journal in the database (a second run delivers nothing
// twice, to the file output that reads back nor to the console output that has the journal),
// `siphon state show/reset` and `siphon status` on it, the password in no line, and the database
// stopped and started again under a running collector.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { readAllFiles, readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig, type DeliveredLine } from './harness.js';

const TOKEN = 'op-pg-e2e-token-9c1d2e3f4a5b';
const KINDS = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' } as const;

let server: TestPostgres;
let sim: OnePasswordSimulator;
before(async () => {
  server = await startPostgres();
  sim = await startOnePasswordSimulator({
    tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
    initialEvents: { auditevents: 120, itemusages: 300, signinattempts: 60 },
  });
});
after(async () => {
  await sim?.close();
  await server?.close();
});

function configYaml(schema: string, periodSeconds = 60): string {
  return `globals:
  name: pg-e2e
  persistence: {type: postgres, config: {url: "\${env:SIPHON_POSTGRES_URL}", schema: ${schema}}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
  console_1: {type: console}
inputs:
  onepassword:
    base_url: ${sim.url}
    credentials: {token: "\${env:OP_EVENTS_TOKEN}"}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: 50, request_period_in_seconds: ${periodSeconds}}
      item_usage: {start_time_value: 2020-01-01T00:00:00Z, page_size: 50, request_period_in_seconds: ${periodSeconds}}
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z, page_size: 50, request_period_in_seconds: ${periodSeconds}}
`;
}

const env = (): Record<string, string> => ({ OP_EVENTS_TOKEN: TOKEN, SIPHON_POSTGRES_URL: server.url });

/** The console output's event lines: "<tag> <input>/<service> <json>". */
function consoleUuids(stdout: string, service: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes(` onepassword/${service} {`))
    .map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { uuid: string }).uuid);
}

function assertExactlyOnce(lines: DeliveredLine[]): void {
  for (const [service, kind] of Object.entries(KINDS)) {
    const uuids = lines.filter((l) => l.service === service).map((l) => l.event['uuid']);
    assert.deepEqual(uuids, sim.events(kind).map((e) => e['uuid']), `${service}: delivered once each, in order`);
  }
}

describe('persistence postgres end to end', () => {
  test('two --once runs: checkpoints and the journal in the database, nothing delivered twice to either output; state show/reset and status read it; the password is in no line', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml('e2e_once'));
    const first = await runSiphon(['run', '--config', config, '--once'], env());
    assert.equal(first.code, 0, first.stderr);
    assertExactlyOnce(await readDelivered(join(dir, 'events.ndjson')));
    for (const [service, kind] of Object.entries(KINDS)) assert.equal(consoleUuids(first.stdout, service).length, sim.events(kind).length);
    const journaled = await server.query<{ output: string; n: number }>('SELECT output, count(*)::int AS n FROM e2e_once.delivered GROUP BY output');
    assert.deepEqual(journaled.rows, [{ output: 'console_1', n: 480 }], 'the console output has a journal, the file output reads back');

    sim.addEvents('auditevents', 7);
    sim.addEvents('itemusages', 11, { late: true });
    const second = await runSiphon(['run', '--config', config, '--once'], env());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /Data retrieved from the persistence/);
    assertExactlyOnce(await readDelivered(join(dir, 'events.ndjson')));
    assert.equal(consoleUuids(second.stdout, 'audit').length, 7);
    assert.equal(consoleUuids(second.stdout, 'item_usage').length, 11);
    assert.equal(consoleUuids(second.stdout, 'sign_in_attempts').length, 0);

    const show = await runSiphon(['state', 'show', '--config', config, '--json'], env());
    assert.equal(show.code, 0, show.stderr);
    const rows = show.stdout.trim().split('\n').map((l) => JSON.parse(l) as { service: string; events_delivered: number });
    assert.deepEqual(rows.map((r) => [r.service, r.events_delivered]), [
      ['audit', 127],
      ['item_usage', 311],
      ['sign_in_attempts', 60],
    ]);

    const status = await runSiphon(['status', '--config', config], env());
    assert.match(status.stdout, new RegExp(`What the state store in PostgreSQL at 127\\.0\\.0\\.1:${server.port}/siphon, schema e2e_once knows:`));
    assert.match(status.stdout, /onepassword\/item_usage/);

    const reset = await runSiphon(['state', 'reset', '--config', config, '--input', 'onepassword', '--service', 'audit'], env());
    assert.equal(reset.code, 0, reset.stderr);
    const left = await server.query<{ service: string }>('SELECT service FROM e2e_once.checkpoints ORDER BY service');
    assert.deepEqual(left.rows.map((r) => r.service), ['item_usage', 'sign_in_attempts']);
    // The reset service is pulled again from its start, to both outputs (re-ingestion was asked for).
    const third = await runSiphon(['run', '--config', config, '--once'], env());
    assert.equal(third.code, 0, third.stderr);
    assert.equal(consoleUuids(third.stdout, 'audit').length, 127);
    assert.equal(consoleUuids(third.stdout, 'item_usage').length, 0);

    const wrong = await writeConfig(dir, configYaml('e2e_once'));
    const refused = await runSiphon(['run', '--config', wrong, '--once'], { ...env(), SIPHON_POSTGRES_URL: server.url.replace(encodeURIComponent(server.password), 'wrong-pw-7f3e') });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /PERSISTENCE_UNAVAILABLE|PrePullError 204/);
    assert.match(refused.stderr, /refused the user name or password/);
    assert.ok(!refused.stderr.includes('wrong-pw-7f3e'), refused.stderr);

    const everything = [first, second, show, status, reset, third, refused].map((r) => r.stdout + r.stderr).join('') + (await readAllFiles(dir));
    assert.ok(!everything.includes(server.password), 'the database password appears in a line or a file');
    assert.ok(!everything.includes(TOKEN), 'the token appears in a line or a file');
  });

  test('the database stopped under a running collector: streams back off, nothing is lost or delivered twice beyond what the journal could not note, and pulling resumes once it is back', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml('e2e_outage', 1));
    const total = (): number => Object.values(KINDS).reduce((n, kind) => n + sim.events(kind).length, 0);
    const committed = async (): Promise<number> => {
      const { rows } = await server.query<{ n: number | null }>(`SELECT sum((record->>'events_delivered')::int)::int AS n FROM e2e_outage.checkpoints`);
      return rows[0]?.n ?? 0;
    };
    const run = startSiphon(['run', '--config', config], env());
    try {
      // Everything so far delivered and committed: nothing in flight when the database goes away.
      await waitFor(async () => (await server.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', ['e2e_outage'])).rowCount === 1 && (await committed()) === total(), 60_000, 'the first events committed');
      await server.stop();
      const during = new Set<unknown>();
      try {
        const before = new Set(Object.values(KINDS).flatMap((kind) => sim.events(kind).map((e) => e['uuid'])));
        sim.addEvents('auditevents', 25);
        sim.addEvents('signinattempts', 9);
        for (const kind of Object.values(KINDS)) for (const e of sim.events(kind)) if (!before.has(e['uuid'])) during.add(e['uuid']);
        await waitFor(() => /PrePullError 204/.test(run.stderr()), 60_000, 'a stream to report the database unreachable');
      } finally {
        await server.start();
      }
      sim.addEvents('itemusages', 13);
      await waitFor(async () => (await committed()) === total(), 120_000, 'the checkpoints to cover every event, including those pulled while the database was down');
      assertExactlyOnce(await readDelivered(join(dir, 'events.ndjson')));
      run.child.kill('SIGTERM');
      const result = await run.done;
      assert.match(result.stderr, /Data collection completed/);
      for (const [service, kind] of Object.entries(KINDS)) {
        const uuids = consoleUuids(result.stdout, service);
        assert.deepEqual([...new Set(uuids)], sim.events(kind).map((e) => e['uuid']), `${service}: every event on the console, in order`);
        // Only what was delivered while the journal could not note it may come twice.
        const twice = uuids.filter((u, i) => uuids.indexOf(u) !== i);
        assert.ok(twice.every((u) => during.has(u)), `${service}: ${twice.length} duplicate(s) on the console outside the outage`);
      }
      assert.ok(!(result.stdout + result.stderr).includes(server.password));
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
