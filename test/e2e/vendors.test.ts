// The plug-in list drives the vendor-facing commands: `siphon demo` runs every vendor's
// simulator and delivers from each of its streams; `siphon simulate <type>` starts any of
// them; every vendor has its docs page. A vendor added to src/app/vendors.ts is tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VENDORS } from '../../src/app/registry.js';
import { readDelivered, runSiphon, startSiphon, tempDir, waitFor } from './harness.js';

test('siphon demo --once delivers events from every stream of every vendor in the plug-in list', async () => {
  const dir = await tempDir();
  const result = await runSiphon(['demo', '--once', '--dir', dir]);
  assert.equal(result.code, 0, result.stderr);
  const lines = await readDelivered(join(dir, 'events.ndjson'));
  for (const vendor of VENDORS) {
    const kit = await vendor.simulator();
    assert.match(result.stderr, new RegExp(`${kit.displayName} simulator at http://127\\.0\\.0\\.1:\\d+`));
    for (const stream of Object.keys((await vendor.connector()).streams)) {
      const delivered = lines.filter((l) => l.input === kit.name && l.service === stream).length;
      assert.ok(delivered > 0, `the demo delivered nothing from ${kit.name}/${stream}`);
    }
  }
});

for (const vendor of VENDORS) {
  const type = vendor.type;
  test(`siphon simulate ${type}: listens, describes itself on one JSON line, stops on SIGINT`, async () => {
    const { child, done } = startSiphon(['simulate', type, '--events', '5', '--live', '0']);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    await waitFor(() => stdout.includes('\n'), 60_000, 'the description line');
    const description = JSON.parse(stdout.split('\n')[0] ?? '') as { vendor?: string; url?: string };
    assert.equal(description.vendor, type);
    const stats = await fetch(`${description.url ?? ''}/__sim/stats`);
    assert.equal(stats.status, 200);
    child.kill('SIGINT');
    const end = await done;
    assert.equal(end.code, 0, end.stderr);
  });

  test(`${type} has its docs page naming its type and streams`, async () => {
    const page = await readFile(vendor.docs, 'utf8');
    assert.match(page, new RegExp(`type: ${type}\\b`));
    const connector = await vendor.connector();
    assert.equal(connector.type, type, 'the plug-in record and its connector name the same type');
    for (const stream of Object.keys(connector.streams)) assert.ok(page.includes(stream), `${vendor.docs} does not mention ${stream}`);
  });
}

test('siphon simulate with an unknown vendor lists the plug-in list', async () => {
  const result = await runSiphon(['simulate', 'nope']);
  assert.equal(result.code, 1);
  assert.ok(result.stderr.includes(`Available: ${VENDORS.map((v) => v.type).join(', ')}`), result.stderr);
});
