import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupMemory, filterDuplicates } from '../../src/stages/dedup.js';

interface Ev {
  id?: string;
  t?: number;
}
const keyOf = (e: Ev) => e.id;
const timeOf = (e: Ev) => e.t;
const HOUR = 3_600_000;

describe('filterDuplicates', () => {
  it('drops keys already delivered and keys repeated within the page', () => {
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: 100 }, [['a', 1000]]);
    const events: Ev[] = [{ id: 'a', t: 1000 }, { id: 'b', t: 2000 }, { id: 'b', t: 2000 }, { id: 'c' }, { id: 'b', t: 3000 }];
    const { fresh, duplicates } = filterDuplicates(events, keyOf, timeOf, memory);
    assert.equal(duplicates, 3);
    assert.deepEqual(
      fresh.map((f) => [f.key, f.time]),
      [
        ['b', 2000],
        ['c', undefined],
      ],
    );
    assert.equal(fresh[0]?.event, events[1], 'the event object itself is passed on');
  });

  it('lets events without a key through, every time', () => {
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: 100 });
    const events: Ev[] = [{ t: 1 }, { t: 1 }, {}];
    const { fresh, duplicates } = filterDuplicates(events, keyOf, timeOf, memory);
    assert.equal(duplicates, 0);
    assert.equal(fresh.length, 3);
    assert.ok(fresh.every((f) => f.key === undefined));
  });

  it('does not add to the memory (that happens after delivery)', () => {
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: 100 });
    filterDuplicates([{ id: 'x', t: 1 }], keyOf, timeOf, memory);
    assert.equal(memory.size, 0);
    assert.equal(memory.has('x'), false);
  });

  it('drops a replayed page once its keys were added', () => {
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: 100 });
    const page: Ev[] = [
      { id: '1', t: 10 },
      { id: '2', t: 20 },
    ];
    for (const f of filterDuplicates(page, keyOf, timeOf, memory).fresh) if (f.key !== undefined) memory.add(f.key, f.time ?? null);
    const replay = filterDuplicates(page, keyOf, timeOf, memory);
    assert.equal(replay.fresh.length, 0);
    assert.equal(replay.duplicates, 2);
  });
});

describe('DedupMemory', () => {
  it('prunes keys older than the window behind the newest time seen', () => {
    const memory = new DedupMemory({ windowMs: 1000, maxKeys: 100 });
    memory.add('old', 1000);
    memory.add('edge', 4000);
    memory.add('untimed', null);
    memory.add('new', 5000);
    memory.prune();
    assert.deepEqual(memory.toJSON(), [
      ['edge', 4000],
      ['untimed', null],
      ['new', 5000],
    ]);
    // The newest time is remembered even after its key is gone.
    memory.add('late', 3000);
    memory.prune();
    assert.equal(memory.has('late'), false);
  });

  it('keeps at most maxKeys, evicting the oldest-added first (timed or not)', () => {
    const memory = new DedupMemory({ windowMs: Number.POSITIVE_INFINITY, maxKeys: 3 });
    memory.add('u1', null);
    memory.add('t1', 500);
    memory.add('u2', null);
    memory.add('t2', 100);
    assert.equal(memory.size, 3, 'bounded even before prune');
    assert.deepEqual(memory.toJSON(), [
      ['t1', 500],
      ['u2', null],
      ['t2', 100],
    ]);
    memory.add('t1', 600); // re-adding refreshes the key's place
    memory.add('t3', 700);
    assert.deepEqual(
      memory.toJSON().map(([k]) => k),
      ['t2', 't1', 't3'],
    );
  });

  it('keeps untimed keys until maxKeys pushes them out', () => {
    const memory = new DedupMemory({ windowMs: 10, maxKeys: 10 });
    memory.add('untimed', null);
    memory.add('far', 1_000_000_000);
    memory.prune();
    assert.equal(memory.has('untimed'), true);
  });

  it('round-trips through toJSON, and applies smaller limits on restore', () => {
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: 100 });
    memory.add('a', 1000);
    memory.add('b', null);
    memory.add('c', 2000);
    const saved = JSON.parse(JSON.stringify(memory.toJSON())) as Array<[string, number | null]>;
    const restored = new DedupMemory({ windowMs: HOUR, maxKeys: 100 }, saved);
    assert.deepEqual(restored.toJSON(), memory.toJSON());
    assert.equal(restored.has('b'), true);

    const smaller = new DedupMemory({ windowMs: 500, maxKeys: 1 }, saved);
    assert.deepEqual(smaller.toJSON(), [['c', 2000]]);
    // A smaller window applies at the next prune, not on restore: the saved memory may have
    // been pruned by a connector's own ranges, which the restore cannot know.
    const windowOnly = new DedupMemory({ windowMs: 500, maxKeys: 100 }, saved);
    assert.equal(windowOnly.size, 3);
    windowOnly.prune();
    assert.deepEqual(windowOnly.toJSON(), [
      ['b', null],
      ['c', 2000],
    ]);
  });

  it('keeps only the keys inside the retain ranges a connector gives, whatever the window', () => {
    const memory = new DedupMemory({ windowMs: 10, maxKeys: 100 });
    memory.add('old-overlap', 1_000);
    memory.add('middle', 5_000);
    memory.add('untimed', null);
    memory.add('new-overlap', 9_000);
    memory.add('edge', 8_000);
    memory.prune([
      [900, 1_100],
      [8_000, 9_000],
    ]);
    assert.deepEqual(
      memory.toJSON().map(([k]) => k),
      ['old-overlap', 'untimed', 'new-overlap', 'edge'],
    );
    const restored = new DedupMemory({ windowMs: 10, maxKeys: 100 }, memory.toJSON());
    assert.equal(restored.has('old-overlap'), true, 'a restore does not re-apply the window');
  });

  it('treats non-finite times as untimed', () => {
    const memory = new DedupMemory({ windowMs: 1, maxKeys: 10 });
    memory.add('nan', Number.NaN);
    memory.add('t', 100);
    memory.prune();
    assert.deepEqual(memory.toJSON(), [
      ['nan', null],
      ['t', 100],
    ]);
  });

  it('rejects impossible settings', () => {
    assert.throws(() => new DedupMemory({ windowMs: -1, maxKeys: 1 }), RangeError);
    assert.throws(() => new DedupMemory({ windowMs: Number.NaN, maxKeys: 1 }), RangeError);
    assert.throws(() => new DedupMemory({ windowMs: 1, maxKeys: 1.5 }), RangeError);
  });

  // Its speed is measured by the benchmark, not asserted here (a loaded machine would fail it).
  it('filters and remembers 200,000 keys', () => {
    const n = 200_000;
    const events = Array.from({ length: n }, (_, i) => ({ id: `uuid-${i}`, t: 1_700_000_000_000 + i }));
    const memory = new DedupMemory({ windowMs: HOUR, maxKeys: n });
    const { fresh } = filterDuplicates(events, keyOf, timeOf, memory);
    assert.equal(fresh.length, n);
    for (const f of fresh) if (f.key !== undefined) memory.add(f.key, f.time ?? null);

    memory.prune();
    assert.equal(filterDuplicates(events, keyOf, timeOf, memory).duplicates, n);
    assert.equal(new DedupMemory({ windowMs: HOUR, maxKeys: n }, memory.toJSON()).size, n);
  });
});
