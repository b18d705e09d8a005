import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { OutputDefinition } from '../../src/core/contracts.js';
import { defineConnector, type Connector } from '../../src/core/connector.js';
import { httpUrl, inputBaseShape, nonEmptyString, secretString, serviceBaseShape, startTime, type StartTime } from '../../src/config/fields.js';
import { formatProblem } from '../../src/config/format.js';
import { loadConfigFile, loadConfigText, type Registries } from '../../src/config/load.js';
import type { ConfigProblem, LoadResult, SiphonConfig } from '../../src/config/types.js';
import { builtinOutputs } from '../../src/outputs/index.js';

// ---------------------------------------------------------------------------
// A fake connector and outputs, built from the shared field vocabulary like real ones.

function fakeConnector(type: string, serviceNames: readonly string[]): Connector {
  const serviceSchema = z.object({ ...serviceBaseShape, start_time_value: startTime().optional() }).strict();
  const services = z.object(Object.fromEntries(serviceNames.map((name) => [name, serviceSchema.optional()]))).strict().default({});
  const schema = z
    .object({
      ...inputBaseShape,
      base_url: httpUrl().default('https://api.fakevendor.test'),
      credentials: z.object({ token: secretString() }).strict(),
      services,
    })
    .strict();
  type Settings = z.infer<typeof schema>;
  type Service = z.infer<typeof serviceSchema>;
  return defineConnector<Settings, Service>({
    type,
    displayName: `Fake ${type}`,
    logModule: 'Fake',
    schema,
    streams: Object.fromEntries(serviceNames.map((name) => [name, { tag: `fake.${type}.${name}` }])),
    startTime: (service) => service.start_time_value,
    streamSettings(settings) {
      const out: Record<string, Service> = {};
      for (const [name, service] of Object.entries(settings.services)) if (service?.enabled) out[name] = service;
      return out;
    },
    secrets: (settings) => [settings.credentials.token],
    create() {
      throw new Error('not used by these tests');
    },
    rateLimits: [],
  });
}

function fakeOutput(type: string, schema: z.ZodType): OutputDefinition<unknown> {
  return {
    type,
    schema,
    create() {
      throw new Error('not used by these tests');
    },
  };
}

const registries: Registries = {
  connectors: new Map([
    ['fakevendor', fakeConnector('fakevendor', ['alpha', 'beta'])],
    ['onepassword', fakeConnector('onepassword', ['audit', 'item_usage', 'sign_in_attempts'])],
  ]),
  outputs: new Map([
    ['file', fakeOutput('file', z.object({ path: nonEmptyString(), fsync: z.boolean().default(true) }).strict())],
    ['console', fakeOutput('console', z.object({}).strict())],
  ]),
};

const TOKEN = 'tok-3f9a0c1e-very-secret';
const BASE = '/srv/siphon';
const NOW = Date.parse('2025-01-01T00:00:00Z');

/** Lines joined, so a test reads its own line numbers: line n is `lines[n - 1]`. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function load(text: string, env: NodeJS.ProcessEnv = { FAKE_TOKEN: TOKEN }, now = (): number => NOW): LoadResult {
  return loadConfigText(text, 'config.yaml', BASE, registries, { env, now });
}

function loaded(result: LoadResult): SiphonConfig {
  if (!result.ok) assert.fail(`expected the config to load, got:\n${result.problems.map((p) => formatProblem(p, 'config.yaml')).join('\n')}`);
  return result.config;
}

function problemsOf(result: LoadResult): ConfigProblem[] {
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

/** The one problem at `path`. */
function problemAt(result: LoadResult, path: string): ConfigProblem {
  const found = problemsOf(result).filter((p) => p.path === path);
  assert.equal(found.length, 1, `one problem at ${path}; got ${JSON.stringify(problemsOf(result), null, 1)}`);
  return found[0] as ConfigProblem;
}

/** A valid config around one fakevendor input block (lines 1-5 are fixed; the block starts on line 6). */
function withInput(...inputLines: string[]): string {
  return yaml(
    'globals:',
    '  name: test',
    'outputs:',
    '  console_1: {type: console}',
    'inputs:',
    ...inputLines,
  );
}

// ---------------------------------------------------------------------------

test('the documented example loads, with the token from the environment', () => {
  const text = yaml(
    'globals:',
    '  name: my-collector',
    '  persistence: {type: filesystem, config: {directory_name: ./state}}',
    'outputs:',
    '  file_1: {type: file, config: {path: ./events.ndjson}}',
    '  console_1: {type: console}',
    'inputs:',
    '  onepassword:',
    '    id: 10001',
    '    enabled: true',
    '    base_url: https://events.1password.com',
    '    credentials:',
    '      token: ${env:OP_EVENTS_TOKEN}',
    '    services:',
    '      audit: {start_time_value: 2024-05-01T00:00:00Z, request_period_in_seconds: 60}',
    '      item_usage: {}',
    '      sign_in_attempts: {}',
  );
  const result = load(text, { OP_EVENTS_TOKEN: TOKEN });
  const config = loaded(result);
  assert.deepEqual(result.warnings, []);
  assert.equal(config.path, join(BASE, 'config.yaml'));
  assert.equal(config.baseDir, BASE);
  assert.deepEqual(config.globals, {
    name: 'my-collector',
    persistence: { type: 'filesystem', directory: join(BASE, 'state') },
    cluster: { enabled: false, lease_seconds: 15 },
    debug_status: false,
    log_format: 'text',
    memory_report_interval_seconds: 300,
    shutdown_timeout_seconds: 30,
    queue_max_size_in_messages: 10_000,
    queue_max_size_in_mb: 64,
    sender_statistics_interval_seconds: 600,
  });
  assert.deepEqual(
    config.outputs.map((o) => [o.name, o.type, o.enabled, o.settings, o.channels]),
    [
      ['file_1', 'file', true, { path: './events.ndjson', fsync: true }, ['standard']],
      ['console_1', 'console', true, {}, ['standard']],
    ],
  );
  assert.equal(config.inputs.length, 1);
  const input = config.inputs[0];
  assert.ok(input);
  assert.equal(input.name, 'onepassword');
  assert.equal(input.type, 'onepassword');
  assert.equal(input.id, 10001);
  assert.equal(input.enabled, true);
  const settings = input.settings.block as { credentials: { token: string }; services: Record<string, { start_time_value?: StartTime }> };
  assert.equal(settings.credentials.token, TOKEN);
  // YAML 1.2 core schema: the timestamp stays a string, so startTime() sees it as written.
  assert.deepEqual(settings.services['audit']?.start_time_value, { text: '2024-05-01T00:00:00Z', ms: Date.parse('2024-05-01T00:00:00Z') });
  assert.deepEqual(Object.keys(settings.services), ['audit', 'item_usage', 'sign_in_attempts']);
  assert.deepEqual(config.secrets, [TOKEN]);
});

test('cluster: off by default; enabled needs postgres persistence; lease_seconds at least 3', () => {
  const base = ['outputs: {c: {type: console}}', 'inputs: {fakevendor: {credentials: {token: x}}}'];
  const plain = loaded(load(yaml('globals: {persistence: {type: memory}}', ...base)));
  assert.deepEqual(plain.globals.cluster, { enabled: false, lease_seconds: 15 });
  const onMemory = load(yaml('globals:', '  persistence: {type: memory}', '  cluster: {enabled: true}', ...base));
  assert.equal(onMemory.ok, false);
  const problem = problemAt(onMemory, 'globals.cluster.enabled');
  assert.equal(problem.code, 'CONFIG_INVALID_VALUE');
  assert.match(problem.message, /needs persistence\.type: postgres.*is memory/);
  assert.equal(problem.line, 3);
  const short = load(yaml('globals:', '  persistence: {type: memory}', '  cluster: {lease_seconds: 2}', ...base));
  assert.equal(problemAt(short, 'globals.cluster.lease_seconds').code, 'CONFIG_INVALID_VALUE');
});

test('defaults: no globals, memory persistence, a service written with no settings', () => {
  const config = loaded(load(withInput('  fakevendor:', '    credentials: {token: "${env:FAKE_TOKEN}"}', '    services:', '      beta:')));
  assert.equal(config.globals.persistence.type, 'filesystem');
  const memory = loaded(load(yaml('globals: {persistence: {type: memory}}', 'outputs: {c: {type: console}}', 'inputs: {fakevendor: {credentials: {token: x}}}')));
  assert.deepEqual(memory.globals.persistence, { type: 'memory' });
  const settings = config.inputs[0]?.settings.block as { services: Record<string, { enabled: boolean }> };
  assert.equal(settings.services['beta']?.enabled, true);
});

test('${file:...} is read relative to the config folder, trailing newline trimmed; embedded and escaped references', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-config-'));
  try {
    await writeFile(join(dir, 'token.txt'), `${TOKEN}\n`);
    await writeFile(
      join(dir, 'config.yaml'),
      yaml(
        'outputs:',
        '  f: {type: file, config: {path: "literal-$${not-a-ref}.ndjson"}}',
        'inputs:',
        '  fakevendor:',
        '    base_url: "https://${env:FAKE_HOST}/api"',
        '    credentials:',
        '      token: ${file:token.txt}',
      ),
    );
    const result = await loadConfigFile(join(dir, 'config.yaml'), registries, { env: { FAKE_HOST: 'fake.example' } });
    const config = loaded(result);
    assert.equal(config.path, join(dir, 'config.yaml'));
    assert.equal(config.globals.persistence.type === 'filesystem' && config.globals.persistence.directory, join(dir, 'state'));
    const settings = config.inputs[0]?.settings.block as { base_url: string; credentials: { token: string } };
    assert.equal(settings.credentials.token, TOKEN);
    assert.equal(settings.base_url, 'https://fake.example/api');
    assert.deepEqual(config.outputs[0]?.settings, { path: 'literal-${not-a-ref}.ndjson', fsync: true });
    assert.ok(config.secrets.includes(TOKEN));
    assert.ok(config.secrets.includes('fake.example'), 'an embedded reference is a secret too');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unset variable or unreadable file: InitVariablesError 8 at the value, naming it, and nothing else about that value', () => {
  const result = load(
    withInput(
      '  fakevendor:', // 6
      '    base_url: ${env:NO_SUCH_URL}', // 7
      '    credentials:', // 8
      '      token: ${file:/nonexistent/siphon-token}', // 9
    ),
    {},
  );
  const url = problemAt(result, 'inputs.fakevendor.base_url');
  assert.equal(url.code, 'CONFIG_SECRET_UNRESOLVED');
  assert.deepEqual([url.line, url.column], [7, 15]);
  assert.match(url.message, /NO_SUCH_URL is not set/);
  const token = problemAt(result, 'inputs.fakevendor.credentials.token');
  assert.equal(token.code, 'CONFIG_SECRET_UNRESOLVED');
  assert.deepEqual([token.line, token.column], [9, 14]);
  assert.match(token.message, /\/nonexistent\/siphon-token cannot be read: it does not exist/);
  assert.equal(problemsOf(result).length, 2);
  assert.match(formatProblem(url, 'config.yaml'), /^config\.yaml:7:15 \[InitVariablesError 8\] inputs\.fakevendor\.base_url: /);
});

test('InitVariablesError 1: a missing setting points at its parent mapping', () => {
  const result = load(withInput('  fakevendor:', '    credentials:', '      tokn: abc'));
  const missing = problemAt(result, 'inputs.fakevendor.credentials.token');
  assert.equal(missing.code, 'CONFIG_MISSING');
  assert.equal(missing.message, '`credentials.token` is missing and it is mandatory');
  assert.deepEqual([missing.line, missing.column], [7, 5]);

  const noCredentials = problemAt(load(withInput('  fakevendor:', '    enabled: true')), 'inputs.fakevendor.credentials');
  assert.equal(noCredentials.code, 'CONFIG_MISSING');
  assert.deepEqual([noCredentials.line, noCredentials.column], [6, 3]);

  // `token:` with nothing after it is a key with no value, reported at the key.
  const empty = problemAt(load(withInput('  fakevendor:', '    credentials:', '      token:')), 'inputs.fakevendor.credentials.token');
  assert.equal(empty.code, 'CONFIG_MISSING');
  assert.equal(empty.message, '`credentials.token` has no value and it is mandatory');
  assert.deepEqual([empty.line, empty.column], [8, 7]);

  const none = problemsOf(load(yaml('globals: {name: x}')));
  assert.deepEqual(
    none.map((p) => [p.code, p.path]),
    [
      ['CONFIG_MISSING', 'outputs'],
      ['CONFIG_MISSING', 'inputs'],
    ],
  );
});

test('InitVariablesError 2: wrong type names the YAML type received', () => {
  const result = load(
    withInput(
      '  fakevendor:', // 6
      '    enabled: yes', // 7
      '    credentials:', // 8
      '      token: [a, b]', // 9
      '    services:', // 10
      '      alpha: {request_period_in_seconds: "60"}', // 11
    ),
  );
  const token = problemAt(result, 'inputs.fakevendor.credentials.token');
  assert.equal(token.code, 'CONFIG_WRONG_TYPE');
  assert.equal(token.message, 'must be a string, not a list');
  assert.deepEqual([token.line, token.column], [9, 14]);
  const enabled = problemAt(result, 'inputs.fakevendor.enabled');
  assert.equal(enabled.code, 'CONFIG_WRONG_TYPE');
  assert.match(enabled.message, /^must be true or false, not a string \(write true or false/);
  const period = problemAt(result, 'inputs.fakevendor.services.alpha.request_period_in_seconds');
  assert.equal(period.code, 'CONFIG_WRONG_TYPE');
  assert.equal(period.message, 'must be a number, not a string');

  const id = problemAt(load(withInput('  fakevendor:', '    id: [1]', '    credentials: {token: x}')), 'inputs.fakevendor.id');
  assert.equal(id.code, 'CONFIG_WRONG_TYPE');
  assert.equal(id.message, 'must be a number or a string, not a list');
});

test('InitVariablesError 3: empty string', () => {
  const result = load(withInput('  fakevendor:', '    base_url: ""', '    credentials: {token: "${env:EMPTY}"}'), { EMPTY: '' });
  const url = problemAt(result, 'inputs.fakevendor.base_url');
  assert.equal(url.code, 'CONFIG_EMPTY_STRING');
  assert.equal(url.message, 'must not be an empty string');
  const token = problemAt(result, 'inputs.fakevendor.credentials.token');
  assert.equal(token.code, 'CONFIG_EMPTY_STRING');
  assert.equal(token.message, 'must not be an empty string (the value comes from ${env:EMPTY})');
});

test('InitVariablesError 4 and 5: a bad date, and a date in the future of the injected clock', () => {
  const text = withInput(
    '  fakevendor:', // 6
    '    credentials: {token: x}', // 7
    '    services:', // 8
    '      alpha: {start_time_value: 2024-13-01T00:00:00Z}', // 9
    '      beta: {}',
  );
  const bad = problemAt(load(text), 'inputs.fakevendor.services.alpha.start_time_value');
  assert.equal(bad.code, 'CONFIG_BAD_DATE');
  assert.deepEqual([bad.line, bad.column], [9, 33]);
  assert.match(bad.message, /^"2024-13-01T00:00:00Z" is not a valid date/);

  // 2024-05-01 is in the past for Date.now, but not for the loader's clock (2024-04-01).
  const future = withInput('  fakevendor:', '    credentials: {token: x}', '    services:', '      alpha: {start_time_value: "2024-05-01 00:00:00"}');
  assert.equal(load(future).ok, true);
  const problem = problemAt(load(future, {}, () => Date.parse('2024-04-01T00:00:00Z')), 'inputs.fakevendor.services.alpha.start_time_value');
  assert.equal(problem.code, 'CONFIG_FUTURE_DATE');
  assert.deepEqual([problem.line, problem.column], [9, 33]);
  assert.match(problem.message, /2024-05-01 00:00:00 is in the future/);
});

test('InitVariablesError 6: unknown key, at the key, with a suggestion', () => {
  const result = load(
    yaml(
      'globals:', // 1
      '  debug_stauts: true', // 2
      'outputs:', // 3
      '  c: {type: console, enabeld: false}', // 4
      'inputs:', // 5
      '  fakevendor:', // 6
      '    baseurl: https://x.test', // 7
      '    credentials: {token: x, zzz: 1}', // 8
      'input:', // 9
    ),
  );
  const globals = problemAt(result, 'globals.debug_stauts');
  assert.equal(globals.code, 'CONFIG_UNKNOWN_KEY');
  assert.deepEqual([globals.line, globals.column], [2, 3]);
  assert.match(globals.message, /did you mean `debug_status`\?/);
  assert.match(problemAt(result, 'outputs.c.enabeld').message, /did you mean `enabled`\?/);
  const baseurl = problemAt(result, 'inputs.fakevendor.baseurl');
  assert.deepEqual([baseurl.line, baseurl.column, baseurl.code], [7, 5, 'CONFIG_UNKNOWN_KEY']);
  assert.equal(baseurl.message, 'unknown setting `baseurl`; did you mean `base_url`?');
  const zzz = problemAt(result, 'inputs.fakevendor.credentials.zzz');
  assert.equal(zzz.message, 'unknown setting `zzz`; the settings here are: token');
  assert.match(problemAt(result, 'input').message, /did you mean `inputs`\?/);
});

test('InitVariablesError 7: values outside what is allowed say what is allowed', () => {
  const result = load(
    yaml(
      'globals:',
      '  log_format: xml', // 2
      '  persistence: {type: redis}', // 3
      '  memory_report_interval_seconds: -5', // 4
      'outputs:',
      '  c: {type: consol}', // 6
      'inputs:',
      '  fakevendor:',
      '    base_url: ftp://x.test', // 9
      '    credentials: {token: x}',
      '    services:',
      '      alpha: {request_period_in_seconds: 0, obfuscation: [{path: a.b, method: encrypt}]}', // 12
    ),
  );
  const format = problemAt(result, 'globals.log_format');
  assert.deepEqual([format.code, format.message, format.line], ['CONFIG_INVALID_VALUE', 'must be one of: "text", "json" (got "xml")', 2]);
  const persistence = problemAt(result, 'globals.persistence.type');
  assert.deepEqual([persistence.code, persistence.message], ['CONFIG_INVALID_VALUE', 'must be one of: "filesystem", "memory", "postgres" (got "redis")']);
  assert.equal(problemAt(result, 'globals.memory_report_interval_seconds').message, 'must be at least 0 (got -5)');
  const output = problemAt(result, 'outputs.c.type');
  assert.equal(output.code, 'CONFIG_INVALID_VALUE');
  assert.match(output.message, /unknown output type "consol"; did you mean `console`\?; the output types are: file, console\b/);
  assert.match(problemAt(result, 'inputs.fakevendor.base_url').message, /must start with https:\/\/ or http:\/\//);
  assert.equal(problemAt(result, 'inputs.fakevendor.services.alpha.request_period_in_seconds').message, 'must be at least 1 (got 0)');
  const method = problemAt(result, 'inputs.fakevendor.services.alpha.obfuscation[0].method');
  assert.deepEqual([method.code, method.line], ['CONFIG_INVALID_VALUE', 12]);
  assert.match(method.message, /must be one of: "hash", "mask", "drop" \(got "encrypt"\)/);
});

test('InitVariablesError 10: unknown connector type or service, listing the known ones', () => {
  const result = load(
    withInput(
      '  fakevendr:', // 6
      '    credentials: {token: x}',
      '  second:', // 8
      '    type: lastpass', // 9
      '  third:', // 10
      '    type: fakevendor',
      '    credentials: {token: x}',
      '    services:',
      '      alpah: {}', // 14
      '      beta: {}',
    ),
  );
  const byName = problemAt(result, 'inputs.fakevendr');
  assert.deepEqual([byName.code, byName.line, byName.column], ['CONFIG_UNKNOWN_CONNECTOR', 6, 3]);
  assert.match(byName.message, /did you mean `fakevendor`\?.*fakevendor, onepassword/);
  const byType = problemAt(result, 'inputs.second.type');
  assert.deepEqual([byType.code, byType.line], ['CONFIG_UNKNOWN_CONNECTOR', 9]);
  assert.match(byType.message, /unknown connector type "lastpass"; the connector types are: fakevendor, onepassword/);
  const service = problemAt(result, 'inputs.third.services.alpah');
  assert.deepEqual([service.code, service.line, service.column], ['CONFIG_UNKNOWN_CONNECTOR', 14, 7]);
  assert.equal(service.message, 'fakevendor has no service `alpah`; did you mean `alpha`?; its services are: alpha, beta');
  assert.equal(problemsOf(result).length, 3, 'the unknown service is not reported a second time as an unknown key');
});

test('InitVariablesError 9: YAML syntax errors and duplicate keys, with line:column', () => {
  const syntax = problemsOf(load(yaml('globals:', '  name: [a, b', 'outputs: {}')));
  assert.ok(syntax.length >= 1);
  assert.ok(syntax.every((p) => p.code === 'CONFIG_SYNTAX' && p.line > 0 && p.column > 0));

  const duplicate = problemsOf(load(withInput('  fakevendor:', '    credentials: {token: x}', '    enabled: true', '    enabled: false')));
  assert.deepEqual(
    duplicate.map((p) => [p.code, p.line, p.column]),
    [['CONFIG_SYNTAX', 9, 5]],
  );
  assert.match(duplicate[0]?.message ?? '', /duplicate keys are not allowed/);

  const tabs = problemsOf(load('globals:\n\tname: x\n'));
  assert.equal(tabs[0]?.code, 'CONFIG_SYNTAX');
  assert.equal(tabs[0]?.line, 2);
});

test('an unreadable file is InitVariablesError 9 naming the path', async () => {
  const result = await loadConfigFile('/nonexistent/siphon/config.yaml', registries);
  const [problem] = problemsOf(result);
  assert.equal(problem?.code, 'CONFIG_SYNTAX');
  assert.match(problem?.message ?? '', /\/nonexistent\/siphon\/config\.yaml: it does not exist/);
  assert.equal(formatProblem(problem as ConfigProblem, 'config.yaml'), `config.yaml [InitVariablesError 9] ${problem?.message ?? ''}`);
});

test('every problem is reported at once, sorted by line', () => {
  const result = load(
    yaml(
      'globals:', // 1
      '  log_format: yaml', // 2
      'outputs:', // 3
      '  f: {type: file, config: {}}', // 4
      'inputs:', // 5
      '  fakevendor:', // 6
      '    credentials:', // 7
      '      token: 42', // 8
      '    services:', // 9
      '      alpha: {start_time_value: yesterday}', // 10
      '      gamma: {}', // 11
      '  other:', // 12
      '    type: fakevendor', // 13
      '    credentials: {token: "${env:NOT_SET}"}', // 14
      '    colour: blue', // 15
    ),
    {},
  );
  assert.deepEqual(
    problemsOf(result).map((p) => [p.line, p.code, p.path]),
    [
      [2, 'CONFIG_INVALID_VALUE', 'globals.log_format'],
      [4, 'CONFIG_MISSING', 'outputs.f.config.path'],
      [8, 'CONFIG_WRONG_TYPE', 'inputs.fakevendor.credentials.token'],
      [10, 'CONFIG_BAD_DATE', 'inputs.fakevendor.services.alpha.start_time_value'],
      [11, 'CONFIG_UNKNOWN_CONNECTOR', 'inputs.fakevendor.services.gamma'],
      [14, 'CONFIG_SECRET_UNRESOLVED', 'inputs.other.credentials.token'],
      [15, 'CONFIG_UNKNOWN_KEY', 'inputs.other.colour'],
    ],
  );
});

test('`type:` lets two inputs of one connector coexist', () => {
  const config = loaded(
    load(
      withInput(
        '  vendor_eu:',
        '    type: fakevendor',
        '    id: eu-1',
        '    base_url: https://eu.fakevendor.test',
        '    credentials: {token: "${env:FAKE_TOKEN}"}',
        '  vendor_us:',
        '    type: fakevendor',
        '    enabled: false',
        '    credentials: {token: other-token}',
      ),
    ),
  );
  assert.deepEqual(
    config.inputs.map((i) => [i.name, i.type, i.id, i.enabled]),
    [
      ['vendor_eu', 'fakevendor', 'eu-1', true],
      ['vendor_us', 'fakevendor', undefined, false],
    ],
  );
  assert.deepEqual(config.secrets, [TOKEN, 'other-token'], 'literal secrets come from the connector too');
});

test('Devo-only globals are accepted with a warning', () => {
  const result = load(
    yaml(
      'globals:',
      '  id: not_used',
      '  name: devo',
      '  requests_per_second: 5',
      '  multiprocessing: false',
      '  queue_max_size_in_mb: 512',
      '  generate_metrics: false',
      'outputs: {c: {type: console}}',
      'inputs: {fakevendor: {credentials: {token: x}}}',
    ),
  );
  const config = loaded(result);
  assert.equal(config.globals.name, 'devo');
  assert.equal(config.globals.queue_max_size_in_mb, 512, 'the queue bound is a real setting, as in Devo');
  assert.deepEqual(
    result.warnings.map((w) => [w.code, w.path, w.line]),
    [
      ['CONFIG_UNKNOWN_KEY', 'globals.id', 2],
      ['CONFIG_UNKNOWN_KEY', 'globals.requests_per_second', 4],
      ['CONFIG_UNKNOWN_KEY', 'globals.multiprocessing', 5],
      ['CONFIG_UNKNOWN_KEY', 'globals.generate_metrics', 7],
    ],
  );
  assert.match(result.warnings[0]?.message ?? '', /Devo collector setting that Siphon does not use; it is ignored/);
});

test('hash obfuscation rules need globals.obfuscation.hash_key', () => {
  const input = [
    'inputs:',
    '  fakevendor:',
    '    credentials: {token: x}',
    '    services:',
    '      beta: {obfuscation: [{path: user.email, method: hash}]}',
  ];
  const missing = problemAt(load(yaml('globals: {name: x}', 'outputs: {c: {type: console}}', ...input)), 'globals.obfuscation.hash_key');
  assert.equal(missing.code, 'CONFIG_MISSING');
  assert.equal(missing.line, 1);
  assert.match(missing.message, /inputs\.fakevendor\.services\.beta hashes `user\.email`/);

  const result = load(yaml('globals: {obfuscation: {hash_key: "${env:HASH_KEY}"}}', 'outputs: {c: {type: console}}', ...input), {
    HASH_KEY: 'pepper-for-hashing',
  });
  const config = loaded(result);
  assert.deepEqual(config.globals.obfuscation, { hash_key: 'pepper-for-hashing' });
  assert.ok(config.secrets.includes('pepper-for-hashing'));
});

test('no secret value ever appears in a problem message', () => {
  const env = { FAKE_TOKEN: TOKEN, URL_SECRET: 'not a url but secret-ish value', SHORT: 'abcd1234' };
  const result = load(
    yaml(
      'globals:',
      '  log_format: "${env:FAKE_TOKEN}"',
      '  obfuscation: {hash_key: [nope]}',
      'outputs: {c: {type: console}}',
      'inputs:',
      '  fakevendor:',
      '    base_url: ${env:URL_SECRET}',
      '    credentials: {token: "${env:SHORT}", extra: 1}',
      '    services:',
      '      alpha: {start_time_value: "${env:FAKE_TOKEN}"}',
    ),
    env,
  );
  const problems = problemsOf(result);
  assert.ok(problems.length >= 4, JSON.stringify(problems));
  for (const problem of problems) {
    const line = formatProblem(problem, 'config.yaml');
    for (const secret of Object.values(env)) assert.ok(!line.includes(secret), `secret leaked: ${line}`);
  }
  assert.ok(problems.some((p) => p.message.includes('[REDACTED]')), 'messages quoting a secret value are redacted');
});

test('formatProblem: file:line:col [catalogue code] path: message', () => {
  const line = formatProblem(
    { code: 'CONFIG_BAD_DATE', path: 'inputs.onepassword.services.audit.start_time_value', line: 14, column: 7, message: '"2024-13-01" is not a valid date' },
    'config.yaml',
  );
  assert.equal(line, 'config.yaml:14:7 [InitVariablesError 4] inputs.onepassword.services.audit.start_time_value: "2024-13-01" is not a valid date');
});

test('a file that is not a mapping, and unknown top-level sections', () => {
  const list = problemsOf(load('- a\n- b\n'));
  assert.deepEqual(list.map((p) => [p.code, p.path, p.line]), [['CONFIG_WRONG_TYPE', '', 1]]);
  const empty = problemsOf(load(''));
  assert.deepEqual(empty.map((p) => p.code), ['CONFIG_MISSING', 'CONFIG_MISSING']);
});

test('outputs choose their sender services; the default depends on the output type; an unknown service is refused', () => {
  // Siphon's real outputs, for their default services.
  const real: Registries = { ...registries, outputs: builtinOutputs };
  const config = loaded(
    loadConfigText(
      yaml(
        'outputs:',
        '  f: {type: file, config: {path: ./e.ndjson}}',
        '  f_all: {type: file, services: [standard, internal], config: {path: ./a.ndjson}}',
        '  d: {type: devo_platform, config: {address: collector-eu.devo.io}}',
        '  logs_only: {type: syslog, services: [internal], config: {address: siem.example.net}}',
        'inputs: {fakevendor: {credentials: {token: x}}}',
      ),
      'config.yaml',
      BASE,
      real,
      { env: {}, now: () => NOW },
    ),
  );
  assert.deepEqual(
    config.outputs.map((o) => [o.name, o.channels]),
    [
      ['f', ['standard']],
      ['f_all', ['standard', 'internal']],
      ['d', ['standard', 'internal']],
      ['logs_only', ['internal']],
    ],
  );
  const bad = problemAt(load(yaml('outputs:', '  c: {type: console, services: [lookup]}', 'inputs: {fakevendor: {credentials: {token: x}}}')), 'outputs.c.services[0]');
  assert.equal(bad.code, 'CONFIG_INVALID_VALUE');
  assert.match(bad.message, /must be one of: "standard", "internal" \(got "lookup"\)/);
});

test('persistence postgres: the URL is checked at load without ever being repeated, its password is a secret, schema and ca_file have their defaults and paths', () => {
  const input = ['inputs:', '  fakevendor:', '    credentials: {token: "${env:FAKE_TOKEN}"}'];
  const withPersistence = (config: string, env: NodeJS.ProcessEnv = {}): LoadResult =>
    load(yaml('globals:', `  persistence: {type: postgres, config: ${config}}`, 'outputs: {c: {type: console}}', ...input), { FAKE_TOKEN: TOKEN, ...env });

  const plain = loaded(withPersistence('{url: "postgres://siphon:p%40ss-w0rd-x@db.example:5433/audit"}'));
  assert.deepEqual(plain.globals.persistence, { type: 'postgres', url: 'postgres://siphon:p%40ss-w0rd-x@db.example:5433/audit', schema: 'siphon' });
  assert.ok(plain.secrets.includes('p@ss-w0rd-x'), 'the decoded password');
  assert.ok(plain.secrets.includes('p%40ss-w0rd-x'), 'the password as written in the URL');

  const full = loaded(withPersistence('{url: "${env:PG_URL}", schema: audit_logs, ca_file: certs/pg-ca.pem}', { PG_URL: 'postgres://u:pw-from-env@db/x?sslmode=verify-ca' }));
  assert.deepEqual(full.globals.persistence, { type: 'postgres', url: 'postgres://u:pw-from-env@db/x?sslmode=verify-ca', schema: 'audit_logs', caFile: join(BASE, 'certs/pg-ca.pem') });
  assert.ok(full.secrets.includes('pw-from-env'));

  for (const [url, says] of [
    ['postgres://u:hunter2-secret@db.example/x?sslmode=prefer', /sslmode=prefer; use one of disable, require, verify-ca, verify-full/],
    ['mysql://u:hunter2-secret@db.example/x', /must start with postgres:\/\//],
    ['postgres://u:hunter2-secret@db.example/', /names no database/],
    ['not a url hunter2-secret', /is not a URL/],
  ] as const) {
    const problem = problemAt(withPersistence(`{url: "${url}"}`), 'globals.persistence.config.url');
    assert.equal(problem.code, 'CONFIG_INVALID_VALUE');
    assert.match(problem.message, says);
    assert.doesNotMatch(problem.message, /hunter2-secret/);
  }
  assert.equal(problemAt(withPersistence('{schema: x}'), 'globals.persistence.config.url').code, 'CONFIG_MISSING');
  assert.equal(problemAt(withPersistence(`{url: "postgres://u@db/x", schema: ${'s'.repeat(64)}}`), 'globals.persistence.config.schema').code, 'CONFIG_INVALID_VALUE');
  assert.equal(problemAt(withPersistence('{url: "postgres://u@db/x", directory_name: y}'), 'globals.persistence.config.directory_name').code, 'CONFIG_UNKNOWN_KEY');
});
