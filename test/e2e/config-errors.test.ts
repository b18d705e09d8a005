// Each bad configuration exits 2, naming the setting, its line and the error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSiphon, tempDir, writeConfig } from './harness.js';

const GOOD_SERVICE = 'audit: {start_time_value: 2024-05-01T00:00:00Z, request_period_in_seconds: 60}';

function config(credentials: string, audit = GOOD_SERVICE, extra = ''): string {
  return `globals:
  name: my-collector
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
  console_1: {type: console}
inputs:
  onepassword:
    id: 10001
    enabled: true
    base_url: https://events.1password.com
${extra}    credentials:
${credentials}
    services:
      ${audit}
      item_usage: {}
      sign_in_attempts: {}
`;
}

const cases: Array<{ name: string; yaml: string; expect: RegExp[] }> = [
  { name: 'missing token', yaml: config('      token_typo: x'), expect: [/InitVariablesError 1\].*inputs\.onepassword\.credentials\.token/, /InitVariablesError 6\].*token_typo/] },
  { name: 'token of the wrong type', yaml: config('      token: [a, b]'), expect: [/:13:\d+ \[InitVariablesError 2\] inputs\.onepassword\.credentials\.token/] },
  { name: 'empty token', yaml: config('      token: ""'), expect: [/:13:\d+ \[InitVariablesError 3\] inputs\.onepassword\.credentials\.token/] },
  { name: 'badly formatted date', yaml: config('      token: abcdefgh', 'audit: {start_time_value: 2024-13-45 99:00}'), expect: [/\[InitVariablesError 4\] inputs\.onepassword\.services\.audit\.start_time_value/] },
  { name: 'date in the future', yaml: config('      token: abcdefgh', 'audit: {start_time_value: "2999-01-01 00:00:00"}'), expect: [/\[InitVariablesError 5\] inputs\.onepassword\.services\.audit\.start_time_value/] },
  { name: 'unknown key', yaml: config('      token: abcdefgh', 'audit: {start_time_valeu: 2024-05-01T00:00:00Z}'), expect: [/\[InitVariablesError 6\] inputs\.onepassword\.services\.audit\.start_time_valeu.*start_time_value/] },
  { name: 'unresolved secret', yaml: config('      token: ${env:SIPHON_TEST_UNSET_VARIABLE}'), expect: [/:13:\d+ \[InitVariablesError 8\].*SIPHON_TEST_UNSET_VARIABLE/] },
  {
    name: 'unquoted secret reference in a flow mapping',
    yaml: config('      token: abcdefgh').replace('    credentials:\n      token: abcdefgh', '    credentials: {token: ${env:OP_TOKEN}}'),
    expect: [/:12:\d+ \[InitVariablesError 9\].*must be quoted/],
  },
  { name: 'unknown service', yaml: config('      token: abcdefgh', 'audits: {}'), expect: [/\[InitVariablesError 10\] inputs\.onepassword\.services\.audits/] },
];

for (const c of cases) {
  test(`bad config: ${c.name} exits 2 and names the setting`, async () => {
    const dir = await tempDir();
    const path = await writeConfig(dir, c.yaml);
    for (const command of [['validate', '--config', path], ['run', '--config', path, '--once']]) {
      const result = await runSiphon(command);
      assert.equal(result.code, 2, `${command[0]}: ${result.stderr}`);
      for (const pattern of c.expect) assert.match(result.stderr, pattern);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
}

test('several problems are reported at once', async () => {
  const dir = await tempDir();
  const path = await writeConfig(dir, config('      token: ""', 'audit: {start_time_value: yesterday, request_period_in_seconds: "60"}'));
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /InitVariablesError 3/);
  assert.match(result.stderr, /InitVariablesError 4/);
  assert.match(result.stderr, /InitVariablesError 2\].*request_period_in_seconds/);
});

test('the example configuration of the issue validates as written', async () => {
  const dir = await tempDir();
  const path = await writeConfig(dir, config('      token: ${env:OP_EVENTS_TOKEN}'));
  const result = await runSiphon(['validate', '--config', path], { OP_EVENTS_TOKEN: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /valid \(1 input\(s\), 3 enabled service\(s\), 2 output\(s\)\)/);
});

test('LastPass settings are checked up front: zone, account number, dates, the hash', async () => {
  const dir = await tempDir();
  const path = await writeConfig(
    dir,
    `globals:
  name: my-collector
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  lastpass:
    credentials:
      company_id: "12ab34"
      provisioning_hash: ""
    services:
      reporting:
        start_time_in_utc: "2024-02-30 00:00:00"
        time_zone: America/New_Yrok
        lag_in_seconds: -5
`,
  );
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /:9:\d+ \[InitVariablesError 7\] inputs\.lastpass\.credentials\.company_id: "12ab34" must be the account number: digits only/);
  assert.match(result.stderr, /:10:\d+ \[InitVariablesError 3\] inputs\.lastpass\.credentials\.provisioning_hash/);
  assert.match(result.stderr, /:13:\d+ \[InitVariablesError 4\] inputs\.lastpass\.services\.reporting\.start_time_in_utc/);
  assert.match(result.stderr, /:14:\d+ \[InitVariablesError 7\] inputs\.lastpass\.services\.reporting\.time_zone: "America\/New_Yrok" is not a time zone/);
  assert.match(result.stderr, /:15:\d+ \[InitVariablesError 7\] inputs\.lastpass\.services\.reporting\.lag_in_seconds/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test('Lark start times are numbered as in Devo\'s Lark collector: 1 badly written, 2 in the future', async () => {
  const dir = await tempDir();
  const lark = (start: string): string => `globals:
  name: my-collector
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  lark:
    credentials: {app_id: cli_a5f3e1b2c4d6e8f0, app_secret: abc}
    services:
      audit_infos: {initial_start_time_in_utc_value: "${start}"}
`;
  const bad = await runSiphon(['validate', '--config', await writeConfig(dir, lark('2024-13-01 00:00'))]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /:10:\d+ \[InitVariablesError 1\] inputs\.lark\.services\.audit_infos\.initial_start_time_in_utc_value: "2024-13-01 00:00" is not a valid date/);
  const future = await runSiphon(['validate', '--config', await writeConfig(dir, lark('2999-01-01T00:00:00Z'))]);
  assert.equal(future.code, 2, future.stderr);
  assert.match(future.stderr, /:10:\d+ \[InitVariablesError 2\] inputs\.lark\.services\.audit_infos\.initial_start_time_in_utc_value: 2999-01-01T00:00:00Z is in the future/);
});

test('Kiteworks: historical_poll_datetime as the Devo table numbers it (15 format, 16 older than a year, 17 future); exactly one flow', async () => {
  const dir = await tempDir();
  const kiteworks = (start: string, credentials: string): string => `globals:
  name: my-collector
  persistence: {type: filesystem, config: {directory_name: ./state}}
outputs:
  file_1: {type: file, config: {path: ./events.ndjson}}
inputs:
  kiteworks:
    api_base_url: https://kiteworks.example.com
    credentials: {client_id: app, client_secret: s3cret${credentials}}
    services:
      admin: {historical_poll_datetime: "${start}"}
`;
  const flow = ', refresh_token: r';
  const cases: Array<[string, string, RegExp]> = [
    ['not a date', flow, /\[InitVariablesError 15\] inputs\.kiteworks\.services\.admin\.historical_poll_datetime/],
    ['2020-01-01T00:00:00Z', flow, /\[InitVariablesError 16\] inputs\.kiteworks\.services\.admin\.historical_poll_datetime: Please enter valid date for historical_poll_datetime less than or equal to one year/],
    ['2999-01-01T00:00:00Z', flow, /\[InitVariablesError 17\] inputs\.kiteworks\.services\.admin\.historical_poll_datetime/],
    [new Date(Date.now() - 86_400_000).toISOString(), '', /\[InitVariablesError 1\] inputs\.kiteworks\.credentials: must set exactly one flow/],
    [new Date(Date.now() - 86_400_000).toISOString(), ', signature_key: k', /\[InitVariablesError 1\] inputs\.kiteworks\.credentials\.user_email: is required/],
  ];
  for (const [start, credentials, expected] of cases) {
    const result = await runSiphon(['validate', '--config', await writeConfig(dir, kiteworks(start, credentials))]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, expected);
    assert.ok(!result.stderr.includes('s3cret'));
  }
});
