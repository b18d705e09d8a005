// One listener on the stop signal, whatever the number of services listening through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { AbortFanOut } from '../../src/core/abort-fan-out.js';
import { systemClock } from '../../src/core/time.js';

test('many children abort with the parent, through a single listener on it', async () => {
  const parent = new AbortController();
  const fanOut = new AbortFanOut(parent.signal);
  const children = Array.from({ length: 50 }, () => fanOut.child());
  // Each child is waited on, as a sleeping service is.
  const sleeps = children.map((signal) => systemClock.sleep(60_000, signal).then(() => 'slept', (err: unknown) => err));
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1);
  for (const signal of children) assert.equal(getEventListeners(signal, 'abort').length, 1);
  const reason = new Error('stopped by SIGTERM');
  parent.abort(reason);
  assert.deepEqual(await Promise.all(sleeps), children.map(() => reason));
  for (const signal of children) assert.equal(getEventListeners(signal, 'abort').length, 0);
  assert.ok(fanOut.child().aborted, 'a child asked for after the stop is born aborted');
  fanOut.dispose();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
});

test('dispose stops listening on the parent', () => {
  const parent = new AbortController();
  const fanOut = new AbortFanOut(parent.signal);
  const child = fanOut.child();
  fanOut.dispose();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
  parent.abort();
  assert.equal(child.aborted, false);
});

test('a released child is forgotten: the parent no longer aborts it, and children do not pile up', () => {
  const parent = new AbortController();
  const fanOut = new AbortFanOut(parent.signal);
  const kept = fanOut.child();
  // A replica starting and stopping an input over and over.
  for (let i = 0; i < 100; i++) fanOut.release(fanOut.child());
  assert.equal(fanOut.size, 1);
  const released = fanOut.child();
  fanOut.release(released);
  parent.abort();
  assert.equal(kept.aborted, true);
  assert.equal(released.aborted, false);
  fanOut.dispose();
});
