// The syslog output against a real rsyslog daemon (test/support/rsyslog.ts): events go over
// TCP (both framings), TLS (with and without a client certificate) and UDP, in both formats,
// and what rsyslog parsed and wrote is compared event by event with what was sent.
// One daemon serves every test; each test tells its messages apart by its own HOSTNAME.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputRecord } from '../../src/core/contracts.js';
import { SiphonError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/time.js';
import { Redactor } from '../../src/core/redact.js';
import { eventText } from '../../src/outputs/event-text.js';
import { MAX_APP_NAME, MAX_RFC3164_TAG, SyslogFormatter } from '../../src/outputs/syslog/format.js';
import { SyslogOutput, syslogOutputSchema } from '../../src/outputs/syslog/index.js';
import { DEFAULT_UDP_MAX_MESSAGE } from '../../src/outputs/syslog/settings.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { makeClientCert, startRsyslog, type ClientCertFiles, type Listener, type ReceivedMessage, type RsyslogDaemon } from '../support/rsyslog.js';
import { rejection } from '../support/rejection.js';
import { freeTcpPort } from '../support/free-port.js';

let dir: string;
let pki: TestPki;
let client: ClientCertFiles;
let daemon: RsyslogDaemon;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'siphon-rsyslog-'));
  pki = await makeTestPki(join(dir, 'pki'));
  client = await makeClientCert(pki, join(dir, 'client'));
  daemon = await startRsyslog(join(dir, 'rsyslog'), pki);
});

/** Every output made, closed at the end even when a test failed half-way (an open socket would keep the process alive). */
const outputs: SyslogOutput[] = [];

after(async () => {
  await Promise.allSettled(outputs.map((o) => o.close()));
  await daemon?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let hosts = 0;
/** A HOSTNAME of its own for each output, to find its messages among the others'. */
const uniqueHost = (): string => `t${++hosts}-${process.pid}`;

function makeOutput(config: Record<string, unknown>) {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink });
  const settings = syslogOutputSchema.parse({ address: '127.0.0.1', hostname: uniqueHost(), ...config });
  const output = new SyslogOutput('syslog_1', settings, { logger, clock: systemClock, baseDir: dir });
  outputs.push(output);
  return { output, sink, settings };
}

const TAGS = ['auth.agilebits.onepassword.audit', 'my.app.lastpass.reporting'];
const SERVICES = ['audit', 'reporting'];

/** `n` varied events: unicode, quotes, backslashes, escaped control characters, DEL, spaces, slashes; optionally one of 20 KB. */
function variedEvents(n: number, withBig: boolean): OutputRecord[] {
  const texts = ['plain', 'é 中文 😀 ü', 'say "hi"', 'C:\\path\\to\\file \\\\ end', 'ctl \u0001 \t \u001f', 'del \u007f', '  leading and trailing  ', 'a/b/c </script>', '', '{"nested":"json in a string"}'];
  const records: OutputRecord[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / 25) % TAGS.length; // runs of one tag, as batches of a service come
    const event: Record<string, unknown> = { uuid: `ev-${i}`, text: texts[i % texts.length], n: i, list: [i, null, true, { x: -1.5e-7 }] };
    if (withBig && i === Math.floor(n / 2)) event['big'] = 'B'.repeat(20 * 1024);
    const record: OutputRecord = { tag: TAGS[k]!, input: 'in', service: SERVICES[k]!, event };
    // The pipeline usually hands its serialisation over; the output must also cope without.
    records.push(i % 2 ? { ...record, eventJson: JSON.stringify(event) } : record);
  }
  return records;
}

type Format = 'rfc5424' | 'rfc3164';

/** Compares what rsyslog parsed with what was sent: same count, same order, same tag and same event text. */
function assertSameEvents(received: ReceivedMessage[], sent: readonly OutputRecord[], format: Format, host: string): void {
  assert.equal(received.length, sent.length, `${received.length} of ${sent.length} events arrived`);
  sent.forEach((record, i) => {
    const m = received[i]!;
    assert.equal(m.msg, eventText(record), `event ${i}: message text`);
    assert.equal(m.host, host);
    assert.equal(m.pri, '14');
    if (format === 'rfc5424') {
      assert.equal(m.app, record.tag, `event ${i}: APP-NAME`);
      assert.equal(m.procid, String(process.pid));
      assert.equal(m.msgid, record.service);
      assert.equal(m.sd, '-');
    } else {
      assert.equal(m.syslogtag, `${record.tag}:`, `event ${i}: TAG`);
    }
  });
}

/** Sends `records` in batches of `batch`, closes, and returns what rsyslog wrote for this output. */
async function sendAndCollect(listener: Listener, config: Record<string, unknown>, records: readonly OutputRecord[], batch = records.length) {
  const made = makeOutput(config);
  const { output, settings } = made;
  await output.open();
  const started = Date.now();
  for (let i = 0; i < records.length; i += batch) await output.write(records.slice(i, i + batch));
  await output.close();
  const received = await daemon.waitForMessages(listener, (m) => m.host === settings.hostname, records.length);
  return { ...made, received, started };
}

const FORMATS: readonly Format[] = ['rfc5424', 'rfc3164'];

for (const format of FORMATS) {
  test(`TCP, octet-counting, ${format}, ack close: 500 events (one of 20 KB) arrive whole and in order`, async () => {
    const records = variedEvents(500, true);
    const { received, settings, started, output } = await sendAndCollect('tcp', { port: daemon.ports.tcp, format }, records);
    assertSameEvents(received, records, format, settings.hostname);
    assert.ok(output.bytesSent > records.reduce((sum, r) => sum + Buffer.byteLength(eventText(r)), 0));
    if (format === 'rfc5424') {
      const time = Date.parse(received[0]!.time);
      assert.ok(time >= started - 1000 && time <= Date.now(), `TIMESTAMP ${received[0]!.time} is the time of sending`);
    }
  });

  test(`TCP, newline framing, ${format}, ack drain: 500 events in batches of 100 on one connection`, async () => {
    const records = variedEvents(500, true);
    const { received, settings } = await sendAndCollect('tcp', { port: daemon.ports.tcp, format, framing: 'newline', ack: 'drain' }, records, 100);
    assertSameEvents(received, records, format, settings.hostname);
  });

  test(`TLS, ${format}: the daemon's certificate verified against the test CA, 500 events arrive whole and in order`, async () => {
    const records = variedEvents(500, true);
    const { received, settings } = await sendAndCollect('tls', { port: daemon.ports.tls, protocol: 'tls', ca: pki.caCertFile, format }, records);
    assertSameEvents(received, records, format, settings.hostname);
  });

  test(`UDP, ${format}: 500 events, every one arrives on loopback`, async () => {
    const records = variedEvents(500, false);
    // Batches of 50: a burst larger than the daemon's socket buffer would be dropped by the kernel (UDP is lossy).
    const { received, settings } = await sendAndCollect('udp', { port: daemon.ports.udp, protocol: 'udp', format }, records, 50);
    // Datagrams may be reordered: compare as sets.
    const byText = (a: ReceivedMessage, b: ReceivedMessage): number => (a.msg < b.msg ? -1 : a.msg > b.msg ? 1 : 0);
    const sentSorted = [...records].sort((a, b) => (eventText(a) < eventText(b) ? -1 : eventText(a) > eventText(b) ? 1 : 0));
    assertSameEvents([...received].sort(byText), sentSorted, format, settings.hostname);
  });
}

test('TLS with a client certificate, to a daemon that requires one (TLS 1.3): 500 events arrive', async () => {
  const records = variedEvents(500, true);
  const config = { port: daemon.ports.tlsClientCert, protocol: 'tls', ca: pki.caCertFile, cert: client.certFile, key: client.keyFile, tls_min_version: 'TLSv1.3', ack: 'drain' };
  const { received, settings } = await sendAndCollect('tlsClientCert', config, records, 250);
  assertSameEvents(received, records, 'rfc5424', settings.hostname);
});

test('newline framing: an event text holding raw line breaks arrives as one message, the breaks escaped', async () => {
  const raw: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: {}, eventJson: '{"a":"one\ntwo\r\nthree"}' };
  const after: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { next: true } };
  const { received } = await sendAndCollect('tcp', { port: daemon.ports.tcp, framing: 'newline' }, [raw, after]);
  assert.deepEqual(
    received.map((m) => m.msg),
    ['{"a":"one\\ntwo\\r\\nthree"}', '{"next":true}'],
  );
});

test(`long tags: RFC 5424 cuts APP-NAME at ${MAX_APP_NAME} and carries the tag in structured data; RFC 3164 keeps up to ${MAX_RFC3164_TAG} characters`, async () => {
  const tag80 = `long.${'t'.repeat(70)}.tag80`;
  const tag100 = `long.${'u'.repeat(89)}.tag100`;
  const tag600 = `long.${'v'.repeat(589)}.tag600`;
  const rec = (tag: string): OutputRecord => ({ tag, input: 'in', service: 'audit', event: { tag } });

  const r5424 = await sendAndCollect('tcp', { port: daemon.ports.tcp }, [rec(tag80)]);
  assert.equal(r5424.received[0]!.app, tag80.slice(0, MAX_APP_NAME));
  assert.equal(r5424.received[0]!.sd, `[siphon@32473 tag="${tag80}"]`);
  assert.equal(r5424.received[0]!.msg, JSON.stringify({ tag: tag80 }));

  // RFC 3164 suggests at most 32 characters; rsyslog takes a 100-character TAG whole.
  const r3164 = await sendAndCollect('tcp', { port: daemon.ports.tcp, format: 'rfc3164' }, [rec(tag100), rec(tag600)]);
  assert.equal(r3164.received[0]!.syslogtag, `${tag100}:`);
  assert.equal(r3164.received[0]!.msg, JSON.stringify({ tag: tag100 }));
  // A longer one would spill into rsyslog's MSG: the output cuts it, and the message stays intact.
  assert.equal(r3164.received[1]!.syslogtag, `${tag600.slice(0, MAX_RFC3164_TAG)}:`);
  assert.equal(r3164.received[1]!.msg, JSON.stringify({ tag: tag600 }));
  assert.ok(r3164.sink.lines.some((l) => l.includes('does not fit an RFC 3164 TAG')));
});

test('rsyslog itself: an RFC 3164 TAG longer than 510 characters spills into MSG (why the output cuts it there)', async () => {
  // Sent through the output with a fixed app_name would not show it; a raw frame does.
  const host = uniqueHost();
  const tag = 'w'.repeat(MAX_RFC3164_TAG + 1);
  const frame = `<14>May  1 12:00:00 ${host} ${tag}: {"x":1}`;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(daemon.ports.tcp, '127.0.0.1', () => socket.end(`${Buffer.byteLength(frame)} ${frame}`));
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
  const [m] = await daemon.waitForMessages('tcp', (x) => x.host === host, 1);
  assert.equal(m?.syslogtag.length, MAX_RFC3164_TAG);
  assert.equal(m?.msg, 'w: {"x":1}');
});

test('UDP: a 20 KB event is cut to udp_max_message_bytes at a UTF-8 boundary, with a warning; raising the limit sends it whole', async () => {
  const big: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { s: 'é'.repeat(10 * 1024) } };
  const small: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { s: 'small' } };
  const cut = await sendAndCollect('udp', { port: daemon.ports.udp, protocol: 'udp' }, [big, small]);
  const received = cut.received.find((m) => m.msg !== '{"s":"small"}');
  assert.ok(received, 'the cut event arrived');
  assert.ok(eventText(big).startsWith(received.msg) && received.msg.length < eventText(big).length, 'a prefix of the event');
  assert.ok(!received.msg.includes('\ufffd'), 'no broken character');
  // bytesSent counts the datagrams as sent: the cut one (8095 or 8096 bytes: é is 2 bytes) and the small one.
  const smallBytes = Buffer.byteLength(new SyslogFormatter({ format: 'rfc5424', pri: 14, hostname: cut.settings.hostname, procId: String(process.pid) }).message(small, Date.now()));
  const cutBytes = cut.output.bytesSent - smallBytes;
  assert.ok(cutBytes === DEFAULT_UDP_MAX_MESSAGE - 1 || cutBytes === DEFAULT_UDP_MAX_MESSAGE, `${cutBytes} bytes`);
  assert.ok(cut.sink.lines.some((l) => l.includes(`1 of 2 events were longer than udp_max_message_bytes (${DEFAULT_UDP_MAX_MESSAGE})`)));

  const whole = await sendAndCollect('udp', { port: daemon.ports.udp, protocol: 'udp', udp_max_message_bytes: 65_507 }, [big]);
  assert.equal(whole.received[0]?.msg, eventText(big));
  assert.equal(whole.sink.lines.filter((l) => l.includes('udp_max_message_bytes')).length, 0);
});

test('check(): PASS against the daemon over TCP, TLS, TLS with a client certificate, and UDP (a resolved address, nothing more)', async () => {
  assert.match(String(await makeOutput({ port: daemon.ports.tcp }).output.check()), /TCP connection to 127\.0\.0\.1:\d+ opened/);
  assert.match(String(await makeOutput({ port: daemon.ports.tls, protocol: 'tls', ca: pki.caCertFile }).output.check()), /TLSv1\.\d handshake with 127\.0\.0\.1:\d+ completed/);
  const withCert = makeOutput({ port: daemon.ports.tlsClientCert, protocol: 'tls', ca: pki.caCertFile, cert: client.certFile, key: client.keyFile });
  assert.match(String(await withCert.output.check()), /client certificate accepted/);
  const udp = makeOutput({ port: daemon.ports.udp, protocol: 'udp' });
  assert.match(String(await udp.output.check()), /cannot be proven/);
});


test('check() and write() name the failure: connection refused, host-name mismatch, untrusted server, unknown host', async () => {
  const closed = await freeTcpPort();
  const record: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { a: 1 } };

  const refused = makeOutput({ port: closed }).output;
  for (const err of [await rejection(refused.check()), await rejection(refused.write([record]))]) {
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /^Output syslog_1: 127\.0\.0\.1:\d+: connection refused/);
  }
  const mismatch = makeOutput({ port: daemon.ports.tlsWrongHost, protocol: 'tls', ca: pki.caCertFile }).output;
  for (const err of [await rejection(mismatch.check()), await rejection(mismatch.write([record]))]) {
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /host-name mismatch/);
  }
  const untrusted = makeOutput({ port: daemon.ports.tls, protocol: 'tls' }).output; // system CAs do not know the test CA
  for (const err of [await rejection(untrusted.check()), await rejection(untrusted.write([record]))]) {
    assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
    assert.match(err.message, /certificate is not trusted/);
  }
  const unknown = makeOutput({ address: 'no-such-host.invalid', port: daemon.ports.udp, protocol: 'udp' }).output;
  assert.match((await rejection(unknown.check())).message, /host name not found/);
  // With verify_hostname false the wrong-host certificate is accepted, with a warning at open.
  const lax = makeOutput({ port: daemon.ports.tlsWrongHost, protocol: 'tls', ca: pki.caCertFile, verify_hostname: false });
  await lax.output.open();
  await lax.output.write([record]);
  await lax.output.close();
  assert.ok(lax.sink.lines.some((l) => l.includes('verify_hostname is false')));
  assert.equal((await daemon.waitForMessages('tlsWrongHost', (m) => m.host === lax.settings.hostname, 1)).length, 1);
});

test('UDP: a port nobody listens on is reported (ICMP port unreachable) on the next write', async () => {
  const closed = await new Promise<number>((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
  const { output } = makeOutput({ port: closed, protocol: 'udp' });
  const record: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { a: 1 } };
  await output.write([record]); // the datagram leaves; the answer comes after
  await new Promise((resolve) => setTimeout(resolve, 100));
  const err = await rejection(output.write([record]));
  assert.equal(err.code, 'OUTPUT_UNAVAILABLE');
  assert.match(err.message, /nothing listens on this UDP port/);
  // A new socket is used afterwards: the next write goes out again.
  await output.write([record]);
});

test(
  'a daemon that requires a client certificate, given none: no write is acknowledged, and the reason is the certificate',
  async () => {
    const { output } = makeOutput({ port: daemon.ports.tlsClientCert, protocol: 'tls', ca: pki.caCertFile });
    const record: OutputRecord = { tag: TAGS[0]!, input: 'in', service: 'audit', event: { a: 1 } };
    // A race between the daemon's verdict and our data: try several times.
    let acknowledged = 0;
    for (let i = 0; i < 10; i++) {
      try {
        await output.write([record]);
        acknowledged += 1;
      } catch (err) {
        assert.ok(err instanceof SiphonError && err.code === 'OUTPUT_UNAVAILABLE', String(err));
        assert.match(err.message, /the daemon closed the session right after the TLS handshake, most likely because it requires a client certificate|certificate rejected by the server|connection reset/);
      }
    }
    assert.equal(acknowledged, 0, `${acknowledged} of 10 writes acknowledged, none delivered`);
  },
);

test('the daemon stopped: writes are refused; restarted: they are delivered again', async () => {
  const { output, settings } = makeOutput({ port: daemon.ports.tcp, ack: 'drain' });
  const record = (n: number): OutputRecord => ({ tag: TAGS[0]!, input: 'in', service: 'audit', event: { n } });
  await output.write([record(1)]);
  // 'drain' acknowledges once the kernel has the bytes: wait until the daemon wrote the event
  // before stopping it, or it may be lost in flight (as docs/outputs/syslog.md says).
  assert.equal((await daemon.waitForMessages('tcp', (m) => m.host === settings.hostname, 1)).length, 1);
  await daemon.stop();
  try {
    // The drain connection notices the daemon's close, reconnects and is refused.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match((await rejection(output.write([record(2)]))).message, /connection refused/);
  } finally {
    await daemon.start();
  }
  await output.write([record(2)]);
  await output.close();
  const received = await daemon.waitForMessages('tcp', (m) => m.host === settings.hostname, 2);
  assert.deepEqual(
    received.map((m) => m.msg),
    ['{"n":1}', '{"n":2}'],
  );
});
