// The gate: at most `limit` tasks at once, the others in order; a waiter whose signal aborts
// leaves the line without taking a place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gate } from '../../src/core/gate.js';

/** A task that runs until its `finish()` is called, noting when it started. */
function held(started: string[], name: string): { work: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish,
  };
}

test('at most `limit` tasks run at once; the next starts, in order, when one ends', async () => {
  const gate = new Gate(2);
  const started: string[] = [];
  const signal = new AbortController().signal;
  const tasks = ['a', 'b', 'c', 'd'].map((name) => held(started, name));
  const results = tasks.map((t) => gate.run(t.work, signal));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b']);
  assert.deepEqual(gate.load, { active: 2, waiting: 2 });
  tasks[1]!.finish();
  assert.equal(await results[1], 'b');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b', 'c']);
  for (const t of tasks) t.finish();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  assert.deepEqual(gate.load, { active: 0, waiting: 0 });
});

test('a failing task frees its place', async () => {
  const gate = new Gate(1);
  const signal = new AbortController().signal;
  await assert.rejects(
    gate.run(() => Promise.reject(new Error('refused')), signal),
    /refused/,
  );
  assert.equal(await gate.run(() => Promise.resolve('next'), signal), 'next');
});

test('a waiter whose signal aborts is rejected with its reason and takes no place', async () => {
  const gate = new Gate(1);
  const started: string[] = [];
  const first = held(started, 'first');
  const running = gate.run(first.work, new AbortController().signal);
  const stop = new AbortController();
  const waiting = gate.run(() => Promise.resolve('never'), stop.signal);
  const after = held(started, 'after');
  const third = gate.run(after.work, new AbortController().signal);
  stop.abort(new Error('stopped while waiting'));
  await assert.rejects(waiting, /stopped while waiting/);
  assert.deepEqual(gate.load, { active: 1, waiting: 1 });
  first.finish();
  after.finish();
  assert.deepEqual(await Promise.all([running, third]), ['first', 'after']);
  assert.deepEqual(started, ['first', 'after']);
  const aborted = new AbortController();
  aborted.abort(new Error('already stopped'));
  await assert.rejects(gate.run(() => Promise.resolve('never'), aborted.signal), /already stopped/);
});
