// The bare-minimum LastPass baseline: one reporting window over everything, `next` paging,
// JSON.parse, one NDJSON line per event. No dedup, no time-zone care, no state, no durability.
// Usage: node dist/src/simulators/lastpass/baseline.js <url> <cid> <provhash> <zone> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'undici';
import { reportSelf } from '../common/baseline-report.js';

async function main(): Promise<void> {
  const [url, cid, provhash, , outFile] = process.argv.slice(2);
  if (!url || !cid || !provhash || !outFile) throw new Error('usage: baseline-lastpass <url> <cid> <provhash> <zone> <out-file>');
  const out = createWriteStream(outFile);
  const data: Record<string, unknown> = { from: '2000-01-01 00:00:00', to: '2100-01-01 00:00:00' };
  let events = 0;
  for (;;) {
    const res = await request(`${url}/enterpriseapi.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cid: Number(cid), provhash, cmd: 'reporting', data }),
    });
    const page = JSON.parse(await res.body.text()) as { status: string; next: unknown; data: Record<string, unknown> | null };
    if (page.status !== 'OK') throw new Error(`status ${page.status}`);
    let text = '';
    for (const event of Object.values(page.data ?? {})) text += `${JSON.stringify(event)}\n`;
    events += Object.keys(page.data ?? {}).length;
    if (!out.write(text)) await once(out, 'drain');
    if (page.next === null || page.next === undefined) break;
    data['next'] = page.next;
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, 0);
}

await main();
