// Runs a Node script under a real file size limit (`ulimit -S -f`, in KiB): past it the
// system cuts a write short, then refuses it with EFBIG (Node ignores SIGXFSZ), as a full
// disk or a quota would. The limit is soft, so the script can lift it itself (prlimit) to
// play "the disk has room again".
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runUnderFileSizeLimit(limitKiB: number, script: string, args: string[]): Promise<ChildResult> {
  const child = spawn('bash', ['-c', `ulimit -S -f ${limitKiB} && exec "$0" "$@"`, process.execPath, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Lifts this process's file size limit (the soft one; the hard one is left unlimited by runUnderFileSizeLimit). */
export async function liftOwnFileSizeLimit(): Promise<void> {
  await promisify(execFile)('prlimit', [`--pid=${process.pid}`, '--fsize=unlimited:']);
}
