// Where the contenders of a case deliver: a file (the connector cases) or a local receiver
// in its own process (the output cases, ./sink.ts). Each run gets a fresh destination; after
// the contender has ended, delivered() says how many events arrived, whole.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { SinkReport } from './sink.js';

export type Contender = 'baseline' | 'siphon';

export interface Delivery {
  /** Whole events (lines, frames) that arrived. */
  readonly events: number;
  /** Bytes that arrived: file size, or bytes read by the receiver (after TLS). */
  readonly bytes: number;
  /** Connections the receiver accepted (absent for a file). */
  readonly connections?: number;
  /** Why the delivery is not to be trusted (malformed frames, refused handshakes), if it is not. */
  readonly problem?: string;
}

export interface RunDestination {
  /** Appended to the baseline's arguments. */
  readonly baselineArgs: string[];
  /** Siphon's `outputs:` entries (YAML, indented by two spaces). */
  readonly siphonOutputs: string;
  /** Once the contender has ended. */
  delivered(): Promise<Delivery>;
}

export interface Destination {
  /** Shown in the table: `baseline (fetch, parse, <label>)`, `siphon run --once (<label>)`. */
  readonly baselineLabel: string;
  readonly siphonLabel: string;
  open(dir: string, contender: Contender): Promise<RunDestination>;
}

/** Lines in a file, streamed. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** One NDJSON file per run; Siphon writes it with the `file` output. */
export const fileDestination: Destination = {
  baselineLabel: 'baseline (fetch, parse, write)',
  siphonLabel: 'siphon run --once (file output)',
  async open(dir, contender) {
    const path = join(dir, `${contender}.ndjson`);
    return {
      baselineArgs: [path],
      siphonOutputs: `  file_1: {type: file, config: {path: ${JSON.stringify(path)}}}\n`,
      delivered: async () => ({ events: await countLines(path), bytes: (await stat(path)).size }),
    };
  },
};

type SinkChild = ChildProcessByStdio<Writable, Readable, null>;

/** Starts `sink.js` and waits for its port. */
async function startSink(args: string[]): Promise<{ child: SinkChild; port: number; report: Promise<SinkReport> }> {
  const child = spawn(process.execPath, ['dist/bench/sink.js', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let port: number | undefined;
  let ready: { resolve: (port: number) => void; reject: (err: Error) => void } | undefined;
  const portKnown = new Promise<number>((resolve, reject) => (ready = { resolve, reject }));
  const report = new Promise<SinkReport>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = port === undefined ? /^READY (\d+)$/m.exec(out) : null;
      if (line) ready?.resolve((port = Number(line[1])));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('SINK '));
      if (line) resolve(JSON.parse(line.slice(5)) as SinkReport);
      else reject(new Error(`sink exited ${code} without a report`));
      ready?.reject(new Error(`sink exited ${code} before it was ready`));
    });
  });
  report.catch(() => undefined); // read by sinkDelivery(); an early failure surfaces through portKnown
  return { child, port: await portKnown, report };
}

/** What the sink counted, as a Delivery. */
async function sinkDelivery(child: SinkChild, report: Promise<SinkReport>): Promise<Delivery> {
  child.stdin.end();
  const r = await report;
  const problems = [r.malformed > 0 ? `${r.malformed} malformed frame(s)` : '', r.errors > 0 ? `${r.errors} refused handshake(s) or socket error(s)` : ''].filter(Boolean);
  return { events: r.frames, bytes: r.bytes, connections: r.connections, ...(problems.length > 0 ? { problem: problems.join(', ') } : {}) };
}

/** The TLS files of the Devo case: the test CA, and the client certificate it signed. */
export interface DevoPki {
  readonly dir: string;
  readonly caCertFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** A Devo relay look-alike: TLS, client certificate required, one `\n`-ended line per event. */
export function devoDestination(pki: DevoPki): Destination {
  return {
    baselineLabel: 'baseline (fetch, parse, TLS send)',
    siphonLabel: 'siphon run --once (devo TLS)',
    async open() {
      const { child, port, report } = await startSink(['devo', pki.dir]);
      const files = { chain: pki.caCertFile, cert: pki.clientCertFile, key: pki.clientKeyFile };
      return {
        baselineArgs: ['127.0.0.1', String(port), files.chain, files.cert, files.key],
        // Only the events (`standard`): Siphon's own log records would add frames the baseline does not send.
        siphonOutputs:
          `  devo_1:\n    type: devo_platform\n    services: [standard]\n` +
          `    config: {address: 127.0.0.1, port: ${port}, type: SSL, cert: ${JSON.stringify(files.cert)}, key: ${JSON.stringify(files.key)}, chain: ${JSON.stringify(files.chain)}}\n`,
        delivered: () => sinkDelivery(child, report),
      };
    },
  };
}

/** A syslog daemon look-alike: plain TCP, octet-counted frames. */
export const syslogDestination: Destination = {
  baselineLabel: 'baseline (fetch, parse, TCP send)',
  siphonLabel: 'siphon run --once (syslog TCP)',
  async open() {
    const { child, port, report } = await startSink(['syslog']);
    return {
      baselineArgs: ['127.0.0.1', String(port)],
      siphonOutputs:
        `  syslog_1:\n    type: syslog\n    services: [standard]\n` +
        `    config: {address: 127.0.0.1, port: ${port}, protocol: tcp, format: rfc5424, framing: octet-counting}\n`,
      delivered: () => sinkDelivery(child, report),
    };
  },
};
