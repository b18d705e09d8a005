// The paging loop every 1Password baseline shares: cursor paging, pages of 1,000, JSON.parse.
// Nothing else: no retries, no dedup, no state.
import { request } from 'undici';

export interface OnePasswordPage {
  readonly cursor: string;
  readonly has_more: boolean;
  readonly items: unknown[];
}

/** Every page of `endpoint` (e.g. `itemusages`) from the start of time, in order. */
export async function* onePasswordPages(url: string, token: string, endpoint: string): AsyncGenerator<OnePasswordPage> {
  let body: Record<string, unknown> = { limit: 1000, start_time: '2000-01-01T00:00:00Z' };
  for (;;) {
    const res = await request(`${url}/api/v2/${endpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const page = JSON.parse(await res.body.text()) as OnePasswordPage;
    yield page;
    if (!page.has_more) return;
    body = { cursor: page.cursor };
  }
}
