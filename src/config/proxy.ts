// Forward proxies: the `proxy` block (its schema is in ./fields.ts) that an input's `http`
// settings and the http output accept, and the standard environment variables (HTTPS_PROXY,
// HTTP_PROXY, NO_PROXY, the lower-case names first) that apply where no block is written.
// Both become ProxyServer values; which request takes which proxy is decided in
// src/http/proxy-routes.ts.

import type { EnvironmentProxies, ProxyServer } from '../core/contracts.js';
import { proxyUrlProblem, type HttpSettings, type ProxySettings } from './fields.js';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** `host:port` of a proxy URL, the port written out (brackets kept around IPv6). */
function addressOf(url: URL): string {
  return `${url.hostname}:${url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? '') : url.port}`;
}

/** The proxy a validated `proxy` block describes; `source` names the block in messages. */
export function configuredProxy(settings: ProxySettings, source: string): ProxyServer {
  const url = new URL(settings.url);
  return { url: `${url.protocol}//${url.host}`, address: addressOf(url), username: settings.username, password: settings.password, source };
}

/** Each form a proxy's credentials take on the wire or in a URL, for the log redactor. */
export function proxySecrets(proxy: ProxyServer | undefined): string[] {
  if (proxy?.password === undefined) return [];
  // The Redactor adds the URL-encoded form itself.
  const out = [proxy.password];
  if (proxy.username !== undefined) out.push(Buffer.from(`${proxy.username}:${proxy.password}`, 'utf8').toString('base64'));
  return out;
}

export interface EnvironmentReading {
  readonly proxies: EnvironmentProxies;
  /** One sentence per variable that cannot be used (it never quotes the value). */
  readonly problems: string[];
}

/** The value of the first of `names` that is set and not empty, with its name. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** A proxy variable's value; `proxy:3128` without a scheme means http://, as curl reads it. */
function environmentProxy(env: NodeJS.ProcessEnv, names: readonly string[], problems: string[]): ProxyServer | undefined {
  const found = firstSet(env, names);
  if (found === undefined) return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`the environment variable ${found.name} is not a proxy URL: write http://host:port or https://host:port`);
    return undefined;
  }
  const problem = proxyUrlProblem(url);
  if (problem !== undefined) {
    problems.push(`the environment variable ${found.name} ${problem}`);
    return undefined;
  }
  const username = url.username === '' ? undefined : decoded(url.username);
  const password = url.password === '' ? undefined : decoded(url.password);
  return { url: `${url.protocol}//${url.host}`, address: addressOf(url), username, password, source: found.name };
}

/** Percent-decoded user info; a stray `%` is taken literally. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * HTTPS_PROXY for https:// requests, HTTP_PROXY for http:// requests (neither stands in for
 * the other, as curl and Go read them), NO_PROXY for hosts that go direct. The lower-case
 * name wins when both are set.
 */
export function readEnvironmentProxies(env: NodeJS.ProcessEnv): EnvironmentReading {
  const problems: string[] = [];
  const https = environmentProxy(env, ['https_proxy', 'HTTPS_PROXY'], problems);
  const http = environmentProxy(env, ['http_proxy', 'HTTP_PROXY'], problems);
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY'])?.value ?? '';
  return { proxies: { https, http, noProxy }, problems };
}

/** The proxies' credentials, in every form, for the log redactor. */
export function environmentProxySecrets(proxies: EnvironmentProxies): string[] {
  return [...proxySecrets(proxies.https), ...proxySecrets(proxies.http)];
}

/** The credentials of an input's `http.proxy`, in every form, for the log redactor. */
export function inputProxySecrets(http: HttpSettings): string[] {
  const proxy = http.proxy;
  return proxy === undefined ? [] : proxySecrets(configuredProxy(proxy, 'http.proxy'));
}
