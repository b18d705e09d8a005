// The V8 heap defaults of `siphon run` and `siphon demo` (src/cli/heap-defaults.ts): applied
// unless the operator chose a growing factor, and known to the V8 of the Node running the tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAP_GROWING_PERCENT, heapFlagsToSet } from '../../src/cli/heap-defaults.js';

test('without a Node flag from the operator, the growing factor is set', () => {
  assert.deepEqual(heapFlagsToSet([], undefined), [`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`]);
  assert.deepEqual(heapFlagsToSet(['--max-semi-space-size=1', '--enable-source-maps'], '--max-old-space-size=512'), [`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`]);
});

test("the operator's growing factor wins, in either spelling, 0 included", () => {
  assert.deepEqual(heapFlagsToSet(['--heap-growing-percent=0'], undefined), []);
  assert.deepEqual(heapFlagsToSet(['--heap_growing_percent=80'], undefined), []);
  assert.deepEqual(heapFlagsToSet([], '--max-old-space-size=512 --heap-growing-percent=30'), []);
});

test('a flag that only starts the same way is not taken for it', () => {
  assert.deepEqual(heapFlagsToSet(['--heap-growing-percentage=5'], undefined), [`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`]);
});

test("this Node's V8 accepts the flag (an unknown one would print an error)", () => {
  const module = fileURLToPath(new URL('../../src/cli/heap-defaults.js', import.meta.url));
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `import { applyHeapDefaults } from ${JSON.stringify(module)}; applyHeapDefaults([], undefined);`], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, '');
});
