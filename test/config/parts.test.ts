import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { formatPath } from '../../src/config/path.js';
import { knownKeysAt } from '../../src/config/schema-keys.js';
import { substitute } from '../../src/config/secrets.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import { YamlSource } from '../../src/config/yaml-source.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('base_url', 'base_url'), 0);
  assert.equal(editDistance('baseurl', 'base_url'), 1);
  assert.equal(editDistance('debug_stauts', 'debug_status'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closest('TOKEN', ['token', 'base_url']), 'token');
  assert.equal(closest('colour', ['token', 'base_url']), undefined);
  assert.equal(closest('connect_timeout', ['max_retries', 'connect_timeout_seconds']), 'connect_timeout_seconds');
  assert.equal(closest('id', ['identity']), undefined, 'short words do not match by prefix');
});

test('substitute: env and file references, embedded, several, escaped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-secrets-'));
  try {
    await writeFile(join(dir, 'pw'), 'p@ss\r\n\n');
    const ctx = { env: { USER_NAME: 'alice', EMPTY: '' }, baseDir: dir };
    assert.deepEqual(substitute('plain value', ctx), { value: 'plain value', references: [], secrets: [], failures: [] });
    assert.deepEqual(substitute('https://${env:USER_NAME}:${file:pw}@host', ctx), {
      value: 'https://alice:p@ss@host',
      references: ['${env:USER_NAME}', '${file:pw}'],
      secrets: ['alice', 'p@ss'],
      failures: [],
    });
    assert.equal(substitute('$${env:USER_NAME} costs $5 and ${other}', ctx).value, '${env:USER_NAME} costs $5 and ${other}');
    assert.deepEqual(substitute('${env:EMPTY}', ctx).secrets, [], 'an empty value is not a secret to redact');
    const failed = substitute('${env:MISSING}-${file:nope}-${env:}', ctx);
    assert.equal(failed.failures.length, 3);
    assert.match(failed.failures[0] ?? '', /MISSING is not set/);
    assert.match(failed.failures[1] ?? '', new RegExp(`${join(dir, 'nope').replace(/[/\\]/g, '.')} cannot be read`));
    assert.match(failed.failures[2] ?? '', /names no environment variable/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('YamlSource: positions of values, keys and missing keys; aliases; core schema', () => {
  const source = YamlSource.parse(['base: &b', '  x: 1', 'copy: *b', 'list:', '  - {a: 2020-01-01T00:00:00Z}', 'empty:', ''].join('\n'));
  assert.deepEqual(source.errors(), []);
  assert.deepEqual(source.positionOf(['base', 'x']), { line: 2, column: 6 });
  assert.deepEqual(source.positionOf(['base', 'x'], 'key'), { line: 2, column: 3 });
  assert.deepEqual(source.positionOf(['base', 'y']), { line: 1, column: 1 }, 'missing: the key of the parent');
  assert.deepEqual(source.positionOf(['copy', 'x']), { line: 2, column: 6 }, 'through an alias: where the value is written');
  assert.deepEqual(source.positionOf(['list', 0, 'a']), { line: 5, column: 9 });
  assert.deepEqual(source.positionOf(['empty']), { line: 6, column: 1 }, 'an empty value points at its key');
  assert.equal(source.has(['empty']), true);
  assert.equal(source.has(['nothing']), false);
  const seen: string[] = [];
  const { value } = source.toValue((text, path) => {
    seen.push(formatPath(path));
    return text;
  });
  assert.deepEqual(value, { base: { x: 1 }, copy: { x: 1 }, list: [{ a: '2020-01-01T00:00:00Z' }], empty: null });
  assert.deepEqual(seen, ['list[0].a']);
});

test('YamlSource: a `__proto__` key is plain data', () => {
  const { value } = YamlSource.parse('__proto__: {polluted: true}\n').toValue((t) => t);
  assert.deepEqual(Object.keys(value as object), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
});

test('YamlSource: alias bombs are cut short', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  const { problems } = YamlSource.parse(lines.join('\n')).toValue((t) => t);
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? '', /expands to more than/);
});

test('knownKeysAt walks objects through defaults, pipes, unions, arrays and records', () => {
  const schema = z
    .object({
      a: z.object({ b: z.string(), c: z.number() }).strict().default({ b: '', c: 0 }),
      list: z.array(z.object({ path: z.string(), method: z.string() }).strict()).default([]),
      map: z.record(z.string(), z.object({ k: z.string() })),
      either: z.union([z.object({ x: z.string() }), z.object({ y: z.string() })]),
      piped: z.object({ p: z.string() }).transform((v) => v.p),
    })
    .strict();
  assert.deepEqual(knownKeysAt(schema, []), ['a', 'list', 'map', 'either', 'piped']);
  assert.deepEqual(knownKeysAt(schema, ['a']), ['b', 'c']);
  assert.deepEqual(knownKeysAt(schema, ['list', 3]), ['path', 'method']);
  assert.deepEqual(knownKeysAt(schema, ['map', 'anything']), ['k']);
  assert.deepEqual(knownKeysAt(schema, ['either']), ['x', 'y']);
  assert.deepEqual(knownKeysAt(schema, ['piped']), ['p']);
  assert.deepEqual(knownKeysAt(schema, ['nowhere']), []);
});

test('formatPath', () => {
  assert.equal(formatPath(['inputs', 'op', 'services', 'audit', 'obfuscation', 0, 'path']), 'inputs.op.services.audit.obfuscation[0].path');
  assert.equal(formatPath([]), '');
});
