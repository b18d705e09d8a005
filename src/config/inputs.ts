// The `inputs` block: name -> input block, each validated whole by its connector's schema.
// The connector is the block's `type`, or else the input's name, so two accounts of one
// vendor can sit side by side (`op_eu: {type: onepassword, ...}`).

import { resolve } from 'node:path';
import type { Connector } from '../core/connector.js';
import { readRegularFileSync } from './bounded-read.js';
import { yamlTypeOf } from './describe.js';
import { FileSetting, futureStartTimeMessage, isStartTime } from './fields.js';
import { defineKey, isPlainObject, type PathSegment, type SettingPath } from './path.js';
import type { Reporter } from './report.js';
import { didYouMean } from './suggest.js';
import type { ConfiguredInput } from './types.js';
import { namedEntries, validate, withoutNulls } from './validate.js';

const PATH: SettingPath = ['inputs'];

export function readInputs(
  raw: unknown,
  registry: ReadonlyMap<string, Connector>,
  now: () => number,
  baseDir: string,
  reporter: Reporter,
): ConfiguredInput[] {
  const entries = namedEntries(raw, PATH, 'input', reporter);
  if (!entries) return [];
  const inputs: ConfiguredInput[] = [];
  for (const [name, block] of entries) {
    const input = readInput(name, block ?? {}, registry, { now, baseDir }, reporter);
    if (input) inputs.push(input);
  }
  return inputs;
}

function readInput(
  name: string,
  block: unknown,
  registry: ReadonlyMap<string, Connector>,
  context: { now: () => number; baseDir: string },
  reporter: Reporter,
): ConfiguredInput | undefined {
  const path = [...PATH, name];
  if (!isPlainObject(block)) {
    reporter.error({ code: 'CONFIG_WRONG_TYPE', path, message: `must be a mapping (an input block), not ${yamlTypeOf(block)}` });
    return undefined;
  }
  const type = connectorType(name, block, path, reporter);
  if (type === undefined) return undefined;
  const connector = registry.get(type);
  if (!connector) {
    const known = [...registry.keys()];
    const written = block['type'] !== undefined;
    reporter.error({
      code: 'CONFIG_UNKNOWN_CONNECTOR',
      path: written ? [...path, 'type'] : path,
      at: written ? 'value' : 'key',
      message: written
        ? `unknown connector type "${type}"${didYouMean(type, known)}; the connector types are: ${known.join(', ')}`
        : `"${name}" is not a connector type${didYouMean(type, known)}; name the input after its connector or set \`type\` to one of: ${known.join(', ')}`,
    });
    return undefined;
  }

  const value = withoutNulls(knownServicesOnly(block, connector, path, reporter));
  const settings = connector.configure((schema) => {
    const result = validate(schema, value, path, reporter);
    if (!result.ok) return undefined;
    if (reportFutureStartTimes(result.data, path, context.now, reporter) > 0) return undefined;
    if (readFileSettings(result.data, path, context.baseDir, reporter) > 0) return undefined;
    return result.data;
  });
  if (!settings) return undefined;
  return { name, type, connector, settings, enabled: settings.common.enabled, id: settings.common.id };
}

/**
 * The connector types a configuration names (each input's `type`, else its name), read from
 * its plain YAML value before anything is validated: which connectors to load.
 */
export function namedConnectorTypes(root: unknown): string[] {
  const inputs = isPlainObject(root) ? root['inputs'] : undefined;
  if (!isPlainObject(inputs)) return [];
  const types = new Set<string>();
  for (const [name, block] of Object.entries(inputs)) {
    const type = isPlainObject(block) ? block['type'] : undefined;
    types.add(type === undefined || type === null ? name : String(type));
  }
  return [...types];
}

function connectorType(name: string, block: Record<string, unknown>, path: SettingPath, reporter: Reporter): string | undefined {
  const type = block['type'];
  if (type === undefined || type === null) return name;
  if (typeof type === 'string' && type !== '') return type;
  reporter.error(
    type === ''
      ? { code: 'CONFIG_EMPTY_STRING', path: [...path, 'type'], message: 'must not be an empty string' }
      : { code: 'CONFIG_WRONG_TYPE', path: [...path, 'type'], message: `must be a string (a connector type), not ${yamlTypeOf(type)}` },
  );
  return undefined;
}

/**
 * Reports services the connector does not have (with the ones it has), and hands the
 * schema a copy without them so they are not reported twice. A service written with
 * no settings (`item_usage:`) means "enabled with defaults".
 */
function knownServicesOnly(
  block: Record<string, unknown>,
  definition: Connector,
  path: SettingPath,
  reporter: Reporter,
): Record<string, unknown> {
  const services = block['services'];
  if (!isPlainObject(services)) return block;
  const known = Object.keys(definition.streams);
  const kept: Record<string, unknown> = {};
  for (const [service, settings] of Object.entries(services)) {
    if (Object.hasOwn(definition.streams, service)) {
      defineKey(kept, service, settings ?? {});
      continue;
    }
    reporter.error({
      code: 'CONFIG_UNKNOWN_CONNECTOR',
      path: [...path, 'services', service],
      at: 'key',
      message: `${definition.type} has no service \`${service}\`${didYouMean(service, known)}; its services are: ${known.join(', ')}`,
    });
  }
  const copy: Record<string, unknown> = { ...block };
  defineKey(copy, 'services', kept);
  return copy;
}

/** Calls `found` for every value of the validated settings (Zod keeps keys, so a value's path in the result is its path in the file). */
function visitValues(settings: unknown, basePath: SettingPath, found: (value: unknown, path: PathSegment[]) => boolean): void {
  const visit = (value: unknown, path: PathSegment[], depth: number): void => {
    if (depth > 32 || found(value, path)) return;
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i], depth + 1));
    else if (isPlainObject(value)) for (const [key, inner] of Object.entries(value)) visit(inner, [...path, key], depth + 1);
  };
  visit(settings, [...basePath], 0);
}

/**
 * Reads the files the settings name (relative to the configuration's folder), so a missing
 * key or CA bundle is a configuration error with its setting, before anything runs.
 */
function readFileSettings(settings: unknown, basePath: SettingPath, baseDir: string, reporter: Reporter): number {
  let failed = 0;
  visitValues(settings, basePath, (value, path) => {
    if (!(value instanceof FileSetting)) return false;
    const absolute = resolve(baseDir, value.path);
    // A regular file only, and a bounded one: a FIFO named here must not block the collector.
    const read = readRegularFileSync(absolute);
    if (read.ok) value.loaded(read.text);
    else {
      failed++;
      reporter.error({ code: 'CONFIG_INVALID_VALUE', path, message: `cannot read ${absolute} (${read.code ?? read.why})` });
    }
    return true;
  });
  return failed;
}

/**
 * "Start time in the future" with the loader's clock. Connector schemas are built once with
 * `startTime()` (which checks against Date.now); this second pass makes an injected clock
 * count too. Zod keeps object keys, so a value's path in the result is its path in the file.
 */
function reportFutureStartTimes(settings: unknown, basePath: SettingPath, now: () => number, reporter: Reporter): number {
  const at = now();
  let found = 0;
  visitValues(settings, basePath, (value, path) => {
    if (!isStartTime(value)) return false;
    if (value.ms > at) {
      found++;
      reporter.error({ code: 'CONFIG_FUTURE_DATE', path, message: futureStartTimeMessage(value.text), ...(value.futureDevoId === undefined ? {} : { devoId: value.futureDevoId }) });
    }
    return true;
  });
  return found;
}
