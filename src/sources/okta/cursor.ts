// The system_log stream's saved position: Okta's own `next` link, kept as its path and query
// (the org's address comes from okta_url), so a resumed stream asks exactly what Okta said to
// ask next. Stored by the framework with the dedup memory, after the page is delivered.

import type { JsonValue } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';

export const LOGS_PATH = '/api/v1/logs';

export type OktaCursor = {
  cursor_version: 1;
  /** `/api/v1/logs?…` as Okta's next link gave it. */
  next: string;
};

export function readOktaCursor(saved: JsonValue | null, where: string): OktaCursor | null {
  if (saved === null) return null;
  const fail = (why: string): never => {
    throw new SiphonError('PERSISTENCE_UNREADABLE', `The saved Okta position of ${where} is not valid (${why}). Restore it or run \`siphon state reset\``, { service: where });
  };
  if (!saved || typeof saved !== 'object' || Array.isArray(saved)) return fail('not an object');
  const c = saved as Record<string, JsonValue>;
  if (c['cursor_version'] !== 1) fail(`unknown cursor_version ${JSON.stringify(c['cursor_version'] ?? null)}`);
  const next = c['next'];
  if (typeof next !== 'string' || !next.startsWith(`${LOGS_PATH}?`)) return fail(`"next" is not a ${LOGS_PATH} query`);
  return { cursor_version: 1, next };
}

/** Why Okta's next link cannot be followed: it names another host, or another API. */
export class ForeignLinkError extends SiphonError {
  constructor(operation: string, target: string, oktaUrl: string) {
    super(
      'PULL_MALFORMED_RESPONSE',
      `${operation} answered a next link to ${target}, which is not ${oktaUrl}${LOGS_PATH}: Siphon does not follow it, so the credentials are never sent anywhere else. ` +
        'If the org moved to another address, set okta_url to it',
      { operation },
    );
  }
}

/** The path and query of `link` (absolute or relative), when it stays on the org's log endpoint; undefined otherwise. */
export function sameOrgLogsLink(link: string, oktaUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link, oktaUrl);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(oktaUrl).origin || url.pathname !== LOGS_PATH || url.username !== '' || url.password !== '') return undefined;
  return `${url.pathname}${url.search}`;
}

/**
 * The query with `limit` set to `pageSize`, the rest left exactly as Okta wrote it (its
 * cursor is opaque, so only the documented page size is ours to change: a new page_size
 * then applies from the next request rather than from a new stream).
 */
export function withLimit(pathAndQuery: string, pageSize: number): string {
  const [path = LOGS_PATH, query = ''] = pathAndQuery.split(/\?(.*)/s, 2);
  const kept = query.split('&').filter((part) => part !== '' && !/^limit(=|$)/i.test(part));
  return `${path}?${[...kept, `limit=${pageSize}`].join('&')}`;
}
