// A state store in memory, for tests, demos and `simulate`. Same semantics as the
// filesystem store: records are validated and stored as their JSON text, so callers
// never share an object with the store.

import type { Checkpoint, StateKey, StateStore } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { checkServiceState, nextRecord } from './record.js';

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  private readonly records = new Map<string, { key: StateKey; text: string }>();
  private closed = false;

  async get(key: StateKey): Promise<Checkpoint | undefined> {
    this.assertOpen();
    const stored = this.records.get(mapKey(key));
    return stored === undefined ? undefined : parse(stored.text);
  }

  async put(key: StateKey, state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint> {
    this.assertOpen();
    const next = nextRecord(state, expectedRevision);
    if (!next.ok) {
      throw new SiphonError('INTERNAL', `Refusing to save an invalid state for input "${key.input}" service "${key.service}": ${next.reason}.`);
    }
    const id = mapKey(key);
    const stored = this.records.get(id);
    // Runs without an await between read and write, so it is atomic within the process.
    const found = stored === undefined ? undefined : parse(stored.text).revision;
    if (found !== expectedRevision) {
      const show = (r: number | undefined) => (r === undefined ? 'no record' : `revision ${r}`);
      throw new SiphonError(
        'PERSISTENCE_CONFLICT',
        `The state of input "${key.input}" service "${key.service}" changed under this process: expected ${show(expectedRevision)}, found ${show(found)}.`,
        { expected: expectedRevision, found },
      );
    }
    const text = JSON.stringify(next.state);
    this.records.set(id, { key: { input: key.input, service: key.service }, text });
    return parse(text);
  }

  async delete(key: StateKey): Promise<boolean> {
    this.assertOpen();
    return this.records.delete(mapKey(key));
  }

  async list(): Promise<StateKey[]> {
    this.assertOpen();
    return [...this.records.values()]
      .map((r) => ({ input: r.key.input, service: r.key.service }))
      .sort((a, b) => compare(a.input, b.input) || compare(a.service, b.service));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SiphonError('INTERNAL', 'The memory state store is closed.');
  }
}

function mapKey(key: StateKey): string {
  return JSON.stringify([key.input, key.service]);
}

function parse(text: string): Checkpoint {
  const checked = checkServiceState(JSON.parse(text));
  // Only validated records are stored, so this cannot fail.
  if (!checked.ok) throw new SiphonError('INTERNAL', `The memory state store holds an invalid record: ${checked.reason}.`);
  return checked.state;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
