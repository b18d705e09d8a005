// The bare-minimum Kiteworks baseline: a token from a refresh token, one window over
// everything, oldest first, offset paging until a short page, one NDJSON line per activity.
// Usage: node dist/src/simulators/kiteworks/baseline.js <url> <client_id> <client_secret> <refresh_token> <start> <end> <out-file>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'undici';
import { reportSelf } from '../common/baseline-report.js';

async function main(): Promise<void> {
  const [url, clientId, clientSecret, refreshToken, start, end, outFile] = process.argv.slice(2);
  if (!url || !clientId || !clientSecret || !refreshToken || !start || !end || !outFile) throw new Error('usage: baseline-kiteworks <url> <client_id> <client_secret> <refresh_token> <start> <end> <out-file>');
  const auth = await request(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-accellion-version': '28' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }).toString(),
  });
  const { access_token: token } = (await auth.body.json()) as { access_token: string };
  const out = createWriteStream(outFile);
  const limit = 1000;
  let events = 0;
  for (let offset = 0; ; offset += limit) {
    const params = new URLSearchParams({ startDateTime: start, endDateTime: end, orderBy: 'created:asc', offset: String(offset), limit: String(limit) });
    const res = await request(`${url}/rest/admin/activities?${params.toString()}`, { headers: { authorization: `Bearer ${token}`, 'x-accellion-version': '28' } });
    const page = JSON.parse(await res.body.text()) as { events?: unknown[]; data?: unknown[] };
    const items = page.events ?? page.data ?? [];
    let text = '';
    for (const item of items) text += `${JSON.stringify(item)}\n`;
    events += items.length;
    if (!out.write(text)) await once(out, 'drain');
    if (items.length < limit) break;
  }
  out.end();
  await once(out, 'finish');
  reportSelf(events, 0);
}

await main();
