// `console` output: one human-readable line per event on standard output:
//   auth.agilebits.onepassword.itemusage onepassword/item_usage {"uuid":...}
// Acknowledged once standard output has taken all of the text (see standard-output.ts).

import { z } from 'zod';
import type { Output, OutputDefinition, OutputRecord } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { SerialQueue } from '../core/serial-queue.js';
import { eventText } from './event-text.js';
import { standardOutputSink, type TextSink } from './standard-output.js';

const consoleOutputSchema = z
  .object({
    /** Print only the first N characters of each event (0 = whole event). */
    max_event_chars: z.number().int().min(0).default(0),
  })
  .strict();

export type ConsoleOutputSettings = z.infer<typeof consoleOutputSchema>;

function consoleLine(record: OutputRecord, maxChars: number): string {
  let event = eventText(record);
  if (maxChars > 0 && event.length > maxChars) event = `${event.slice(0, maxChars)}…`;
  return `${record.tag} ${record.input}/${record.service} ${event}`;
}

class ConsoleOutput implements Output {
  readonly type = 'console';
  private readonly queue = new SerialQueue();

  constructor(
    readonly name: string,
    private readonly settings: ConsoleOutputSettings,
    private readonly sink: TextSink = standardOutputSink(),
  ) {}

  async open(): Promise<void> {}

  write(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    let text = '';
    for (const record of records) text += `${consoleLine(record, this.settings.max_event_chars)}\n`;
    return this.queue.run(async () => {
      try {
        await this.sink.write(text);
      } catch (err) {
        throw new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name}: writing to standard output failed: ${err instanceof Error ? err.message : String(err)}.`, {
          output: this.name,
        });
      }
    });
  }

  async check(): Promise<void> {
    if (!this.sink.writable) throw new SiphonError('OUTPUT_UNAVAILABLE', `Output ${this.name}: standard output is closed`);
  }

  async close(): Promise<void> {}
}

export const consoleOutputDefinition: OutputDefinition<ConsoleOutputSettings> = {
  type: 'console',
  schema: consoleOutputSchema,
  create: (name, settings) => new ConsoleOutput(name, settings),
};
