// What the Devo and syslog baselines share: pull every 1Password page, frame its events by
// hand and write them over one persistent connection (back-pressure respected), then
// half-close and wait for the receiver to close in turn, so it has read every byte. No
// state, no durability, no reconnects.
import { once } from 'node:events';
import type net from 'node:net';
import { reportSelf } from '../src/simulators/common/baseline-report.js';
import { onePasswordPages } from '../src/simulators/onepassword/baseline-pages.js';

export interface StreamBaselineArgs {
  readonly url: string;
  readonly token: string;
  readonly endpoint: string;
  /** Resolves once the connection is ready for data (TLS: handshake done). */
  readonly connect: () => Promise<net.Socket>;
  /** The frames of one page's events, joined. */
  readonly frame: (items: readonly unknown[]) => string;
}

export async function runStreamBaseline(a: StreamBaselineArgs): Promise<void> {
  const socket = await a.connect();
  let receiverEnded = false;
  let failure: Error | undefined;
  socket.on('end', () => (receiverEnded = true));
  socket.on('error', (err) => (failure ??= err));
  const closed = once(socket, 'close');
  socket.resume(); // the receiver sends nothing, but never let unread input stall the socket
  let events = 0;
  for await (const page of onePasswordPages(a.url, a.token, a.endpoint)) {
    events += page.items.length;
    if (!socket.write(a.frame(page.items))) await Promise.race([once(socket, 'drain'), closed]);
    if (failure) throw failure;
  }
  socket.end();
  await closed;
  if (failure) throw failure;
  if (!receiverEnded) throw new Error('the connection was cut before the receiver closed its side');
  reportSelf(events, 0);
}
