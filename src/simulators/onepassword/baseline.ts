// The bare-minimum baseline: fetch pages from the simulator with the same HTTP library,
// JSON.parse them, write one NDJSON line per event. No dedup, no state, no durability.
// Usage: node dist/src/simulators/onepassword/baseline.js <url> <token> <endpoint> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { reportSelf } from '../common/baseline-report.js';
import { onePasswordPages } from './baseline-pages.js';

async function main(): Promise<void> {
  const [url, token, endpoint, outFile] = process.argv.slice(2);
  if (!url || !token || !endpoint || !outFile) throw new Error('usage: baseline <url> <token> <endpoint> <out-file>');
  const out = createWriteStream(outFile);
  let events = 0;
  for await (const page of onePasswordPages(url, token, endpoint)) {
    let text = '';
    for (const item of page.items) text += `${JSON.stringify(item)}\n`;
    events += page.items.length;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, 0);
}

await main();
