// The bare-minimum Okta baseline: one polling request from `since`, then Okta's next links
// until an empty page, one NDJSON line per event. No dedup, no state, no durability, no
// pacing (the bench turns the simulator's rate limit off).
// Usage: node dist/src/simulators/okta/baseline.js <url> <api_token> <since> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'undici';
import { reportSelf } from '../common/baseline-report.js';

async function main(): Promise<void> {
  const [url, token, since, outFile] = process.argv.slice(2);
  if (!url || !token || !since || !outFile) throw new Error('usage: baseline-okta <url> <api_token> <since> <out-file>');
  const out = createWriteStream(outFile);
  let next = `${url}/api/v1/logs?${new URLSearchParams({ since, sortOrder: 'ASCENDING', limit: '1000' }).toString()}`;
  let events = 0;
  for (;;) {
    const res = await request(next, { headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
    const page = JSON.parse(await res.body.text()) as unknown[];
    if (res.statusCode !== 200 || !Array.isArray(page)) throw new Error(`HTTP ${res.statusCode}`);
    if (page.length === 0) break;
    let text = '';
    for (const event of page) text += `${JSON.stringify(event)}\n`;
    events += page.length;
    if (!out.write(text)) await once(out, 'drain');
    const link = String(res.headers['link'] ?? '');
    const m = /<([^>]*)>;\s*rel="next"/.exec(link);
    if (!m?.[1]) break;
    next = m[1];
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, 0);
}

await main();
