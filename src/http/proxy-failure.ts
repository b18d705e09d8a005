// Failures of the proxy itself, told apart from the vendor's: a request through a proxy
// that fails because the proxy is down or refuses our credentials must name the proxy, or
// the operator goes looking at the vendor. Both the connectors' client and the http
// output describe them here.

import type { ProxyServer } from '../core/contracts.js';
import { proxyLabel } from './proxy-routes.js';

export interface ProxyFailure {
  /** One sentence naming the proxy; never its credentials. */
  readonly reason: string;
  /** True when another attempt cannot help (the proxy refused the credentials). */
  readonly final: boolean;
}

/** Errors of the connection to the proxy: in a CONNECT tunnel, the vendor's own host is never dialled by us. */
const PROXY_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** undici's words when the proxy answers CONNECT with anything but 200. */
const TUNNEL_REFUSED = /Proxy response \((\d{3})\) !== 200/;

/**
 * What `err` says about the proxy, or undefined when the failure lies beyond it (or is not
 * recognisably the proxy's), in which case the caller says "through proxy ..." instead.
 */
export function describeProxyFailure(err: unknown, proxy: ProxyServer, target: URL): ProxyFailure | undefined {
  const label = proxyLabel(proxy);
  for (const e of chain(err)) {
    const status = TUNNEL_REFUSED.exec(e instanceof Error ? e.message : '')?.[1];
    if (status === '407') {
      return { reason: `the proxy ${label} refused the proxy credentials (HTTP 407 Proxy Authentication Required): check ${credentialsHint(proxy)}`, final: true };
    }
    if (status !== undefined) {
      return { reason: `the proxy ${label} refused to open a tunnel to ${hostPort(target)} (HTTP ${status})`, final: false };
    }
    const code = codeOf(e);
    if (code !== undefined && PROXY_CONNECT_CODES.has(code)) {
      return { reason: `the proxy ${label} cannot be reached: ${e instanceof Error && e.message !== '' ? e.message : code}`, final: false };
    }
  }
  return undefined;
}

/** `err`, its causes, and the first error of an AggregateError (happy eyeballs), a few levels deep. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    out.push(current);
    current = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : (current as { cause?: unknown }).cause;
  }
  return out;
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Where the operator fixes the credentials: the setting, or the environment variable's URL. */
function credentialsHint(proxy: ProxyServer): string {
  if (/_proxy$/i.test(proxy.source)) return proxy.username === undefined ? `${proxy.source} (it carries no user:password@)` : `the user and password in ${proxy.source}`;
  return proxy.username === undefined ? `\`${proxy.source}\` (it sets no \`username\`/\`password\`)` : `\`${proxy.source}.username\` and \`${proxy.source}.password\``;
}

function hostPort(url: URL): string {
  return `${url.hostname}:${url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port}`;
}
