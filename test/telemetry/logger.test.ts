// Log lines: the Devo text shape, JSON lines, levels, and redaction of every secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { formatMemoryLine } from '../../src/telemetry/memory-report.js';
import { Redactor } from '../../src/core/redact.js';

const at = Date.UTC(2023, 6, 29, 20, 42, 44, 401);

test('text lines look like the Devo collectors\' lines', () => {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink, now: () => at });
  logger.child({ module: 'OnePasswordPuller', input: 'onepassword', inputId: 10001, service: 'audit' }).info('The data is up to date!');
  logger.info('starting');
  logger.debug('hidden at info level');
  assert.deepEqual(sink.lines, [
    '2023-07-29T20:42:44.401 INFO InputProcess::OnePasswordPuller(onepassword,10001,audit) -> The data is up to date!',
    '2023-07-29T20:42:44.401 INFO MainProcess::MainThread -> starting',
  ]);
});

test('json lines carry time, level, context, message and fields', () => {
  const sink = new MemorySink();
  const logger = createLogger({ format: 'json', level: 'debug', redactor: new Redactor(), sink, now: () => at });
  logger.child({ input: 'op', service: 'audit' }).warn('slow', { attempt: 2 });
  assert.deepEqual(JSON.parse(sink.lines[0]!), { time: '2023-07-29T20:42:44.401Z', level: 'warn', input: 'op', service: 'audit', msg: 'slow', attempt: 2 });
});

test('registered secrets and bearer tokens never reach a line, in any format', () => {
  const redactor = new Redactor();
  redactor.add('s3cr3t-token-value', 'p@ss word/+');
  for (const format of ['text', 'json'] as const) {
    const sink = new MemorySink();
    const logger = createLogger({ format, level: 'debug', redactor, sink });
    logger.error('failed with s3cr3t-token-value', { header: 'Bearer abcdefghijklmnop', other: encodeURIComponent('p@ss word/+') });
    const text = sink.lines.join('\n');
    assert.ok(!text.includes('s3cr3t-token-value'));
    assert.ok(!text.includes('abcdefghijklmnop'));
    assert.ok(!text.includes(encodeURIComponent('p@ss word/+')));
    assert.match(text, /\[REDACTED\]/);
  }
});

test('the memory line has the seeds\' shape', () => {
  const line = formatMemoryLine(
    { globalPercent: 20.4, rss: 34.5 * 1048576, vms: 410.52 * 1048576 },
    { globalPercent: 20.4, rss: 34.08 * 1048576, vms: 410.02 * 1048576 },
  );
  assert.equal(line, '[GC] global: 20.4% -> 20.4%, process: RSS(34.50MiB -> 34.08MiB), VMS(410.52MiB -> 410.02MiB)');
});
