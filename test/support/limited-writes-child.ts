// Run by tests under a file size limit (file-size-limit.ts): `node limited-writes-child.js
// <scenario> <dir>` does one scenario's writes and prints what each one answered as one JSON
// line; the test then checks the files with no limit.
import { FilesystemStateStore } from '../../src/state/filesystem.js';
import { FileDeliveryJournal } from '../../src/state/delivery-journal.js';
import { IncompleteWriteError, writeAll } from '../../src/fs/write-all.js';
import { SiphonError } from '../../src/core/errors.js';
import { createLogger, MemorySink } from '../../src/telemetry/logger.js';
import { Redactor } from '../../src/core/redact.js';
import type { OutputRecord } from '../../src/core/contracts.js';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { liftOwnFileSizeLimit } from './file-size-limit.js';
import { sampleState } from '../state/store-suite.js';

/** "resolved", or how it failed: the SiphonError's "[Family N] message", or the IncompleteWriteError's code, bytes written and message. */
function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => {
      if (err instanceof SiphonError) return err.describe();
      if (err instanceof IncompleteWriteError) return `IncompleteWriteError ${err.code} written=${err.written}: ${err.message}`;
      return String(err);
    },
  );
}

export const JOURNAL_KEYS = Array.from({ length: 87 }, (_, i) => `key-${String(i).padStart(4, '0')}`);

const scenarios: Record<string, (dir: string) => Promise<Record<string, string>>> = {
  /** writeAll of 3,000 bytes with a limit of 1 KiB. */
  async writeAll(dir) {
    const handle = await open(join(dir, 'data.bin'), 'a');
    try {
      return { write: await outcome(writeAll(handle, Buffer.alloc(3000, 0x61))) };
    } finally {
      await handle.close();
    }
  },

  /** A journal line of about 1,000 bytes, then a forget line that crosses 1 KiB; then the limit is lifted. */
  async journal(dir) {
    const logger = createLogger({ format: 'text', level: 'info', redactor: new Redactor(), sink: new MemorySink() });
    const journal = await FileDeliveryJournal.open(dir, 100_000, logger);
    const rec = (key: string): OutputRecord => ({ tag: 't', input: 'op', service: 'audit', event: { id: key }, key });
    await journal.record(JOURNAL_KEYS.map(rec));
    const limited = await outcome(journal.forget('op', 'audit'));
    await liftOwnFileSizeLimit();
    const lifted = await outcome(journal.forget('op', 'audit'));
    await journal.record([rec('after')]);
    await journal.close();
    return { limited, lifted };
  },

  /** A small state record, then one larger than 1 KiB. */
  async state(dir) {
    const store = await FilesystemStateStore.open(dir);
    const key = { input: 'op', service: 'audit' };
    try {
      const small = await outcome(store.put(key, sampleState(), undefined));
      const dedup = Array.from({ length: 100 }, (_, i): [string, number] => [`uuid-${i}`, 1714557600000 + i]);
      const large = await outcome(store.put(key, sampleState({ dedup }), 1));
      return { small, large };
    } finally {
      await store.close();
    }
  },
};

/** Run as a script (not when a test imports JOURNAL_KEYS). */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [scenario, dir] = process.argv.slice(2);
  const run = scenario === undefined ? undefined : scenarios[scenario];
  if (!run || !dir) {
    process.stderr.write(`usage: limited-writes-child.js <${Object.keys(scenarios).join('|')}> <dir>\n`);
    process.exitCode = 2;
  } else {
    process.stdout.write(`${JSON.stringify(await run(dir))}\n`);
  }
}
