// NO_PROXY: the hosts that go direct although HTTPS_PROXY/HTTP_PROXY name a proxy. Entries
// are separated by commas or spaces; each is `*` (everything), a host name (which also
// covers its subdomains; a leading `.` or `*.` means the same), an IP address, or an IP
// range in CIDR form (`10.0.0.0/8`), optionally followed by `:port`.

import { BlockList, isIP } from 'node:net';

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

interface Entry {
  readonly host: string;
  /** 0: any port. */
  readonly port: number;
  /** Set for a CIDR entry. */
  readonly range?: BlockList;
}

export class NoProxyList {
  private constructor(
    private readonly everything: boolean,
    private readonly entries: readonly Entry[],
  ) {}

  static parse(text: string): NoProxyList {
    const entries: Entry[] = [];
    let everything = false;
    for (const raw of text.split(/[\s,]+/)) {
      const item = raw.trim().toLowerCase();
      if (item === '') continue;
      if (item === '*') {
        everything = true;
        continue;
      }
      const entry = parseEntry(item);
      if (entry !== undefined) entries.push(entry);
    }
    return new NoProxyList(everything, entries);
  }

  get isEmpty(): boolean {
    return !this.everything && this.entries.length === 0;
  }

  /** True when requests to `url` must not use the environment's proxy. */
  matches(url: URL): boolean {
    if (this.everything) return true;
    const host = bare(url.hostname.toLowerCase());
    const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port);
    const family = isIP(host);
    return this.entries.some((entry) => {
      if (entry.port !== 0 && entry.port !== port) return false;
      if (entry.range !== undefined) return family !== 0 && entry.range.check(host, family === 6 ? 'ipv6' : 'ipv4');
      return host === entry.host || (family === 0 && host.endsWith(`.${entry.host}`));
    });
  }
}

/** `host`, `host:port`, `[v6]:port`, `v6`, `a.b.c.d/nn`, `.domain`, `*.domain`. */
function parseEntry(item: string): Entry | undefined {
  let host = item;
  let port = 0;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = Number(bracketed[2] ?? 0);
  } else if (isIP(item) !== 6 && !item.includes('/')) {
    // One colon at most outside brackets: host:port (a bare IPv6 address has several).
    const withPort = /^(.+):(\d+)$/.exec(item);
    if (withPort) {
      host = withPort[1] ?? '';
      port = Number(withPort[2]);
    }
  }
  const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
  if (cidr) {
    const address = cidr[1] ?? '';
    const family = isIP(address);
    const prefix = Number(cidr[2]);
    if (family === 0 || prefix > (family === 6 ? 128 : 32)) return undefined;
    const range = new BlockList();
    range.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    return { host: address, port, range };
  }
  host = bare(host.replace(/^\*?\./, ''));
  return host === '' ? undefined : { host, port };
}

/** An IPv6 host without its URL brackets. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
