// The file output's lines encoded into a reusable chunk: the pieces handed on, joined, are
// exactly the batch's NDJSON text, whatever the chunk size, characters, keys and prefixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileLines, lineText } from '../../src/outputs/file-lines.js';
import type { OutputRecord } from '../../src/core/contracts.js';

const record = (event: Record<string, unknown>, key?: string, service = 'svc'): OutputRecord => ({
  tag: 't.a.g',
  input: 'in',
  service,
  event,
  eventJson: JSON.stringify(event),
  ...(key === undefined ? {} : { key }),
});

/** Every piece handed on, copied (the chunk is reused once the sink resolves). */
async function pieces(lines: FileLines, records: OutputRecord[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await lines.send(records, async (bytes) => {
    out.push(Buffer.from(bytes));
  });
  return out;
}

const batch: OutputRecord[] = [
  record({ a: 1 }, 'k3JdQ.0'),
  record({ text: 'ünïcödé € 😀', lone: '\ud800' }, 'ké.1'),
  record({ b: 2 }),
  record({ c: 'x'.repeat(300) }, 'k.2', 'other service "quoted"'),
  record({ d: 4 }, 'needs "escaping"\n\ud800'),
  record({ e: 5 }, 'last.0'),
];

test('a line is {"tag","input","service","event"} and the key, as JSON', () => {
  assert.equal(lineText(record({ a: 1 }, 'k.0')), '{"tag":"t.a.g","input":"in","service":"svc","event":{"a":1},"key":"k.0"}\n');
  assert.equal(lineText(record({ a: 1 })), '{"tag":"t.a.g","input":"in","service":"svc","event":{"a":1}}\n');
  for (const r of batch) JSON.parse(lineText(r));
});

test('the pieces joined are the lines, in order, for any chunk size', async () => {
  const expected = Buffer.from(batch.map(lineText).join(''), 'utf8');
  for (const size of [16, 64, 100, 200, 1024, 256 * 1024]) {
    const lines = new FileLines(size);
    const out = await pieces(lines, batch);
    assert.equal(Buffer.concat(out).toString('hex'), expected.toString('hex'), `chunk of ${size} bytes`);
    // Only a line too long for the chunk goes by itself, in a piece larger than the chunk.
    for (const piece of out) assert.ok(piece.length <= size || batch.some((r) => Buffer.byteLength(lineText(r)) === piece.length), `chunk of ${size} bytes`);
    // The chunk is reused: a second batch through the same encoder starts afresh.
    assert.equal(Buffer.concat(await pieces(lines, batch.slice(0, 2))).toString(), batch.slice(0, 2).map(lineText).join(''));
  }
});

test('no records hand nothing on; a failing sink stops the send and the error reaches the caller', async () => {
  const lines = new FileLines(64);
  assert.deepEqual(await pieces(lines, []), []);
  let calls = 0;
  await assert.rejects(
    lines.send(batch, async () => {
      calls++;
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(calls, 1);
  assert.equal(Buffer.concat(await pieces(lines, batch)).toString(), batch.map(lineText).join(''), 'usable again after a failure');
});
