// The Devo output against a local Devo-relay imitation (real TLS with client certificates on
// 127.0.0.1): frames byte for byte, gzip, plain TCP, the ack modes and reconnection rules,
// and the failures `siphon check` must name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DevoOutput, devoOutputSchema, devoOutputDefinition, devoPlatformOutputDefinition } from '../../src/outputs/devo/index.js';
import { builtinOutputs } from '../../src/outputs/index.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import { systemClock } from '../../src/core/time.js';
import type { OutputRecord } from '../../src/core/contracts.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { DevoReceiver, type DevoReceiverOptions } from '../support/devo-receiver.js';
import { rejection } from '../support/rejection.js';
import { freeTcpPort } from '../support/free-port.js';

const HOST = 'testhost';
const TAG = 'my.app.devo_sender.test';

let dir: string;
let pki: TestPki;
const receivers: DevoReceiver[] = [];
const outputs: DevoOutput[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'siphon-devo-'));
  pki = await makeTestPki(join(dir, 'pki'));
});
after(async () => {
  for (const o of outputs) await o.close().catch(() => undefined);
  for (const r of receivers) await r.stop({ abrupt: true });
  await rm(dir, { recursive: true, force: true });
});

/** A relay imitation with the CA-signed server certificate that requires the test CA's client certificates. */
async function relay(options: Partial<DevoReceiverOptions> & { plain?: boolean } = {}): Promise<DevoReceiver> {
  const { plain, ...rest } = options;
  const receiver = await DevoReceiver.start({
    ...(plain ? {} : { tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem } }),
    ...rest,
  });
  receivers.push(receiver);
  return receiver;
}

function makeOutput(port: number, config: Record<string, unknown> = {}) {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const settings = devoOutputSchema.parse({
    address: '127.0.0.1',
    port,
    cert: pki.clientCertFile,
    key: pki.clientKeyFile,
    chain: pki.caCertFile,
    hostname: HOST,
    ...config,
  });
  const output = new DevoOutput('devo_1', 'devo_platform', settings, { logger, clock: systemClock, baseDir: dir });
  outputs.push(output);
  return { output, sink };
}

const rec = (event: Record<string, unknown>, extra: Partial<OutputRecord> = {}): OutputRecord => ({ tag: TAG, input: 'in', service: 'svc', event, ...extra });

/** The expected frame, from Devo's format: `<14>Jan  1 00:00:00 HOST TAG: MSG\n`, octet-counted when MSG spans lines. */
function expectedFrame(message: string, tag = TAG): string {
  const frame = `<14>Jan  1 00:00:00 ${HOST} ${tag}: ${message}${message.endsWith('\n') ? '' : '\n'}`;
  const multiLine = message.slice(0, -1).includes('\n');
  return multiLine ? `${Buffer.byteLength(frame, 'utf8')} ${frame}` : frame;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('settings', () => {
  test('both type names are registered, with the standard and internal services by default', () => {
    assert.equal(builtinOutputs.get('devo_platform'), devoPlatformOutputDefinition);
    assert.equal(builtinOutputs.get('devo'), devoOutputDefinition);
    assert.deepEqual(devoPlatformOutputDefinition.defaultChannels, ['standard', 'internal']);
  });

  test('defaults, and type in any case', () => {
    const s = devoOutputSchema.parse({ address: 'collector-eu.devo.io', type: 'ssl' });
    assert.equal(s.type, 'SSL');
    assert.equal(s.port, 443);
    assert.equal(s.verify_hostname, true);
    assert.equal(s.tls_min_version, 'TLSv1.2');
    assert.equal(s.compression, 'none');
    assert.equal(s.compression_buffer_bytes, 19_500);
    assert.equal(s.ack, 'close');
    assert.deepEqual(
      [s.connect_timeout_seconds, s.idle_timeout_seconds, s.max_connection_age_seconds, s.close_timeout_seconds],
      [10, 30, 3600, 10],
    );
    assert.equal(devoOutputSchema.parse({ address: 'relay', type: 'Tcp' }).type, 'TCP');
  });

  test('a certificate without its key (or the reverse) names the missing one; old TLS and unknown keys are refused', () => {
    const noKey = devoOutputSchema.safeParse({ address: 'a', cert: 'c.crt' });
    assert.equal(noKey.success, false);
    assert.deepEqual(noKey.error?.issues.map((i) => i.path), [['key']]);
    const noCert = devoOutputSchema.safeParse({ address: 'a', key: 'c.key' });
    assert.deepEqual(noCert.error?.issues.map((i) => i.path), [['cert']]);
    assert.equal(devoOutputSchema.safeParse({ address: 'a', tls_min_version: 'TLSv1.1' }).success, false);
    assert.equal(devoOutputSchema.safeParse({ address: 'a', type: 'UDP' }).success, false);
    assert.equal(devoOutputSchema.safeParse({ address: 'a', adress: 'b' }).success, false);
    assert.equal(devoOutputSchema.safeParse({}).success, false);
  });

  test('an unreadable certificate file is named by its setting at open', async () => {
    const { output } = makeOutput(1, { chain: 'missing/ca.pem' });
    const err = await rejection(output.open());
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /config\.chain: cannot read .*missing\/ca\.pem \(ENOENT\)/);
  });
});

describe('frames', () => {
  test('ack close: each batch on its own connection, byte for byte (unicode, a 100 KB event, multi-line)', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port);
    await output.open();
    const big = 'x'.repeat(100_000);
    const first = [
      rec({ a: 1 }),
      rec({ user: 'Zoë 🚀 東京', note: 'naïve' }, { eventJson: '{"user":"Zoë 🚀 東京","note":"naïve"}' }),
      rec({ big }),
    ];
    const second = [
      rec({}, { tag: 'auth.agilebits.onepassword.audit', eventJson: '{"multi":\n"lïne"}' }),
      rec({}, { eventJson: '{"ends":"with newline"}\n' }),
    ];
    await output.write(first);
    assert.equal(receiver.connectionCount, 1);
    await output.write(second);
    assert.equal(receiver.connectionCount, 2);

    const [c1, c2] = receiver.connections;
    // The first line written out in full, to pin the format itself.
    const firstLine = '<14>Jan  1 00:00:00 testhost my.app.devo_sender.test: {"a":1}\n';
    const expected1 =
      firstLine + expectedFrame('{"user":"Zoë 🚀 東京","note":"naïve"}') + expectedFrame(JSON.stringify({ big }));
    assert.equal(receiver.connectionBytes(c1!).toString('utf8'), expected1);
    assert.ok(receiver.connectionBytes(c1!).equals(Buffer.from(expected1, 'utf8')));
    const multi = '<14>Jan  1 00:00:00 testhost auth.agilebits.onepassword.audit: {"multi":\n"lïne"}\n';
    const expected2 = `${Buffer.byteLength(multi)} ${multi}` + expectedFrame('{"ends":"with newline"}\n');
    assert.equal(receiver.connectionBytes(c2!).toString('utf8'), expected2);
    // 'close' acknowledges only after the relay read to the end: both connections ended by the client.
    assert.ok(c1!.clientEnded && c2!.clientEnded);
    assert.equal(output.bytesSent, Buffer.byteLength(expected1) + Buffer.byteLength(expected2));

    const frames = receiver.frames();
    assert.deepEqual(
      frames.map((f) => [f.pri, f.date, f.hostname, f.tag, f.octetCounted]),
      [
        [14, 'Jan  1 00:00:00', HOST, TAG, false],
        [14, 'Jan  1 00:00:00', HOST, TAG, false],
        [14, 'Jan  1 00:00:00', HOST, TAG, false],
        [14, 'Jan  1 00:00:00', HOST, 'auth.agilebits.onepassword.audit', true],
        [14, 'Jan  1 00:00:00', HOST, TAG, false],
      ],
    );
    assert.equal(frames[2]!.message.length, JSON.stringify({ big }).length);
    await output.close();
  });

  test('many events in one batch arrive whole and in order', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port);
    const records = Array.from({ length: 20_000 }, (_, i) => rec({ i, pad: 'p'.repeat(60) }));
    await output.write(records);
    assert.equal(receiver.connectionCount, 1);
    assert.equal(receiver.text(), records.map((r) => expectedFrame(JSON.stringify(r.event))).join(''));
  });

  test('gzip: buffers of just over compression_buffer_bytes, each one gzip member; decompressed = the plain frames', async () => {
    const receiver = await relay({ gzip: true });
    const { output } = makeOutput(receiver.port, { compression: 'gzip', compression_buffer_bytes: 1024 });
    const records = Array.from({ length: 300 }, (_, i) => rec({ i, who: `usér-${i}` }));
    await output.write(records);
    const frames = records.map((r) => expectedFrame(JSON.stringify(r.event)));
    assert.equal(receiver.text(), frames.join(''));
    // Devo's rule: append frames; once the buffer exceeds the limit, compress and send it.
    const groups: string[] = [];
    let buffer = '';
    for (const frame of frames) {
      buffer += frame;
      if (Buffer.byteLength(buffer) > 1024) {
        groups.push(buffer);
        buffer = '';
      }
    }
    if (buffer) groups.push(buffer);
    assert.ok(groups.length > 10);
    const expectedRaw = Buffer.concat(groups.map((g) => gzipSync(g)));
    assert.ok(receiver.rawBytes().equals(expectedRaw), 'the stream is the gzip members of those buffers, back to back');
    assert.equal(output.bytesSent, expectedRaw.length);
  });

  test('type TCP (any case): the same frames, unencrypted', async () => {
    const receiver = await relay({ plain: true });
    const { output } = makeOutput(receiver.port, { type: 'tcp', cert: undefined, key: undefined, chain: undefined });
    await output.write([rec({ a: 'b' }), rec({ c: 'd' })]);
    assert.equal(receiver.text(), expectedFrame('{"a":"b"}') + expectedFrame('{"c":"d"}'));
    assert.ok(!receiver.connections[0]!.chunks[0]!.toString('latin1').startsWith('\x16'), 'no TLS handshake');
  });

  test('the host name defaults to this machine name', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { hostname: undefined });
    await output.write([rec({ a: 1 })]);
    assert.equal(receiver.frames()[0]!.hostname, hostname().split(/\s+/)[0]);
  });
});

describe('ack modes and reconnection', () => {
  test('drain: one connection for successive batches; a new one after the relay closed it', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { ack: 'drain' });
    await output.write([rec({ n: 1 })]);
    await output.write([rec({ n: 2 })]);
    await receiver.waitFor(() => receiver.frames().length === 2);
    assert.equal(receiver.connectionCount, 1);
    await receiver.closeConnections();
    await output.write([rec({ n: 3 })]);
    await output.close();
    await receiver.whenIdle();
    assert.equal(receiver.connectionCount, 2);
    assert.deepEqual(receiver.frames().map((f) => f.message), ['{"n":1}', '{"n":2}', '{"n":3}']);
    assert.ok(receiver.connections[1]!.clientEnded, 'close() half-closed the connection');
  });

  test('drain: a connection older than max_connection_age_seconds is closed gracefully and replaced', async () => {
    const receiver = await relay();
    const { output, sink } = makeOutput(receiver.port, { ack: 'drain', max_connection_age_seconds: 0.3 });
    await output.write([rec({ n: 1 })]);
    await sleep(350);
    await output.write([rec({ n: 2 })]);
    await receiver.waitFor(() => receiver.connections[0]!.closed, 30_000, 'the old connection to close');
    assert.equal(receiver.connectionCount, 2);
    assert.ok(receiver.connections[0]!.clientEnded, 'the old connection was half-closed, not cut');
    assert.equal(receiver.connectionBytes(receiver.connections[0]!).toString(), expectedFrame('{"n":1}'));
    await output.close();
    await receiver.whenIdle();
    assert.equal(receiver.connectionBytes(receiver.connections[1]!).toString(), expectedFrame('{"n":2}'));
    assert.ok(sink.lines.some((l) => l.includes('maximum age')));
  });

  test('drain: a connection idle for idle_timeout_seconds is replaced before use', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { ack: 'drain', idle_timeout_seconds: 0.25 });
    await output.write([rec({ n: 1 })]);
    await output.write([rec({ n: 2 })]);
    assert.equal(receiver.connectionCount, 1, 'not idle yet: same connection');
    await sleep(300);
    await output.write([rec({ n: 3 })]);
    await output.close();
    await receiver.whenIdle();
    assert.equal(receiver.connectionCount, 2);
    assert.deepEqual(receiver.frames().map((f) => f.message), ['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  test('close: a relay that stops refuses the batch (nothing acknowledged); after restart on the same port it is sent again', async () => {
    const receiver = await relay();
    const port = receiver.port;
    const { output } = makeOutput(port);
    await output.write([rec({ n: 1 })]);
    await receiver.stop();
    const err = await rejection(output.write([rec({ n: 2 })]));
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /refused/);
    await receiver.start();
    assert.equal(receiver.port, port);
    await output.write([rec({ n: 2 })]);
    assert.deepEqual(receiver.frames().map((f) => f.message), ['{"n":1}', '{"n":2}']);
  });

  test('close: back-pressure from a slow relay; the batch is acknowledged only once all of it was read', async () => {
    const rate = 2 * 1024 * 1024;
    const receiver = await relay({ slowBytesPerSecond: rate });
    const { output } = makeOutput(receiver.port);
    const records = Array.from({ length: 600 }, (_, i) => rec({ i, pad: 'q'.repeat(1000) }));
    const started = Date.now();
    await output.write(records);
    const elapsed = Date.now() - started;
    const total = output.bytesSent;
    assert.ok(total > 600_000);
    assert.equal(receiver.connections[0]!.received, total, 'every byte read before the ack');
    assert.ok(elapsed >= ((total / rate) * 1000) * 0.8, `acknowledged after ${elapsed} ms, the reader needs ${Math.round((total / rate) * 1000)} ms`);
  });

  test('close: a relay that never closes its side refuses the acknowledgement, saying to use ack drain; with drain it works', async () => {
    const receiver = await relay({ keepHalfOpen: true });
    const { output } = makeOutput(receiver.port, { close_timeout_seconds: 0.3 });
    const err = await rejection(output.write([rec({ n: 1 })]));
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /did not close the connection within 0\.3 s after the end of the data.*`ack: drain`/);
    await assert.rejects(output.check(), /did not close the connection/);
    assert.ok(receiver.connections[0]!.clientEnded, 'the frames and the end of data reached the relay');
    const drained = makeOutput(receiver.port, { ack: 'drain', close_timeout_seconds: 0.3 }).output;
    await drained.write([rec({ n: 2 })]);
    await receiver.waitFor(() => receiver.frames().filter((f) => f.message === '{"n":2}').length === 1);
    await receiver.stop({ abrupt: true });
  });

  test('close: a relay cut in the middle of a batch makes write() reject', async () => {
    const receiver = await relay({ slowBytesPerSecond: 512 * 1024 });
    const { output } = makeOutput(receiver.port);
    const records = Array.from({ length: 1000 }, (_, i) => rec({ i, pad: 'r'.repeat(1000) }));
    const writing = rejection(output.write(records));
    await receiver.waitFor(() => (receiver.connections[0]?.received ?? 0) > 50_000);
    await receiver.stop({ abrupt: true });
    const err = await writing;
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
  });
});

describe('check and connection failures', () => {
  test('check() passes: TLS handshake and client certificate accepted', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port);
    const proven = await output.check();
    assert.match(String(proven), /TLSv1\.3 handshake with 127\.0\.0\.1:\d+ completed, client certificate accepted/);
    assert.equal(receiver.connections[0]?.authorized, true);
    assert.equal(receiver.frames().length, 0, 'check sends no event');
  });

  test('a client certificate from another CA: the relay most likely refused it', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { cert: pki.rogueClientCertFile, key: pki.rogueClientKeyFile });
    // A Node-based relay checks the certificate after the handshake and closes without a TLS
    // alert; an OpenSSL-based one sends "unknown ca". The reason names the certificate either way.
    const rejected = /the relay closed the session right after the TLS handshake, most likely refusing our client certificate; check `cert`, `key` and `chain`/;
    const err = await rejection(output.check());
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, rejected);
    const writeErr = await rejection(output.write([rec({ a: 1 })]));
    assert.match(writeErr.message, rejected);
    assert.equal(receiver.frames().length, 0);
    assert.ok(receiver.tlsErrors.length >= 1, 'the relay refused the handshake');
  });

  test('a key that does not belong to the certificate, or a file that is not PEM: said so, before any connection', async () => {
    const receiver = await relay();
    const mismatch = makeOutput(receiver.port, { cert: pki.clientCertFile, key: pki.rogueClientKeyFile }).output;
    assert.match((await rejection(mismatch.check())).message, /the client certificate and its key do not match; check `cert` and `key`/);
    const notPem = makeOutput(receiver.port, { cert: pki.clientKeyFile.replace(/client\.key$/, 'client.ext') }).output;
    assert.match((await rejection(notPem.check())).message, /a certificate or key file is not valid PEM \(ERR_OSSL_PEM_NO_START_LINE\)/);
    assert.equal(receiver.connectionCount, 0, 'no connection was attempted with broken files');
  });

  test('no client certificate at all: the relay requires one (TLS alert "certificate required")', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { cert: undefined, key: undefined });
    const err = await rejection(output.check());
    assert.match(err.message, /the relay closed the session right after the TLS handshake, most likely because it requires a client certificate and none is configured; set `cert` and `key` \(seen: the alert "certificate required"\)/);
  });

  test('a chain without the relay\'s CA: server not trusted', async () => {
    const receiver = await relay();
    const { output } = makeOutput(receiver.port, { chain: pki.rogueCaCertFile });
    const err = await rejection(output.check());
    assert.match(err.message, /certificate is not trusted/);
  });

  test('a relay certificate for another host name: host-name mismatch', async () => {
    const receiver = await relay({ tls: { cert: pki.wrongHostCertPem, key: pki.wrongHostKeyPem, ca: pki.caCertPem } });
    const { output } = makeOutput(receiver.port);
    const err = await rejection(output.check());
    assert.match(err.message, /host-name mismatch/);
  });

  test('nothing listening: connection refused, naming the output and the address', async () => {
    const port = await freeTcpPort();
    const { output } = makeOutput(port);
    const err = await rejection(output.check());
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, new RegExp(`Output devo_1: 127\\.0\\.0\\.1:${port}: connection refused`));
  });

  test('verify_hostname false: connects to the wrong-host relay, with a warning that names the risk', async () => {
    const receiver = await relay({ tls: { cert: pki.wrongHostCertPem, key: pki.wrongHostKeyPem, ca: pki.caCertPem } });
    const { output, sink } = makeOutput(receiver.port, { verify_hostname: false });
    await output.open();
    await output.write([rec({ a: 1 })]);
    assert.equal(receiver.text(), expectedFrame('{"a":1}'));
    assert.ok(sink.lines.some((l) => l.includes('verify_hostname is false') && l.includes('man in the middle')), sink.lines.join('\n'));
  });
});
