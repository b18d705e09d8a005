// Which proxy, if any, a request goes through. A `proxy` block in the settings takes every
// request of its input (or output); without one, the environment decides: HTTPS_PROXY for
// https://, HTTP_PROXY for http://, and NO_PROXY hosts go direct.

import type { EnvironmentProxies, ProxyServer } from '../core/contracts.js';
import { NoProxyList } from './no-proxy.js';

export interface ProxyRoutes {
  /** The proxy for a request to `url`; undefined: direct. */
  proxyFor(url: URL): ProxyServer | undefined;
  /** Every proxy a request may take (to build their connections). */
  readonly proxies: readonly ProxyServer[];
}

const NO_PROXIES: EnvironmentProxies = { noProxy: '' };

export function proxyRoutes(configured: ProxyServer | undefined, environment: EnvironmentProxies = NO_PROXIES): ProxyRoutes {
  if (configured !== undefined) return { proxyFor: () => configured, proxies: [configured] };
  const noProxy = NoProxyList.parse(environment.noProxy);
  const { https, http } = environment;
  return {
    proxyFor(url: URL): ProxyServer | undefined {
      const proxy = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
      if (proxy === undefined || noProxy.matches(url)) return undefined;
      return proxy;
    },
    proxies: [https, http].filter((p): p is ProxyServer => p !== undefined),
  };
}

/** "proxy.example.com:3128 (HTTPS_PROXY)": how messages name a proxy; never its credentials. */
export function proxyLabel(proxy: ProxyServer): string {
  return `${proxy.address} (${proxy.source})`;
}
