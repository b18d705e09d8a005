// The receiver of the output cases, in its own process so that neither the simulator (in the
// bench parent) nor the measured contender shares its event loop or CPU account. It counts
// complete frames and bytes of every connection and keeps nothing else; like Devo's relays
// and syslog daemons, it closes its side once the client half-closes (Node's default,
// allowHalfOpen false), which is what the senders wait for.
// Usage: node dist/bench/sink.js devo <pki-dir>   (TLS, client certificate from the test CA required; line frames)
//        node dist/bench/sink.js syslog           (plain TCP; octet-counted frames)
// Prints `READY <port>`; when its stdin ends, prints `SINK <json>` (see SinkReport) and exits.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { LineFrameCounter, OctetFrameCounter, type FrameCounter } from './frame-counters.js';

export interface SinkReport {
  frames: number;
  malformed: number;
  /** Bytes received (after TLS). */
  bytes: number;
  connections: number;
  /** Handshakes refused (e.g. no or wrong client certificate) and socket errors. */
  errors: number;
  cpuSeconds: number;
}

const [kind, pkiDir] = process.argv.slice(2);
if (kind !== 'devo' && kind !== 'syslog') throw new Error('usage: sink devo <pki-dir> | sink syslog');

const cpuAtStart = process.cpuUsage();
const counters: FrameCounter[] = [];
let bytes = 0;
let errors = 0;

function accept(socket: net.Socket): void {
  const counter = kind === 'devo' ? new LineFrameCounter() : new OctetFrameCounter();
  counters.push(counter);
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    counter.push(chunk);
  });
  socket.on('end', () => counter.end());
  socket.on('error', () => errors++);
}

let server: net.Server;
if (kind === 'devo') {
  if (!pkiDir) throw new Error('usage: sink devo <pki-dir>');
  const read = (name: string): Buffer => readFileSync(join(pkiDir, name));
  server = tls.createServer({ key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: true }, accept);
  server.on('tlsClientError', () => errors++);
} else {
  server = net.createServer(accept);
}

server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(`READY ${(server.address() as net.AddressInfo).port}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => {
  const cpu = process.cpuUsage(cpuAtStart);
  const report: SinkReport = {
    frames: counters.reduce((n, c) => n + c.frames, 0),
    malformed: counters.reduce((n, c) => n + c.malformed, 0),
    bytes,
    connections: counters.length,
    errors,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(`SINK ${JSON.stringify(report)}\n`);
  server.close();
  process.exit(0);
});
