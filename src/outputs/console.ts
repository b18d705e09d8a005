// `console` output: one human-readable line per event on standard output:
//   auth.agilebits.onepassword.itemusage onepassword/item_usage {"uuid":...}
// Acknowledged once the stream has taken the text (back-pressure: we wait for 'drain').

import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Output, OutputDefinition, OutputRecord } from '../core/contracts.js';
import { SiphonError } from '../core/errors.js';
import { SerialQueue } from './serial-writer.js';
import { eventText } from './event-text.js';

export const consoleOutputSchema = z
  .object({
    /** Print only the first N characters of each event (0 = whole event). */
    max_event_chars: z.number().int().min(0).default(0),
  })
  .strict();

export type ConsoleOutputSettings = z.infer<typeof consoleOutputSchema>;

export function consoleLine(record: OutputRecord, maxChars: number): string {
  let event = eventText(record);
  if (maxChars > 0 && event.length > maxChars) event = `${event.slice(0, maxChars)}…`;
  return `${record.tag} ${record.input}/${record.service} ${event}`;
}

export class ConsoleOutput implements Output {
  readonly type = 'console';
  private readonly queue = new SerialQueue();

  constructor(
    readonly name: string,
    private readonly settings: ConsoleOutputSettings,
    private readonly stream: Writable = process.stdout,
  ) {}

  async open(): Promise<void> {}

  write(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    let text = '';
    for (const record of records) text += `${consoleLine(record, this.settings.max_event_chars)}\n`;
    return this.queue.run(
      () =>
        new Promise<void>((resolve, reject) => {
          this.stream.write(text, (err) => {
            if (err) reject(new SiphonError('OUTPUT_WRITE_FAILED', `Output ${this.name}: ${err.message}`, { output: this.name }));
            else resolve();
          });
        }),
    );
  }

  async check(): Promise<void> {
    if (!this.stream.writable) throw new SiphonError('OUTPUT_UNAVAILABLE', `Output ${this.name}: standard output is closed`);
  }

  async close(): Promise<void> {}
}

export const consoleOutputDefinition: OutputDefinition<ConsoleOutputSettings> = {
  type: 'console',
  schema: consoleOutputSchema,
  create: (name, settings) => new ConsoleOutput(name, settings),
};
