// A vendor that trickles its answers, through the CLI: between Siphon and the 1Password
// simulator sits a real HTTP server of the test that passes every request on but sends the
// events' bodies back one byte every 200 ms. No idle timeout ever trips; `run --once` must
// still end, with an error naming the request, and a non-zero exit code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { fileCollectorYaml, readDelivered, runSiphon, startSiphon, tempDir, waitFor, writeConfig } from './harness.js';

const TOKEN = 'op-deadline-token-61c2aa0f';

interface Trickler {
  url: string;
  /** Bytes of trickled bodies sent so far. */
  trickled: number;
  close(): Promise<void>;
}

/** Forwards to `target`; answers to paths matching `slow` come back one byte every `everyMs`. */
async function startTrickler(target: string, slow: RegExp, everyMs: number): Promise<Trickler> {
  const state = { trickled: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      if (!slow.test(req.url ?? '')) {
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(parts);
        res.writeHead(answer.statusCode ?? 502, headers);
        let i = 0;
        const timer = setInterval(() => {
          if (i >= body.length) {
            clearInterval(timer);
            res.end();
            return;
          }
          res.write(body.subarray(i, i + 1));
          i++;
          state.trickled++;
        }, everyMs);
        res.on('close', () => clearInterval(timer));
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get trickled() {
      return state.trickled;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('request deadline end to end', () => {
  let sim: OnePasswordSimulator;
  let trickler: Trickler;

  before(async () => {
    sim = await startOnePasswordSimulator({ tokens: [{ token: TOKEN, features: ['auditevents'] }], initialEvents: { auditevents: 40, itemusages: 0, signinattempts: 0 } });
    trickler = await startTrickler(sim.url, /^\/api\/v\d+\/auditevents/, 200);
  });
  after(async () => {
    await trickler.close();
    await sim.close();
  });

  const inputYaml = (http: string): string => `  onepassword:
    base_url: ${trickler.url}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    http: ${http}
    services:
      audit: {start_time_value: 2020-01-01T00:00:00Z, page_size: 100}
`;

  test('run --once against a vendor trickling one byte per 200 ms ends with PULL_NETWORK naming the request, exit code 1', async () => {
    const dir = await tempDir();
    const config = await writeConfig(
      dir,
      fileCollectorYaml('deadline', inputYaml('{max_retries: 0, connect_timeout_seconds: 1, response_timeout_seconds: 1, request_timeout_seconds: 2}')),
    );
    const run = await runSiphon(['run', '--config', config, '--once'], { OP_EVENTS_TOKEN: TOKEN }, 180_000);
    assert.equal(run.signal, null, `killed: run --once did not end on its own\n${run.stderr}`);
    assert.equal(run.code, 1, run.stderr);
    const port = new URL(trickler.url).port;
    assert.match(
      run.stderr,
      new RegExp(
        `\\[PullError 303\\] POST /api/v2/auditevents to 127\\.0\\.0\\.1:${port} failed after 1 attempt: no complete answer within 2\\.00 s \\(http\\.request_timeout_seconds\\) A service stopped with an error\\.`,
      ),
    );
    assert.ok(trickler.trickled > 0, 'the vendor was still answering when the deadline passed');
    assert.deepEqual(await readDelivered(join(dir, 'events.ndjson')), [], 'nothing delivered, so nothing committed');
    assert.ok(!run.stderr.includes(TOKEN));
  });

  test('a stop during a trickled answer stops at once, as a stop: no timeout reported, exit code 0', async () => {
    const dir = await tempDir();
    const config = await writeConfig(dir, fileCollectorYaml('deadline-stop', inputYaml('{max_retries: 3, response_timeout_seconds: 1, request_timeout_seconds: 600}')));
    const before = trickler.trickled;
    const run = startSiphon(['run', '--config', config], { OP_EVENTS_TOKEN: TOKEN });
    await waitFor(() => trickler.trickled > before + 5, 60_000, 'the trickled answer to be under way');
    run.child.kill('SIGTERM');
    // A generous bound, only so a hang fails the test instead of holding it.
    const killer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
    const result = await run.done;
    clearTimeout(killer);
    assert.equal(result.signal, null, `the stop did not end the process\n${result.stderr}`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Collector stopped/);
    assert.doesNotMatch(result.stderr, /PullError|request_timeout_seconds|no complete answer/);
  });
});
