// The bare-minimum Lark baseline: one token, one window over everything, page_token paging,
// JSON.parse, one NDJSON line per item. No dedup, no renewal, no state, no durability.
// Usage: node dist/src/simulators/lark/baseline.js <url> <app_id> <app_secret> <oldest> <latest> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'undici';
import { reportSelf } from '../common/baseline-report.js';

async function main(): Promise<void> {
  const [url, appId, appSecret, oldest, latest, outFile] = process.argv.slice(2);
  if (!url || !appId || !appSecret || !oldest || !latest || !outFile) throw new Error('usage: baseline-lark <url> <app_id> <app_secret> <oldest> <latest> <out-file>');
  const auth = await request(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: appId, app_secret: appSecret }),
  });
  const { tenant_access_token: token } = (await auth.body.json()) as { tenant_access_token: string };
  const out = createWriteStream(outFile);
  const params = new URLSearchParams({ user_id_type: 'open_id', oldest, latest, page_size: '200' });
  let events = 0;
  for (;;) {
    const res = await request(`${url}/open-apis/admin/v1/audit_infos?${params.toString()}`, { headers: { authorization: `Bearer ${token}` } });
    const page = JSON.parse(await res.body.text()) as { code: number; data: { has_more: boolean; page_token?: string; items: unknown[] } };
    if (page.code !== 0) throw new Error(`code ${page.code}`);
    let text = '';
    for (const item of page.data.items) text += `${JSON.stringify(item)}\n`;
    events += page.data.items.length;
    if (!out.write(text)) await once(out, 'drain');
    if (!page.data.has_more || !page.data.page_token) break;
    params.set('page_token', page.data.page_token);
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, 0);
}

await main();
