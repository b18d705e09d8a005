// The 1Password connector end to end, through the CLI, against the simulator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import {
  fileCollectorYaml,
  readAllFiles,
  readDelivered,
  runSiphon,
  tempDir,
  withoutPullingId,
  writeConfig,
  type DeliveredLine,
} from './harness.js';

const TOKEN = 'op-e2e-token-5bd1c0ffee9a7d34';
const KINDS = { audit: 'auditevents', item_usage: 'itemusages', sign_in_attempts: 'signinattempts' } as const;
type ServiceName = keyof typeof KINDS;

interface ConfigOptions {
  url: string;
  dir: string;
  pageSize?: number;
  extraInput?: string;
  services?: string;
}

function configYaml(o: ConfigOptions): string {
  const page = o.pageSize ?? 1000;
  return fileCollectorYaml(
    'e2e',
    `  onepassword:
    id: 10001
    enabled: true
    base_url: ${o.url}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    http: {max_retries: 6, backoff_base_seconds: 0.05, backoff_max_seconds: 1}
${o.extraInput ?? ''}    services:
${
  o.services ??
  `      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${page}}
      item_usage: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${page}}
      sign_in_attempts: {start_time_value: 2020-01-01T00:00:00Z, page_size: ${page}}
`
}`,
  );
}

const ENV = { OP_EVENTS_TOKEN: TOKEN };

/** Asserts the file holds exactly the simulator's events of every service, once each, in order. */
function assertExactDelivery(lines: DeliveredLine[], sim: OnePasswordSimulator): void {
  for (const [service, kind] of Object.entries(KINDS) as Array<[ServiceName, (typeof KINDS)[ServiceName]]>) {
    const delivered = lines.filter((l) => l.service === service);
    const expected = sim.events(kind);
    const uuids = delivered.map((l) => l.event['uuid']);
    assert.equal(new Set(uuids).size, uuids.length, `${service}: duplicates delivered`);
    assert.deepEqual(uuids, expected.map((e) => e['uuid']), `${service}: delivered events differ from the vendor's`);
    for (let i = 0; i < expected.length; i++) {
      // Exactly as received, key order included, plus the pulling id.
      assert.equal(JSON.stringify(withoutPullingId(delivered[i]!.event)), JSON.stringify(expected[i]));
      assert.equal(typeof delivered[i]!.event['@devo_pulling_id'], 'number');
    }
  }
}

describe('1Password end to end', () => {
  let sim: OnePasswordSimulator;

  before(async () => {
    sim = await startOnePasswordSimulator({
      tokens: [{ token: TOKEN, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 420, itemusages: 1500, signinattempts: 260 },
    });
  });
  after(async () => {
    await sim.close();
  });

  test('delivers every event exactly once, resumes after a restart, and never leaks the token', async () => {
    sim.faults.reset();
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml({ url: sim.url, dir, pageSize: 250 }));
    const first = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /Source is pullable/);
    assert.match(first.stderr, /Statistics for this pull cycle \(@devo_pulling_id=\d+\):Number of requests made: \d+; Number of events received: 1500;/);
    assert.match(first.stderr, /The data is up to date!/);
    assertExactDelivery(await readDelivered(join(dir, 'events.ndjson')), sim);
    const tags = new Set((await readDelivered(join(dir, 'events.ndjson'))).map((l) => `${l.service}=${l.tag}`));
    assert.deepEqual([...tags].sort(), [
      'audit=auth.agilebits.onepassword.audit',
      'item_usage=auth.agilebits.onepassword.itemusage',
      'sign_in_attempts=auth.agilebits.onepassword.signinattempt',
    ]);

    // New events (some late, with past timestamps) arrive; a restart picks up exactly those.
    sim.addEvents('auditevents', 30);
    sim.addEvents('itemusages', 40, { late: true });
    sim.addEvents('signinattempts', 5);
    const second = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /Data retrieved from the persistence/);
    assertExactDelivery(await readDelivered(join(dir, 'events.ndjson')), sim);

    const everything = first.stdout + first.stderr + second.stdout + second.stderr + (await readAllFiles(dir));
    assert.ok(!everything.includes(TOKEN), 'the token appears in an output, a log or a state file');
  });

  test('a token lacking a feature fails setup naming the service and the feature', async () => {
    const limited = 'op-limited-token-1234abcd5678';
    const limitedSim = await startOnePasswordSimulator({ tokens: [{ token: limited, features: ['itemusages'] }] });
    try {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml({ url: limitedSim.url, dir }));
      const run = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: limited });
      assert.equal(run.code, 3);
      assert.match(run.stderr, /SetupError 101/);
      assert.match(run.stderr, /Service audit needs the token feature "auditevents"/);
      assert.match(run.stderr, /Service sign_in_attempts needs the token feature "signinattempts"/);
    } finally {
      await limitedSim.close();
    }
  });

  test('check reports each input, service and output', async () => {
    sim.faults.reset();
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml({ url: sim.url, dir }));
    const check = await runSiphon(['check', '--config', config], ENV);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /PASS {2}input onepassword \(onepassword\): authenticated/);
    for (const service of Object.keys(KINDS)) assert.match(check.stdout, new RegExp(`PASS {2}service onepassword/${service}: pullable`));
    assert.match(check.stdout, /PASS {2}output file_1 \(file\): reachable/);
  });

  test('state show and state reset; changing start_time_value resets that service only', async () => {
    sim.faults.reset();
    const dir = await tempDir();
    const config = await writeConfig(dir, configYaml({ url: sim.url, dir }));
    assert.equal((await runSiphon(['run', '--config', config, '--once'], ENV)).code, 0);
    const show = await runSiphon(['state', 'show', '--config', config, '--json'], ENV);
    assert.equal(show.code, 0, show.stderr);
    const rows = show.stdout.trim().split('\n').map((l) => JSON.parse(l) as { service: string; events_delivered: number });
    assert.deepEqual(rows.map((r) => r.service).sort(), ['audit', 'item_usage', 'sign_in_attempts']);
    assert.equal(rows.find((r) => r.service === 'item_usage')?.events_delivered, sim.events('itemusages').length);

    const reset = await runSiphon(['state', 'reset', '--config', config, '--input', 'onepassword', '--service', 'audit'], ENV);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual((await readdir(join(dir, 'state', 'onepassword'))).filter((f) => f.endsWith('.json')).sort(), [
      'item_usage.json',
      'sign_in_attempts.json',
    ]);

    // A new start time for item_usage: its state starts over (the audit one was reset above).
    const moved = configYaml({ url: sim.url, dir }).replace(
      'item_usage: {start_time_value: 2020-01-01T00:00:00Z',
      'item_usage: {start_time_value: 2020-01-02 00:00:00',
    );
    await writeConfig(dir, moved);
    const rerun = await runSiphon(['run', '--config', config, '--once'], ENV);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, /start-time setting changed/);
    const lines = await readDelivered(join(dir, 'events.ndjson'));
    const count = (s: string): number => lines.filter((l) => l.service === s).length;
    assert.equal(count('audit'), 2 * sim.events('auditevents').length);
    assert.equal(count('item_usage'), 2 * sim.events('itemusages').length);
    assert.equal(count('sign_in_attempts'), sim.events('signinattempts').length);
  });
});

describe('1Password quirks end to end', () => {
  test('v1 endpoints, an empty page after has_more, a rejected cursor and a malformed page: exact delivery', async () => {
    const token = 'op-quirks-token-a1b2c3d4e5f6';
    const sim = await startOnePasswordSimulator({
      tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }],
      initialEvents: { auditevents: 200, itemusages: 300, signinattempts: 100 },
    });
    try {
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml({ url: sim.url, dir, pageSize: 100, extraInput: '    api_version: v1\n' }));
      const env = { OP_EVENTS_TOKEN: token };
      const expectV1 = (lines: DeliveredLine[]): void => {
        for (const [service, kind] of Object.entries(KINDS) as Array<[ServiceName, (typeof KINDS)[ServiceName]]>) {
          const got = lines.filter((l) => l.service === service).map((l) => JSON.stringify(withoutPullingId(l.event)));
          assert.deepEqual(got, sim.events(kind, 'v1').map((e) => JSON.stringify(e)), `${service} differs`);
        }
      };

      // Pages end exactly at the last event: the simulator answers has_more=true, then an empty page.
      sim.faults.emptyPageAfterHasMore(true);
      const first = await runSiphon(['run', '--config', config, '--once'], env);
      assert.equal(first.code, 0, first.stderr);
      expectV1(await readDelivered(join(dir, 'events.ndjson')));
      assert.ok(!(await readAllFiles(dir)).includes('account_uuid'), 'v1 events have no account_uuid');

      // Saved cursors expire; new events arrive; a page is answered with a malformed body.
      sim.addEvents('auditevents', 20);
      sim.addEvents('itemusages', 20);
      sim.faults.rejectCursorsIssuedBefore(Date.now());
      sim.faults.malformedNext(1, { eventsOnly: true });
      const second = await runSiphon(['run', '--config', config, '--once'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /rejected the saved cursor/);
      assert.match(second.stderr, /PullError 301\].*The checkpoint did not move/);
      expectV1(await readDelivered(join(dir, 'events.ndjson')));

      // The start-up check itself gets a malformed answer: setup tries again.
      sim.addEvents('signinattempts', 7);
      sim.faults.malformedNext(1);
      const third = await runSiphon(['run', '--config', config, '--once'], env);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /SetupError 102\].*Setup is tried again/);
      expectV1(await readDelivered(join(dir, 'events.ndjson')));
    } finally {
      await sim.close();
    }
  });

  test('errors in the {status, message} shape are read and reported', async () => {
    const token = 'op-shape-token-0f9e8d7c6b5a';
    const sim = await startOnePasswordSimulator({ tokens: [{ token, features: ['auditevents', 'itemusages', 'signinattempts'] }] });
    try {
      sim.faults.errorShape('message');
      sim.faults.revokeToken(token);
      const dir = await tempDir();
      const config = await writeConfig(dir, configYaml({ url: sim.url, dir }));
      const run = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: token });
      assert.equal(run.code, 3);
      assert.match(run.stderr, /HTTP 401: Unauthorized/);
    } finally {
      await sim.close();
    }
  });
});
