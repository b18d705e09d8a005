// An output's `delivery` block (src/config/output-delivery.ts): defaults, what the lane gets,
// and bad values reported with the catalogue's codes at the setting's path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allBuiltinRegistries } from '../../src/app/registry.js';
import { outputDelivery } from '../../src/config/output-delivery.js';
import { formatProblem } from '../../src/config/format.js';
import { loadConfigText } from '../../src/config/load.js';
import type { ConfigProblem, LoadResult, SiphonConfig } from '../../src/config/types.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const registries = await allBuiltinRegistries();

/** A configuration whose one output `f` has these extra lines (indented under it). */
function withOutput(...outputLines: string[]): LoadResult {
  const text = [
    'outputs:',
    '  f:',
    '    type: file',
    '    config: {path: ./events.ndjson}',
    ...outputLines.map((l) => `    ${l}`),
    'inputs:',
    '  onepassword:',
    '    credentials: {token: op-token-for-config-tests}',
    '    services: {audit: {}}',
    '',
  ].join('\n');
  return loadConfigText(text, 'config.yaml', '/srv/siphon', registries, { env: {}, now: () => NOW });
}

function loaded(result: LoadResult): SiphonConfig {
  if (!result.ok) assert.fail(result.problems.map((p) => formatProblem(p, 'config.yaml')).join('\n'));
  return result.config;
}

function problems(result: LoadResult): ConfigProblem[] {
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

test('no delivery block: 1 s doubling to 30 s, 5 attempts with --once, writes of at most 5,000 events', () => {
  const [output] = loaded(withOutput()).outputs;
  assert.deepEqual(output?.delivery, {
    retry: { initial_interval_seconds: 1, max_interval_seconds: 30, multiplier: 2, max_attempts_once: 5 },
    write_max_events: 5_000,
  });
  assert.deepEqual(outputDelivery(output!.delivery), {
    retry: { initialMs: 1_000, maxMs: 30_000, multiplier: 2, jitter: 0 },
    writeMaxEvents: 5_000,
    onceMaxAttempts: 5,
  });
});

test('a partial delivery block keeps the defaults of what it does not set', () => {
  const [output] = loaded(withOutput('delivery: {retry: {initial_interval_seconds: 0.5}}')).outputs;
  assert.deepEqual(output?.delivery, {
    retry: { initial_interval_seconds: 0.5, max_interval_seconds: 30, multiplier: 2, max_attempts_once: 5 },
    write_max_events: 5_000,
  });
  const [other] = loaded(withOutput('delivery: {write_max_events: 200}')).outputs;
  assert.equal(other?.delivery.retry.max_attempts_once, 5);
  assert.equal(other?.delivery.write_max_events, 200);
});

test('bad values: the catalogue code, at the setting, saying what is allowed', () => {
  const cases: Array<{ lines: string[]; path: string; code: ConfigProblem['code']; message: RegExp }> = [
    { lines: ['delivery: {retry: {initial_interval_seconds: 0}}'], path: 'outputs.f.delivery.retry.initial_interval_seconds', code: 'CONFIG_INVALID_VALUE', message: /must be greater than 0 \(got 0\)/ },
    { lines: ['delivery: {retry: {max_interval_seconds: 7200}}'], path: 'outputs.f.delivery.retry.max_interval_seconds', code: 'CONFIG_INVALID_VALUE', message: /must be at most 3600 \(got 7200\)/ },
    {
      lines: ['delivery: {retry: {initial_interval_seconds: 60, max_interval_seconds: 10}}'],
      path: 'outputs.f.delivery.retry.max_interval_seconds',
      code: 'CONFIG_INVALID_VALUE',
      message: /must be at least `initial_interval_seconds` \(60\)/,
    },
    { lines: ['delivery: {retry: {multiplier: 0.5}}'], path: 'outputs.f.delivery.retry.multiplier', code: 'CONFIG_INVALID_VALUE', message: /must be at least 1 \(got 0\.5\)/ },
    { lines: ['delivery: {retry: {multiplier: double}}'], path: 'outputs.f.delivery.retry.multiplier', code: 'CONFIG_WRONG_TYPE', message: /must be a number, not a string/ },
    { lines: ['delivery: {retry: {max_attempts_once: 2.5}}'], path: 'outputs.f.delivery.retry.max_attempts_once', code: 'CONFIG_WRONG_TYPE', message: /must be a whole number, not a number \(2\.5\)/ },
    { lines: ['delivery: {write_max_events: 0}'], path: 'outputs.f.delivery.write_max_events', code: 'CONFIG_INVALID_VALUE', message: /must be at least 1 \(got 0\)/ },
    { lines: ['delivery: {retry: {max_attempt_once: 3}}'], path: 'outputs.f.delivery.retry.max_attempt_once', code: 'CONFIG_UNKNOWN_KEY', message: /did you mean `max_attempts_once`\?/ },
    { lines: ['delivery: {timeout: 3}'], path: 'outputs.f.delivery.timeout', code: 'CONFIG_UNKNOWN_KEY', message: /unknown setting `timeout`/ },
    { lines: ['delivery: 5'], path: 'outputs.f.delivery', code: 'CONFIG_WRONG_TYPE', message: /must be a mapping/ },
  ];
  for (const c of cases) {
    const found = problems(withOutput(...c.lines));
    assert.equal(found.length, 1, `${c.lines.join(' ')}: ${JSON.stringify(found)}`);
    const [problem] = found;
    assert.equal(problem?.path, c.path, c.lines.join(' '));
    assert.equal(problem?.code, c.code, `${c.lines.join(' ')}: ${problem?.message}`);
    assert.match(problem?.message ?? '', c.message, c.lines.join(' '));
  }
});
