// Every code in the error catalogue is documented in docs/errors.md, and the page names
// no code that the catalogue does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '../src/core/errors.js';

test('docs/errors.md and the error catalogue are in step', () => {
  const page = readFileSync('docs/errors.md', 'utf8');
  const documented = new Set<string>();
  for (const match of page.matchAll(/^\| (\w+Error) \| (\d+) \|/gm)) documented.add(`${match[1]} ${match[2]}`);
  const catalogue = new Set(Object.values(ERROR_CATALOGUE).map((e) => `${e.family} ${e.id}`));
  for (const code of catalogue) assert.ok(documented.has(code), `${code} is not documented in docs/errors.md`);
  for (const code of documented) assert.ok(catalogue.has(code), `docs/errors.md documents ${code}, which the catalogue does not have`);
});
