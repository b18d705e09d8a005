// writeAll: all of it or an IncompleteWriteError telling how much landed, under a real file
// size limit (a child process with `ulimit -f`), and descriptorWriter for standard output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { descriptorWriter, writeAll, writeFileAll } from '../../src/fs/write-all.js';
import { runUnderFileSizeLimit } from '../support/file-size-limit.js';

const CHILD = resolve('dist/test/support/limited-writes-child.js');

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'siphon-write-all-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a write past a file size limit fails with the bytes that landed, instead of passing for whole', () =>
  withDir(async (dir) => {
    const child = await runUnderFileSizeLimit(1, CHILD, ['writeAll', dir]);
    assert.equal(child.code, 0, child.stderr);
    const result = JSON.parse(child.stdout) as { write: string };
    assert.equal(result.write, 'IncompleteWriteError EFBIG written=1024: EFBIG: file too large (1024 of 3000 bytes written)');
    assert.equal((await stat(join(dir, 'data.bin'))).size, 1024);
  }));

test('everything is written, multi-byte text included, through a handle and through a descriptor', () =>
  withDir(async (dir) => {
    const text = 'é✓𝄞 line\n'.repeat(50_000);
    const handle = await open(join(dir, 'a.txt'), 'a');
    try {
      await writeAll(handle, text);
      await writeAll(handle, '');
    } finally {
      await handle.close();
    }
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), text);

    const fd = openSync(join(dir, 'b.txt'), 'a');
    try {
      await writeAll(descriptorWriter(fd), text);
    } finally {
      closeSync(fd);
    }
    assert.equal(await readFile(join(dir, 'b.txt'), 'utf8'), text);

    await writeFileAll(join(dir, 'c.txt'), 'first version, longer\n');
    await writeFileAll(join(dir, 'c.txt'), 'second\n');
    assert.equal(await readFile(join(dir, 'c.txt'), 'utf8'), 'second\n');
  }));
