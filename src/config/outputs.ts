// The `outputs` block: name -> {type, enabled?, channels?, config?, delivery?}, each `config`
// checked by its output's schema, `delivery` by output-delivery.ts.

import { z } from 'zod';
import type { OutputDefinition, Channel } from '../core/contracts.js';
import { nonEmptyString } from './fields.js';
import { DEFAULT_OUTPUT_DELIVERY, outputDeliverySchema } from './output-delivery.js';
import type { SettingPath } from './path.js';
import type { Reporter } from './report.js';
import { didYouMean } from './suggest.js';
import type { ConfiguredOutput } from './types.js';
import { namedEntries, validate, withoutNulls } from './validate.js';

const outputBlockSchema = z
  .object({
    type: nonEmptyString(),
    enabled: z.boolean().default(true),
    /** The channels carried (Devo's "sender services"); default: the output type's own default. */
    channels: z.array(z.enum(['standard', 'internal'])).min(1).optional(),
    /** The former name of `channels`, still read. */
    services: z.array(z.enum(['standard', 'internal'])).min(1).optional(),
    // Checked below with the schema of the output `type` names.
    config: z.unknown().optional(),
    /** How the output's lane retries and batches (the same for every output type). */
    delivery: outputDeliverySchema.default(DEFAULT_OUTPUT_DELIVERY),
  })
  .strict();

const PATH: SettingPath = ['outputs'];

export function readOutputs(raw: unknown, registry: ReadonlyMap<string, OutputDefinition<unknown>>, reporter: Reporter): ConfiguredOutput[] {
  const entries = namedEntries(raw, PATH, 'output', reporter);
  if (!entries) return [];
  const outputs: ConfiguredOutput[] = [];
  for (const [name, block] of entries) {
    const path = [...PATH, name];
    const parsed = validate(outputBlockSchema, withoutNulls(block ?? {}), path, reporter);
    if (!parsed.ok) continue;
    const { type, enabled, config, delivery } = parsed.data;
    const channels = channelsOf(parsed.data, path, reporter);
    const definition = registry.get(type);
    if (!definition) {
      const known = [...registry.keys()];
      reporter.error({
        code: 'CONFIG_INVALID_VALUE',
        path: [...path, 'type'],
        message: `unknown output type "${type}"${didYouMean(type, known)}; the output types are: ${known.join(', ')}`,
      });
      continue;
    }
    const settings = validate(definition.schema, config ?? {}, [...path, 'config'], reporter);
    if (settings.ok) {
      outputs.push({
        name,
        type,
        definition,
        settings: settings.data,
        enabled,
        channels: [...new Set<Channel>(channels ?? definition.defaultChannels ?? ['standard'])],
        delivery,
      });
    }
  }
  return outputs;
}

/** `channels`, or its former name `services` (read, with a warning); not both. */
function channelsOf(block: { channels?: Channel[] | undefined; services?: Channel[] | undefined }, path: SettingPath, reporter: Reporter): Channel[] | undefined {
  if (block.services === undefined) return block.channels;
  if (block.channels !== undefined) {
    reporter.error({ code: 'CONFIG_INVALID_VALUE', path: [...path, 'services'], message: '`services` is the former name of `channels`: keep only `channels`' });
    return block.channels;
  }
  reporter.warn({ code: 'CONFIG_UNKNOWN_KEY', path: [...path, 'services'], at: 'key', message: '`services` on an output is now called `channels`; it is read as `channels`' });
  return block.services;
}
