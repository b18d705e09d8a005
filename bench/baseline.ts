// The bare-minimum baseline: fetch pages from the simulator with the same HTTP library,
// JSON.parse them, write one NDJSON line per event. No dedup, no state, no durability.
// Usage: node dist/bench/baseline.js <url> <token> <endpoint> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'undici';
import { reportSelf } from './child-report.js';

async function main(): Promise<void> {
  const [url, token, endpoint, outFile] = process.argv.slice(2);
  if (!url || !token || !endpoint || !outFile) throw new Error('usage: baseline <url> <token> <endpoint> <out-file>');
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  const out = createWriteStream(outFile);
  let body: Record<string, unknown> = { limit: 1000, start_time: '2000-01-01T00:00:00Z' };
  let events = 0;
  for (;;) {
    const res = await request(`${url}/api/v2/${endpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const page = JSON.parse(await res.body.text()) as { cursor: string; has_more: boolean; items: unknown[] };
    let text = '';
    for (const item of page.items) text += `${JSON.stringify(item)}\n`;
    events += page.items.length;
    if (!out.write(text)) await once(out, 'drain');
    if (!page.has_more) break;
    body = { cursor: page.cursor };
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, startedAt, cpu, 0);
}

await main();
