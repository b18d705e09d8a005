// The connections behind one HTTP client (or the http output): a keep-alive pool for direct
// requests and one per proxy, all with the same timeouts and TLS settings for the far end.
// Requests through a proxy always use a CONNECT tunnel, http:// ones too, so the proxy never
// reads a request or its credentials, and TLS (when the URL is https://) is end to end.

import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import type { ProxyServer } from '../core/contracts.js';
import { proxyRoutes, type ProxyRoutes } from './proxy-routes.js';

export interface ConnectionOptions {
  readonly connectTimeoutMs: number;
  /** Time to the response headers. */
  readonly headersTimeoutMs: number;
  /** Longest silence between body chunks. */
  readonly bodyTimeoutMs: number;
  /** TLS towards the far end (the vendor or receiver), not towards the proxy. */
  readonly tls?: {
    readonly rejectUnauthorized?: boolean | undefined;
    readonly ca?: string | Buffer | undefined;
    readonly cert?: string | undefined;
    readonly key?: string | undefined;
  };
}

export interface Route {
  readonly dispatcher: Dispatcher;
  /** The proxy the request goes through; undefined: direct. */
  readonly proxy: ProxyServer | undefined;
}

export class Dispatchers {
  private readonly direct: Agent;
  private readonly viaProxy = new Map<ProxyServer, ProxyAgent>();
  private readonly seenOrigins = new Set<string>();

  constructor(
    options: ConnectionOptions,
    private readonly routes: ProxyRoutes = proxyRoutes(undefined),
    /** Called once per origin (scheme://host:port), with the proxy its requests take: for a log line. */
    private readonly onFirstUse?: (origin: string, proxy: ProxyServer | undefined) => void,
  ) {
    const tls = withoutUndefined(options.tls ?? {});
    const timeouts = { headersTimeout: options.headersTimeoutMs, bodyTimeout: options.bodyTimeoutMs };
    this.direct = new Agent({ connect: { timeout: options.connectTimeoutMs, ...tls }, ...timeouts });
    for (const proxy of routes.proxies) {
      this.viaProxy.set(
        proxy,
        new ProxyAgent({
          uri: proxy.url,
          ...(proxy.username !== undefined ? { token: basic(proxy.username, proxy.password ?? '') } : {}),
          proxyTunnel: true,
          // The connection to the proxy (TLS too, for an https:// proxy: system CAs).
          proxyTls: { timeout: options.connectTimeoutMs },
          // The tunnelled connection to the far end.
          requestTls: { timeout: options.connectTimeoutMs, ...tls },
          ...timeouts,
        }),
      );
    }
  }

  routeFor(url: URL): Route {
    const proxy = this.routes.proxyFor(url);
    if (this.onFirstUse !== undefined && !this.seenOrigins.has(url.origin)) {
      this.seenOrigins.add(url.origin);
      this.onFirstUse(url.origin, proxy);
    }
    const agent = proxy === undefined ? undefined : this.viaProxy.get(proxy);
    return { dispatcher: agent ?? this.direct, proxy: agent === undefined ? undefined : proxy };
  }

  /** Waits for requests in flight, then closes every connection. */
  async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...[...this.viaProxy.values()].map((agent) => agent.close())]);
  }

  /** Drops every connection at once, requests in flight included (a stop past its deadline). */
  async destroy(): Promise<void> {
    await Promise.all([this.direct.destroy(), ...[...this.viaProxy.values()].map((agent) => agent.destroy())]);
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
