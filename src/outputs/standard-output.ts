// Where the console output's lines go.
//
// Standard output redirected to a regular file (`siphon run > events.log`, systemd's
// StandardOutput=append:) is written by Node's stdout stream with one writeSync whose count it
// ignores: on a full disk the rest of a batch would vanish while the write is acknowledged.
// There the descriptor is written directly, all of it or an error (writeAll); a terminal or a
// pipe keeps the stream, which finishes its writes itself.

import { fstatSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { descriptorWriter, IncompleteWriteError, writeAll, type ByteWriter } from '../fs/write-all.js';

const NEWLINE = 0x0a;

export interface TextSink {
  /** Resolves once all of `text` is written; rejects otherwise. */
  write(text: string): Promise<void>;
  readonly writable: boolean;
}

/** Standard output, as a descriptor when it is a regular file, else as the process's stream. */
export function standardOutputSink(): TextSink {
  const fd = process.stdout.fd;
  return isRegularFile(fd) ? new DescriptorSink(descriptorWriter(fd), () => fileEndsTorn(fd)) : new StreamSink(process.stdout);
}

/** A stream (terminal, pipe): it completes partial writes on its own and reports failures to the callback. */
export class StreamSink implements TextSink {
  constructor(private readonly stream: Writable) {}

  get writable(): boolean {
    return this.stream.writable;
  }

  write(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/**
 * A file Siphon did not open and must not cut (the operator's redirect): a failed write may
 * leave part of a line, so the next write starts on a new line and that part stays alone on
 * its own line (the events of the failed write are written again whole). The same holds for
 * a part left by an earlier run (`endsTorn`, asked before the first write).
 */
export class DescriptorSink implements TextSink {
  private torn: boolean | undefined;
  readonly writable = true;

  constructor(
    private readonly writer: ByteWriter,
    private readonly endsTorn: () => Promise<boolean> = () => Promise.resolve(false),
  ) {}

  async write(text: string): Promise<void> {
    this.torn ??= await this.endsTorn();
    try {
      await writeAll(this.writer, this.torn ? `\n${text}` : text);
    } catch (err) {
      // Nothing of it written: the file ends as it did before.
      if (!(err instanceof IncompleteWriteError && err.written === 0)) this.torn = true;
      throw err;
    }
    this.torn = false;
  }
}

/**
 * Whether the file behind `fd` ends in a line without its line break. Standard output is
 * usually open for writing only, so the file is read through /proc (Linux); where that is
 * not possible, it is taken to end well.
 */
async function fileEndsTorn(fd: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(`/proc/self/fd/${fd}`, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== NEWLINE;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
