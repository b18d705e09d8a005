// An output that cannot read back what it holds (Devo, syslog, HTTP, console), given a
// memory of what it acknowledged: each accepted write is noted in a DeliveryJournal, and
// crash recovery (Output.findDelivered) asks the journal. Everything else is the output's own.

import type { Output, OutputRecord, VendorEvent } from '../core/contracts.js';
import type { DeliveryJournal } from '../state/journal.js';

export class JournaledOutput implements Output {
  constructor(
    private readonly inner: Output,
    private readonly journal: DeliveryJournal,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get type(): string {
    return this.inner.type;
  }

  get bytesSent(): number | undefined {
    return this.inner.bytesSent;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  /** Noted only once the output has accepted the records; the note never fails the write. */
  async write(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void> {
    await this.inner.write(records, signal);
    await this.journal.record(records);
  }

  check(): Promise<string | void> {
    return this.inner.check();
  }

  async close(signal?: AbortSignal): Promise<void> {
    try {
      await this.inner.close(signal);
    } finally {
      await this.journal.close();
    }
  }

  findDelivered(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>> {
    return this.journal.find(records, keyOf);
  }

  forgetDelivered(input: string, service: string): Promise<void> {
    return this.journal.forget(input, service);
  }
}
