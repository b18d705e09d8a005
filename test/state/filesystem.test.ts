import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import type { StateKey } from '../../src/core/contracts.js';
import { FilesystemStateStore } from '../../src/state/filesystem.js';
import { openStateStore } from '../../src/state/index.js';
import { isCode, sampleState, stateStoreSuite } from './store-suite.js';
import { runUnderFileSizeLimit } from '../support/file-size-limit.js';

const KEY: StateKey = { input: 'onepassword', service: 'audit_events' };

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'siphon-state-'));
}


/** Fields 3 (state) and 22 (start in clock ticks) of /proc/<pid>/stat; undefined without /proc or process. */
async function procStat(pid: number): Promise<{ state: string; startTicks: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

const hasProc = (await procStat(process.pid)) !== undefined;

/**
 * A shell that starts a child which ends shortly, then becomes `sleep`, which never reaps it:
 * the child stays a zombie (kill(pid, 0) still succeeds) until the sleeper is killed.
 */
async function withZombie(fn: (zombie: number) => Promise<void>): Promise<void> {
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = await new Promise<number>((resolve) => parent.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim()))));
    for (let i = 0; (await procStat(zombie))?.state !== 'Z'; i++) {
      if (i > 600) throw new Error(`process ${zombie} did not become a zombie`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await fn(zombie);
  } finally {
    await stop(parent);
  }
}

/** A live process that is not Siphon. */
async function withSleeper(fn: (pid: number) => Promise<void>): Promise<void> {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    await fn(sleeper.pid!);
  } finally {
    await stop(sleeper);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const ended = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGKILL');
  await ended;
}

async function walkAll(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkAll(root, full)));
    else out.push(relative(root, full));
  }
  return out.sort();
}

stateStoreSuite('filesystem', async () => {
  const dir = await tempDir();
  return { store: await FilesystemStateStore.open(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('filesystem state store', () => {
  async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
    const dir = await tempDir();
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('writes <dir>/<input>/<service>.json, private, with no temp file left', () =>
    withDir(async (dir) => {
      const store = await FilesystemStateStore.open(join(dir, 'state'));
      await store.put(KEY, sampleState(), undefined);
      await store.put(KEY, sampleState(), 1);
      const path = join(dir, 'state', 'onepassword', 'audit_events.json');
      assert.equal(store.pathOf(KEY), path);
      assert.deepEqual(await walkAll(join(dir, 'state')), ['.lock', join('onepassword', 'audit_events.json')]);
      if (process.platform !== 'win32') {
        assert.equal((await stat(path)).mode & 0o777, 0o600);
        assert.equal((await stat(join(dir, 'state', 'onepassword'))).mode & 0o777, 0o700);
        assert.equal((await stat(join(dir, 'state'))).mode & 0o777, 0o700);
      }
      const onDisk = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      assert.equal(onDisk['revision'], 2);
      assert.equal(onDisk['@persistence_version'], 1);
      await store.close();
      assert.deepEqual(await walkAll(join(dir, 'state')), [join('onepassword', 'audit_events.json')]);
    }));

  it('ignores a temp file left by a crash, and the lock holder cleans it up', () =>
    withDir(async (dir) => {
      const first = await FilesystemStateStore.open(dir);
      await first.put(KEY, sampleState(), undefined);
      await first.close();
      // A crash between writing the temp file and the rename leaves this behind.
      const leftover = join(dir, 'onepassword', `.audit_events.json.12345.abcdef.tmp`);
      await writeFile(leftover, '{"half": ');

      const reader = await FilesystemStateStore.open(dir, { lock: false });
      assert.equal((await reader.get(KEY))?.revision, 1);
      assert.deepEqual(await reader.list(), [KEY]);
      await reader.close();
      assert.ok((await readdir(join(dir, 'onepassword'))).includes(`.audit_events.json.12345.abcdef.tmp`), 'a reader without the lock must not delete it');

      const owner = await FilesystemStateStore.open(dir);
      assert.deepEqual(await owner.list(), [KEY]);
      assert.equal((await owner.get(KEY))?.revision, 1);
      assert.deepEqual(await readdir(join(dir, 'onepassword')), ['audit_events.json']);
      assert.equal((await owner.put(KEY, sampleState(), 1)).revision, 2);
      await owner.close();
    }));

  describe('a record that cannot be read is an error, never a reset', () => {
    const cases: Array<[string, string, string]> = [
      ['invalid JSON', '{"@persistence_version": 1, "cursor": "SECRET-CURSOR"', 'not valid JSON'],
      ['an empty file', '', 'not valid JSON'],
      ['not an object', '[1, 2]', 'array'],
      ['the wrong version', JSON.stringify({ ...sampleState(), '@persistence_version': 2 }), '"@persistence_version" is 2'],
      ['no version', JSON.stringify({ ...sampleState(), '@persistence_version': undefined }), '@persistence_version'],
      ['a missing cursor', JSON.stringify({ ...sampleState(), cursor: undefined }), '"cursor" is missing'],
      ['a bad dedup entry', JSON.stringify({ ...sampleState(), dedup: [['a', 1], ['b', 'SECRET-TIME']] }), 'dedup[1]'],
      ['a string revision', JSON.stringify({ ...sampleState(), revision: '3' }), '"revision"'],
      ['a negative count', JSON.stringify({ ...sampleState(), events_delivered: -1 }), '"events_delivered"'],
      ['a numeric start setting', JSON.stringify({ ...sampleState(), start_setting: 5 }), '"start_setting"'],
      ['a missing updated_at', JSON.stringify({ ...sampleState(), updated_at: undefined }), '"updated_at"'],
      ['a string newest_event_time', JSON.stringify({ ...sampleState(), newest_event_time: 'x' }), '"newest_event_time"'],
    ];
    for (const [label, text, reason] of cases) {
      it(`${label} -> PERSISTENCE_UNREADABLE naming the path`, () =>
        withDir(async (dir) => {
          const store = await FilesystemStateStore.open(dir);
          const path = store.pathOf(KEY);
          await mkdir(join(dir, 'onepassword'), { recursive: true });
          await writeFile(path, text);
          const check = (err: unknown): boolean => {
            isCode('PERSISTENCE_UNREADABLE', path)(err);
            const e = err as Error & { details: Record<string, unknown> };
            assert.ok(e.message.includes(reason), `"${e.message}" should say ${reason}`);
            assert.ok(e.message.includes('siphon state reset --input onepassword --service audit_events'), e.message);
            assert.ok(!e.message.includes('SECRET'), 'the message must not quote the file');
            assert.equal(e.details['path'], path);
            return true;
          };
          await assert.rejects(store.get(KEY), check);
          // A write must not paper over it either.
          await assert.rejects(store.put(KEY, sampleState(), undefined), check);
          assert.equal(await readFile(path, 'utf8'), text);
          await store.close();
        }));
    }
  });

  it('quotes names in the reset hint', () =>
    withDir(async (dir) => {
      const store = await FilesystemStateStore.open(dir);
      const key = { input: "my input's", service: 'audit' };
      await mkdir(join(dir, 'my%20input%27s'), { recursive: true });
      await writeFile(store.pathOf(key), '{');
      await assert.rejects(store.get(key), isCode('PERSISTENCE_UNREADABLE', `--input 'my input'\\''s' --service audit`));
      await store.close();
    }));

  it('reports a failed write with the path and the OS reason', () =>
    withDir(async (dir) => {
      const store = await FilesystemStateStore.open(dir);
      // A file where the input folder should be: mkdir fails whatever our privileges.
      await writeFile(join(dir, 'onepassword'), 'not a folder');
      await assert.rejects(store.put(KEY, sampleState(), undefined), (err: unknown) => {
        isCode('PERSISTENCE_WRITE_FAILED', join(dir, 'onepassword'))(err);
        assert.match((err as Error).message, /E[A-Z]+: /);
        return true;
      });
      await store.close();
    }));

  it('keeps every name inside the state folder, in safe file names', () =>
    withDir(async (dir) => {
      const root = join(dir, 'state');
      const store = await FilesystemStateStore.open(root);
      const keys = [
        { input: '..', service: '../../escape' },
        { input: '../x', service: '/etc/passwd' },
        { input: 'a b', service: '.hidden' },
        { input: '%2E.', service: '' },
      ];
      for (const key of keys) await store.put(key, sampleState(), undefined);
      assert.deepEqual(await readdir(dir), ['state']);
      const files = (await walkAll(root)).filter((f) => f !== '.lock');
      assert.equal(files.length, keys.length);
      for (const file of files) {
        assert.ok(!file.startsWith('..'), file);
        for (const part of file.split(sep)) assert.match(part, /^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/);
      }
      await store.close();
    }));

  it('lists only files it wrote', () =>
    withDir(async (dir) => {
      const store = await FilesystemStateStore.open(dir);
      await store.put(KEY, sampleState(), undefined);
      await writeFile(join(dir, 'onepassword', 'notes.txt'), 'x');
      await writeFile(join(dir, 'onepassword', 'bad name.json'), '{}');
      await writeFile(join(dir, 'stray.json'), '{}');
      await mkdir(join(dir, '.git'));
      assert.deepEqual(await store.list(), [KEY]);
      await store.close();
    }));

  it('lists nothing, and reads nothing, when the folder does not exist (read-only open)', () =>
    withDir(async (dir) => {
      const store = await FilesystemStateStore.open(join(dir, 'missing'), { lock: false });
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get(KEY), undefined);
      await store.close();
      assert.deepEqual(await readdir(dir), []);
    }));

  describe('directory lock', () => {
    it('refuses a second writer while the first is open, and allows readers', () =>
      withDir(async (dir) => {
        const first = await FilesystemStateStore.open(dir);
        await assert.rejects(FilesystemStateStore.open(dir), isCode('PERSISTENCE_CONFLICT', `is in use by process ${process.pid}`));
        const reader = await FilesystemStateStore.open(dir, { lock: false });
        assert.deepEqual(await reader.list(), []);
        await reader.close();
        assert.equal(await readFile(join(dir, '.lock'), 'utf8').then((t) => Number(t.split('\n')[0])), process.pid);
        await first.close();
        const second = await FilesystemStateStore.open(dir);
        await second.close();
      }));

    it('takes over the lock of a dead process', () =>
      withDir(async (dir) => {
        await writeFile(join(dir, '.lock'), '999999\n');
        const store = await FilesystemStateStore.open(dir);
        assert.equal(Number((await readFile(join(dir, '.lock'), 'utf8')).split('\n')[0]), process.pid);
        await store.close();
        await assert.rejects(readFile(join(dir, '.lock')), { code: 'ENOENT' });
      }));

    it('takes over the lock of a killed process its parent has not reaped yet (a zombie)', { skip: !hasProc && 'needs /proc' }, () =>
      withDir((dir) =>
        withZombie(async (zombie) => {
          await writeFile(join(dir, '.lock'), `${zombie}\n0\n`);
          const store = await FilesystemStateStore.open(dir);
          assert.equal(Number((await readFile(join(dir, '.lock'), 'utf8')).split('\n')[0]), process.pid);
          await store.close();
        }),
      ));

    it('takes over a lock whose pid now belongs to a process that started at another time', { skip: !hasProc && 'needs /proc' }, () =>
      withDir((dir) =>
        withSleeper(async (pid) => {
          const { startTicks } = (await procStat(pid))!;
          await writeFile(join(dir, '.lock'), `${pid}\n0\n${startTicks - 1}\n`);
          const store = await FilesystemStateStore.open(dir);
          await store.close();
        }),
      ));

    it('refuses the lock file of a live process it has not been told about otherwise (an older Siphon, another namespace)', () =>
      withDir((dir) =>
        withSleeper(async (pid) => {
          const ticks = (await procStat(pid))?.startTicks;
          await writeFile(join(dir, '.lock'), `${pid}\n0\n${ticks ?? ''}\n`);
          await assert.rejects(FilesystemStateStore.open(dir), isCode('PERSISTENCE_CONFLICT', `is in use by process ${pid}`));
          await writeFile(join(dir, '.lock'), `${pid}\n0\n`);
          await assert.rejects(FilesystemStateStore.open(dir), isCode('PERSISTENCE_CONFLICT', `is in use by process ${pid}`));
        }),
      ));

    it('on Linux, the kernel lock keeps a second writer out even when the lock file was deleted', { skip: process.platform !== 'linux' && 'Linux only' }, () =>
      withDir(async (dir) => {
        const first = await FilesystemStateStore.open(dir);
        await rm(join(dir, '.lock'));
        await assert.rejects(FilesystemStateStore.open(dir), isCode('PERSISTENCE_CONFLICT', 'holds its lock socket @siphon-state-'));
        await first.close();
        const second = await FilesystemStateStore.open(dir);
        await second.close();
      }));

    it('a new folder that reuses the inode of a deleted, still locked one is not taken for it', async () => {
      const parent = await tempDir();
      try {
        const first = await FilesystemStateStore.open(join(parent, 'a'));
        await rm(join(parent, 'a'), { recursive: true });
        // File systems hand the freed inode to the next folder made (ext4 does at once).
        const second = await FilesystemStateStore.open(join(parent, 'b'));
        await second.close();
        await first.close();
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    });

    it('records pid, start time and (with /proc) start in clock ticks in the lock file', () =>
      withDir(async (dir) => {
        const store = await FilesystemStateStore.open(dir);
        const lines = (await readFile(join(dir, '.lock'), 'utf8')).split('\n');
        assert.equal(Number(lines[0]), process.pid);
        assert.equal(Number(lines[1]), Math.round(performance.timeOrigin));
        if (hasProc) assert.equal(Number(lines[2]), (await procStat(process.pid))!.startTicks);
        await store.close();
      }));

    it('takes over a lock with our pid from an earlier process (container restart)', () =>
      withDir(async (dir) => {
        const earlier = Math.round(performance.timeOrigin) - 60_000;
        await writeFile(join(dir, '.lock'), `${process.pid}\n${earlier}\n`);
        const store = await FilesystemStateStore.open(dir);
        await store.close();
      }));

    it('refuses a lock file it cannot read', () =>
      withDir(async (dir) => {
        await writeFile(join(dir, '.lock'), 'garbage');
        await assert.rejects(FilesystemStateStore.open(dir), isCode('PERSISTENCE_CONFLICT', join(dir, '.lock')));
      }));

    it('does not remove a lock it no longer owns', () =>
      withDir(async (dir) => {
        const store = await FilesystemStateStore.open(dir);
        await writeFile(join(dir, '.lock'), '1\n0\n');
        await store.close();
        assert.equal(await readFile(join(dir, '.lock'), 'utf8'), '1\n0\n');
      }));

    it('openStateStore passes the lock option through', () =>
      withDir(async (dir) => {
        const locked = await openStateStore({ type: 'filesystem', directory: dir });
        assert.equal(locked.kind, 'filesystem');
        await assert.rejects(openStateStore({ type: 'filesystem', directory: dir }), isCode('PERSISTENCE_CONFLICT'));
        const reader = await openStateStore({ type: 'filesystem', directory: dir }, { lock: false });
        await reader.close();
        await locked.close();
        const memory = await openStateStore({ type: 'memory' });
        assert.equal(memory.kind, 'memory');
        await memory.close();
      }));
  });

  it('under a file size limit, a record that does not fit fails to save and the previous one stays whole', () =>
    withDir(async (dir) => {
      // The child saves a small record, then one larger than 1 KiB (test/support/limited-writes-child.ts).
      const child = await runUnderFileSizeLimit(1, resolve('dist/test/support/limited-writes-child.js'), ['state', dir]);
      assert.equal(child.code, 0, child.stderr);
      const { small, large } = JSON.parse(child.stdout) as { small: string; large: string };
      assert.equal(small, 'resolved');
      assert.match(large, /^\[PrePullError 201\] Could not save state file \S+audit\.json: EFBIG: file too large \(1024 of \d+ bytes written\)\.$/);
      const store = await FilesystemStateStore.open(dir);
      try {
        const saved = await store.get({ input: 'op', service: 'audit' });
        assert.equal(saved?.revision, 1);
        assert.deepEqual(saved?.dedup, sampleState().dedup);
      } finally {
        await store.close();
      }
      assert.deepEqual(await walkAll(dir), [join('op', 'audit.json')], 'a temp file or the lock was left behind');
    }));
});
