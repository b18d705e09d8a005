// The `outputs` block: name -> {type, enabled?, config?}, each `config` checked by its output's schema.

import { z } from 'zod';
import type { OutputDefinition, SenderService } from '../core/contracts.js';
import { nonEmptyString } from './fields.js';
import type { SettingPath } from './path.js';
import type { Reporter } from './report.js';
import { didYouMean } from './suggest.js';
import type { ConfiguredOutput } from './types.js';
import { namedEntries, validate, withoutNulls } from './validate.js';

const outputBlockSchema = z
  .object({
    type: nonEmptyString(),
    enabled: z.boolean().default(true),
    /** Sender services carried; default: the output type's own default. */
    services: z.array(z.enum(['standard', 'internal'])).min(1).optional(),
    // Checked below with the schema of the output `type` names.
    config: z.unknown().optional(),
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
    const { type, enabled, config, services } = parsed.data;
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
      outputs.push({ name, type, definition, settings: settings.data, enabled, services: [...new Set<SenderService>(services ?? definition.defaultServices ?? ['standard'])] });
    }
  }
  return outputs;
}
