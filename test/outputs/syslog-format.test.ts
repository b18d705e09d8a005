// The syslog output's wire format: both RFCs, both framings, PRI, long tags, UDP truncation,
// and the settings' defaults and mistakes. The real daemon tests are in syslog-rsyslog.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputRecord } from '../../src/core/contracts.js';
import {
  escapeLineBreaks,
  MAX_APP_NAME,
  MAX_RFC3164_TAG,
  rfc3164Time,
  streamChunks,
  SyslogFormatter,
  truncateUtf8,
  udpDatagrams,
  type FormatterOptions,
} from '../../src/outputs/syslog/format.js';
import { priority, syslogOutputSchema } from '../../src/outputs/syslog/settings.js';

const TAG = 'auth.agilebits.onepassword.audit';
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 123); // 2024-05-01T12:00:00.123Z
const rec = (event: Record<string, unknown>, tag = TAG, service = 'audit'): OutputRecord => ({ tag, input: 'op', service, event });

function formatter(options: Partial<FormatterOptions> = {}): { f: SyslogFormatter; warnings: string[] } {
  const warnings: string[] = [];
  const f = new SyslogFormatter({ format: 'rfc5424', pri: 14, hostname: 'collector1', procId: '4242', warn: (m) => warnings.push(m), ...options });
  return { f, warnings };
}

test('RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, the tag as APP-NAME, the service as MSGID, no BOM', () => {
  const { f } = formatter();
  assert.equal(f.message(rec({ uuid: 'u1', n: 1 }), NOW), `<14>1 2024-05-01T12:00:00.123Z collector1 ${TAG} 4242 audit - {"uuid":"u1","n":1}`);
  // The pipeline's own serialisation is used as is.
  assert.equal(f.message({ ...rec({ ignored: true }), eventJson: '{"b":2,"a":1}' }, NOW), `<14>1 2024-05-01T12:00:00.123Z collector1 ${TAG} 4242 audit - {"b":2,"a":1}`);
});

test('RFC 3164: <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG, UTC, the day padded with a space', () => {
  const { f } = formatter({ format: 'rfc3164' });
  assert.equal(f.message(rec({ uuid: 'u1' }), NOW), `<14>May  1 12:00:00 collector1 ${TAG}: {"uuid":"u1"}`);
  assert.equal(rfc3164Time(Date.UTC(2023, 11, 31, 23, 59, 59, 999)), 'Dec 31 23:59:59');
  assert.equal(rfc3164Time(Date.UTC(2024, 0, 9, 3, 4, 5)), 'Jan  9 03:04:05');
});

test('PRI is facility * 8 + severity', () => {
  assert.equal(priority('user', 'info'), 14);
  assert.equal(priority('kern', 'emerg'), 0);
  assert.equal(priority('auth', 'warning'), 36);
  assert.equal(priority('local0', 'err'), 131);
  assert.equal(priority('local7', 'debug'), 191);
  const s = syslogOutputSchema.parse({ address: 'h', facility: 'local4', severity: 'notice' });
  const { f } = formatter({ pri: priority(s.facility, s.severity) });
  assert.ok(f.message(rec({}), NOW).startsWith('<165>1 '));
});

test('octet-counting framing: the byte length (not characters) and a space before each message', () => {
  const { f } = formatter();
  const records = [rec({ s: 'é😀' }), rec({ s: 'x' })];
  const chunks = streamChunks(f, records, NOW, 'octet-counting');
  const m1 = f.message(records[0]!, NOW);
  const m2 = f.message(records[1]!, NOW);
  assert.equal(chunks.join(''), `${Buffer.byteLength(m1)} ${m1}${Buffer.byteLength(m2)} ${m2}`);
  assert.equal(Buffer.byteLength(m1), m1.length + 1 + 2, 'é is 2 bytes, the emoji 4 (2 UTF-16 units)');
});

test('newline framing: one line per message; a raw line break in the event text is escaped, never splitting the message', () => {
  const { f } = formatter({ format: 'rfc3164' });
  const broken: OutputRecord = { ...rec({}), eventJson: '{"a":"line1\nline2\r\n"}' };
  const text = streamChunks(f, [rec({ a: 1 }), broken], NOW, 'newline').join('');
  assert.equal(text, `<14>May  1 12:00:00 collector1 ${TAG}: {"a":1}\n<14>May  1 12:00:00 collector1 ${TAG}: {"a":"line1\\nline2\\r\\n"}\n`);
  assert.deepEqual(JSON.parse(escapeLineBreaks('{"a":"line1\nline2"}')), { a: 'line1\nline2' }, 'inside a JSON string the escape means the same text');
  assert.equal(escapeLineBreaks('{"a":"\\n"}'), '{"a":"\\n"}', 'JSON escapes are left alone');
});

test('a big batch is joined into a few large chunks, in order', () => {
  const { f } = formatter();
  const records: OutputRecord[] = [];
  for (let i = 0; i < 20_000; i++) records.push(rec({ i, pad: 'p'.repeat(100) }, i % 2 ? TAG : 'other.tag', i % 3 ? 'audit' : 'signin'));
  const chunks = streamChunks(f, records, NOW, 'newline');
  assert.ok(chunks.length >= 2 && chunks.length <= 5, `${chunks.length} chunks`);
  const lines = chunks.join('').split('\n');
  assert.equal(lines.length, records.length + 1);
  records.forEach((r, i) => assert.equal(lines[i], f.message(r, NOW)));
});

test('RFC 5424: a tag longer than 48 characters is cut in APP-NAME and carried whole in structured data', () => {
  const { f, warnings } = formatter();
  const long = `my.very.long.devo.tag.${'x'.repeat(60)}.audit`;
  const message = f.message(rec({ a: 1 }, long), NOW);
  assert.equal(message, `<14>1 2024-05-01T12:00:00.123Z collector1 ${long.slice(0, MAX_APP_NAME)} 4242 audit [siphon@32473 tag="${long}"] {"a":1}`);
  f.message(rec({ a: 2 }, long), NOW);
  assert.equal(warnings.length, 1, 'one warning per tag');
  assert.match(warnings[0] ?? '', /not a valid RFC 5424 APP-NAME/);
});

test('RFC 5424: a tag with characters APP-NAME cannot hold goes in structured data, escaped', () => {
  const { f } = formatter();
  const odd = 'tag with "quotes" ] and é';
  assert.equal(f.message(rec({}, odd), NOW), `<14>1 2024-05-01T12:00:00.123Z collector1 tag_with_"quotes"_]_and__ 4242 audit [siphon@32473 tag="tag with \\"quotes\\" \\] and é"] {}`);
});

test('a fixed app_name: APP-NAME is it, and the tag travels in structured data (RFC 5424) or not at all (RFC 3164)', () => {
  assert.equal(formatter({ appName: 'siphon' }).f.message(rec({}), NOW), `<14>1 2024-05-01T12:00:00.123Z collector1 siphon 4242 audit [siphon@32473 tag="${TAG}"] {}`);
  assert.equal(formatter({ appName: 'siphon', format: 'rfc3164' }).f.message(rec({}), NOW), '<14>May  1 12:00:00 collector1 siphon: {}');
});

test('MSGID is the service name when it fits (1-32 printable ASCII), else "-"', () => {
  const { f } = formatter();
  assert.match(f.message(rec({}, TAG, 'item usage'), NOW), / 4242 - - \{\}$/);
  assert.match(f.message(rec({}, TAG, 's'.repeat(33)), NOW), / 4242 - - \{\}$/);
  assert.match(f.message(rec({}, TAG, 's'.repeat(32)), NOW), new RegExp(` 4242 ${'s'.repeat(32)} - \\{\\}$`));
});

test(`RFC 3164: a tag longer than ${MAX_RFC3164_TAG} characters is cut, other characters replaced, with a warning`, () => {
  const { f, warnings } = formatter({ format: 'rfc3164' });
  const long = 't'.repeat(600);
  assert.equal(f.message(rec({}, long), NOW), `<14>May  1 12:00:00 collector1 ${'t'.repeat(MAX_RFC3164_TAG)}: {}`);
  assert.equal(f.message(rec({}, 'a b:c[d]é'), NOW), '<14>May  1 12:00:00 collector1 a_b_c_d]_: {}');
  assert.equal(f.message(rec({}, 'x'.repeat(100)), NOW), `<14>May  1 12:00:00 collector1 ${'x'.repeat(100)}: {}`, 'beyond RFC 3164\'s 32: kept');
  assert.equal(warnings.length, 2);
});

test('truncateUtf8 never splits a character', () => {
  const text = Buffer.from('aé😀b'); // 1 + 2 + 4 + 1 bytes
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((max) => truncateUtf8(text, max).toString()), ['', 'a', 'a', 'aé', 'aé', 'aé', 'aé', 'aé😀', 'aé😀b']);
});

test('UDP: one datagram per event; one longer than the limit is cut at a UTF-8 boundary and counted', () => {
  const { f } = formatter();
  const small = rec({ a: 1 });
  const big = rec({ s: 'é'.repeat(10_000) }); // 20 KB
  const { datagrams, truncated } = udpDatagrams(f, [small, big, small], NOW, 8192);
  assert.equal(truncated, 1);
  assert.equal(datagrams.length, 3);
  assert.equal(datagrams[0]!.toString(), f.message(small, NOW));
  const cut = datagrams[1]!;
  assert.ok(cut.length === 8192 || cut.length === 8191, `${cut.length} bytes`);
  assert.ok(f.message(big, NOW).startsWith(cut.toString()), 'a prefix of the message, decoding cleanly');
  assert.ok(!cut.toString().includes('\ufffd'));
});

test('settings: defaults, per protocol', () => {
  const tcp = syslogOutputSchema.parse({ address: 'logs.example' });
  assert.equal(tcp.protocol, 'tcp');
  assert.equal(tcp.port, 514);
  assert.equal(tcp.format, 'rfc5424');
  assert.equal(tcp.framing, 'octet-counting');
  assert.equal(tcp.facility, 'user');
  assert.equal(tcp.severity, 'info');
  assert.equal(tcp.ack, 'close');
  assert.equal(tcp.connect_timeout_seconds, 10);
  assert.equal(tcp.idle_timeout_seconds, 30);
  assert.equal(tcp.max_connection_age_seconds, 3600);
  assert.equal(tcp.app_name, undefined);
  assert.match(tcp.hostname, /^[\x21-\x7e]+$/);
  const tls = syslogOutputSchema.parse({ address: 'logs.example', protocol: 'tls' });
  assert.equal(tls.port, 6514);
  assert.equal(tls.verify_hostname, true);
  assert.equal(tls.tls_min_version, 'TLSv1.2');
  const udp = syslogOutputSchema.parse({ address: 'logs.example', protocol: 'udp' });
  assert.equal(udp.port, 514);
  assert.equal(udp.udp_max_message_bytes, 8096, "rsyslog's default maxMessageSize");
});

test('settings: mistakes are reported on the setting', () => {
  const issues = (config: Record<string, unknown>): string[] => {
    const result = syslogOutputSchema.safeParse(config);
    assert.equal(result.success, false, JSON.stringify(config));
    return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ address: 'h', protocol: 'tls', cert: 'c.pem' }).join(), /^key: `cert` is set but `key` is not/);
  assert.match(issues({ address: 'h', protocol: 'tls', key: 'k.pem' }).join(), /^cert: `key` is set but `cert` is not/);
  assert.match(issues({ address: 'h', protocol: 'udp', framing: 'newline' }).join(), /^framing: applies to protocol tcp and tls only, and protocol is udp/);
  assert.match(issues({ address: 'h', ca: 'ca.pem' }).join(), /^ca: applies to protocol tls only, and protocol is tcp/);
  assert.match(issues({ address: 'h', protocol: 'tls', udp_max_message_bytes: 1000 }).join(), /^udp_max_message_bytes: applies to protocol udp only/);
  assert.match(issues({ address: 'h', protocol: 'udp', udp_max_message_bytes: 70_000 }).join(), /^udp_max_message_bytes/);
  assert.match(issues({ address: 'h', facility: 'local9' }).join(), /^facility/);
  assert.match(issues({ address: 'h', severity: 'warn' }).join(), /^severity/);
  assert.match(issues({ address: 'h', app_name: 'has space' }).join(), /^app_name/);
  assert.match(issues({ address: 'h', app_name: 'a'.repeat(49) }).join(), /^app_name/);
  assert.match(issues({ address: 'h', hostname: 'two words' }).join(), /^hostname/);
  assert.match(issues({ address: 'h', protocl: 'tls' }).join(), /protocl/);
  assert.match(issues({}).join(), /^address/);
});
