// A real forward proxy for tests, on 127.0.0.1: it answers CONNECT by dialling the target
// with net.connect and piping both ways (optionally requiring Basic Proxy-Authorization, and
// optionally speaking TLS itself, as an https:// proxy), and it counts what it did. A plain
// (absolute-form) request is answered 405 and counted: Siphon should always tunnel.

import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TestProxyOptions {
  /** When set, a CONNECT without these Basic credentials is answered 407. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Serve TLS (an https:// proxy) with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface TestProxy {
  /** `http://127.0.0.1:port` or `https://127.0.0.1:port`. */
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:port`, as Siphon names it. */
  readonly address: string;
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[];
  /** CONNECTs answered 407. */
  readonly refusedAuth: number;
  /** Plain (not tunnelled) requests received. */
  readonly plainRequests: number;
  close(): Promise<void>;
}

export async function startConnectProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const expected = options.credentials ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}` : undefined;
  const tunnels: string[] = [];
  const sockets = new Set<Duplex>();
  let refusedAuth = 0;
  let plainRequests = 0;
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
  server.on('request', (_req, res) => {
    plainRequests++;
    res.writeHead(405, { 'content-type': 'text/plain' }).end('this test proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      refusedAuth++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = req.url ?? '';
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(target.slice(colon + 1));
    const upstream: Socket = connect(port, host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    let established = false;
    upstream.once('connect', () => {
      established = true;
      tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!established && client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    address: `127.0.0.1:${port}`,
    tunnels,
    get refusedAuth() {
      return refusedAuth;
    },
    get plainRequests() {
      return plainRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
