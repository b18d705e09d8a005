// Configurations that used to make `siphon validate` hang or swell, through the CLI: a mapping
// of 80,000 keys (the parser's duplicate check was quadratic), a file above the size limit
// (refused before it is read), and a ${file:} that names a FIFO (opening it waited for ever).
// None of these asserts a duration: the harness's 120 s limit only guards against a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSiphon, tempDir, writeConfig, type CliResult } from './harness.js';

const KEYS = 80_000;

/** A valid collector whose HTTP output carries `headers` (a free mapping: any number of keys is valid). */
function withHeaders(headers: string): string {
  return `globals:
  name: big-collector
  persistence: {type: memory}
outputs:
  http_1:
    type: http
    config:
      url: https://collector.example.com/events
      headers:
${headers}inputs:
  onepassword:
    id: 10001
    credentials: {token: abcdefgh}
    services:
      audit: {}
`;
}

/** The line of the first header (1-based) in `withHeaders`. */
const FIRST_HEADER_LINE = 10;

function headerLines(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += `        x-siphon-header-${i}: value-${i}\n`;
  return text;
}

const output = (r: CliResult): string => `${r.stdout}${r.stderr}`;

test(`a mapping of ${KEYS.toLocaleString('en')} keys validates`, async () => {
  const dir = await tempDir('siphon-e2e-limits-');
  const path = await writeConfig(dir, withHeaders(headerLines(KEYS)));
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 0, output(result).slice(0, 2000));
  assert.match(result.stdout, /valid \(1 input\(s\), 1 enabled service\(s\), 1 output\(s\)\)/);
});

test(`a duplicate among ${KEYS.toLocaleString('en')} keys is still found, at its line and column`, async () => {
  const dir = await tempDir('siphon-e2e-limits-');
  const path = await writeConfig(dir, withHeaders(`${headerLines(KEYS)}        x-siphon-header-17: again\n`));
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 2, output(result).slice(0, 2000));
  assert.match(result.stderr, new RegExp(`config\\.yaml:${FIRST_HEADER_LINE + KEYS}:9 \\[InitVariablesError 9\\] this key already appears earlier in the same mapping`));
  assert.match(result.stderr, /1 problem\(s\) found/);
});

test('a file above the size limit is refused before it is read, naming the file and its size: exit 2', async () => {
  const dir = await tempDir('siphon-e2e-limits-');
  const path = join(dir, 'huge.yaml');
  await writeFile(path, '');
  await truncate(path, 59 * 1024 * 1024); // sparse: 59 MiB without writing them
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 2, output(result));
  assert.match(
    result.stderr,
    new RegExp(`\\[InitVariablesError 9\\] cannot read the configuration file ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it is 59 MiB, more than the 4 MiB a configuration file may take`),
  );
});

test('a ${file:} secret that names a FIFO is refused at once, naming the setting: exit 2', async () => {
  const dir = await tempDir('siphon-e2e-limits-');
  const fifo = join(dir, 'token.fifo');
  await promisify(execFile)('mkfifo', [fifo]);
  const path = await writeConfig(dir, withHeaders('').replace('      headers:\n', '').replace('{token: abcdefgh}', '{token: "${file:./token.fifo}"}'));
  const result = await runSiphon(['validate', '--config', path]);
  assert.equal(result.code, 2, output(result));
  assert.match(result.stderr, /\[InitVariablesError 8\] inputs\.onepassword\.credentials\.token: .*token\.fifo cannot be read: it is a named pipe \(FIFO\), not a regular file/);
});

test('a ${file:} secret that names a folder or a device is refused the same way', async () => {
  const dir = await tempDir('siphon-e2e-limits-');
  const base = withHeaders('').replace('      headers:\n', '');
  for (const [target, why] of [['.', 'it is a folder'], ['/dev/zero', 'it is a device']] as const) {
    const path = await writeConfig(dir, base.replace('{token: abcdefgh}', `{token: "\${file:${target}}"}`));
    const result = await runSiphon(['validate', '--config', path]);
    assert.equal(result.code, 2, output(result));
    assert.match(result.stderr, new RegExp(`\\[InitVariablesError 8\\] inputs\\.onepassword\\.credentials\\.token: .*cannot be read: ${why}, not a regular file`));
  }
});
