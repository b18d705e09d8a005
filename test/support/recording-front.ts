// An HTTP front for a simulator that notes who asked: every request's time, User-Agent (a
// cluster replica names itself there) and path, before passing it on untouched. With one front
// per vendor account, a test sees which replica pulled which account, and when.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** Date.now() when the request arrived, and when its answer was complete or the client went away. */
  readonly at: number;
  readonly end: number;
  readonly userAgent: string;
  readonly path: string;
}

export class RecordingFront {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly requests: RecordedRequest[],
  ) {}

  static async start(target: string): Promise<RecordingFront> {
    const upstream = new URL(target);
    const requests: RecordedRequest[] = [];
    const server = http.createServer((req, res) => {
      const at = Date.now();
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      // The answer is complete, or the client gave up on it (an aborted request is over for the client).
      res.on('close', () => requests.push({ at, end: Date.now(), userAgent: String(req.headers['user-agent'] ?? ''), path: req.url ?? '' }));
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
    });
    server.keepAliveTimeout = 2_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RecordingFront(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  }

  /** The replica a User-Agent names ("siphon/x.y.z (replica host:pid:start)"), or the whole header. */
  static replicaOf(userAgent: string): string {
    return /\(replica ([^)]+)\)/.exec(userAgent)?.[1] ?? userAgent;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
