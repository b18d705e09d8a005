// Loads a configuration file in the Devo collector layout (globals / outputs / inputs):
// YAML with positions, secret references, then every block validated, with every
// problem reported at once and placed at its line:column.

import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Connector } from '../core/connector.js';
import { Redactor } from '../core/redact.js';
import { readConfigFileText } from './bounded-read.js';
import { yamlTypeOf } from './describe.js';
import { persistenceSecrets, readGlobals } from './globals.js';
import { namedConnectorTypes, readInputs } from './inputs.js';
import { readOutputs } from './outputs.js';
import { environmentProxySecrets, inputProxySecrets, readEnvironmentProxies } from './proxy.js';
import { isPlainObject, valueAt } from './path.js';
import { Reporter } from './report.js';
import { substitute } from './secrets.js';
import { didYouMean } from './suggest.js';
import type { ConfigProblem, ConfiguredInput, LoadOptions, LoadResult, Registries } from './types.js';
import { YamlSource } from './yaml-source.js';

export type { LoadOptions, Registries } from './types.js';

const TOP_LEVEL_KEYS = ['globals', 'outputs', 'inputs'];

/**
 * Connectors loaded on demand: a configuration loads only the connectors it names (each one
 * brings its settings schema and its API code), so a collector holds no code of vendors it
 * does not read.
 */
export interface ConnectorCatalog {
  /** Every connector type, in the order messages list them. */
  readonly types: readonly string[];
  /** The connectors of `types` (each one of `this.types`), by type. */
  load(types: readonly string[]): Promise<ReadonlyMap<string, Connector>>;
}

/** The registries with connectors loaded on demand (`registriesFor` turns them into `Registries` for a text). */
export interface CatalogRegistries {
  connectors: ConnectorCatalog;
  outputs: Registries['outputs'];
}

/**
 * The registries a configuration text needs: the connectors it names. A type the catalog does
 * not know (a typo, a reference, text that does not parse) loads every connector, so the
 * loader's problem can list them and suggest the closest.
 */
export async function registriesFor(text: string, catalog: CatalogRegistries): Promise<Registries> {
  let named: string[] | undefined;
  try {
    named = namedConnectorTypes(parseYaml(text, { uniqueKeys: false }));
  } catch {
    named = undefined; // the loader reports the syntax problem
  }
  const { types } = catalog.connectors;
  const wanted = named?.every((type) => types.includes(type)) ? named : types;
  return { connectors: await catalog.connectors.load(wanted), outputs: catalog.outputs };
}

export async function loadConfigFile(path: string, registries: Registries | CatalogRegistries, options: LoadOptions = {}): Promise<LoadResult> {
  const full = resolve(path);
  const read = await readConfigFileText(full);
  if (!read.ok) {
    const problem: ConfigProblem = { code: 'CONFIG_SYNTAX', path: '', line: 0, column: 0, message: `cannot read the configuration file ${full}: ${read.why}` };
    return { ok: false, problems: [problem], warnings: [] };
  }
  const ready = isCatalog(registries) ? await registriesFor(read.text, registries) : registries;
  return loadConfigText(read.text, full, dirname(full), ready, options);
}

function isCatalog(registries: Registries | CatalogRegistries): registries is CatalogRegistries {
  return 'load' in registries.connectors;
}

/**
 * Loads configuration text. `sourceName` names it in problems (a path, or e.g. "demo");
 * relative paths inside (`${file:...}`, the state folder) resolve against `baseDir`.
 */
export function loadConfigText(
  text: string,
  sourceName: string,
  baseDir: string,
  registries: Registries,
  options: LoadOptions = {},
): LoadResult {
  const base = resolve(baseDir);
  const source = YamlSource.parse(text);
  const reporter = new Reporter(source);
  for (const warning of source.warnings()) reporter.fromSource(warning, 'warning');
  const syntax = source.errors();
  if (syntax.length > 0) {
    // Past a syntax error the structure is a guess: report only what the parser found.
    for (const error of syntax) reporter.fromSource(error, 'error');
    return finish(reporter, []);
  }

  const secrets: string[] = [];
  const secretContext = { env: options.env ?? process.env, baseDir: base };
  const converted = source.toValue((value, path) => {
    const result = substitute(value, secretContext);
    reporter.noteReferences(path, result.references);
    for (const failure of result.failures) reporter.unresolvedReference(path, failure);
    secrets.push(...result.secrets);
    return result.value;
  });
  for (const problem of converted.problems) reporter.fromSource(problem, 'error');

  const root = converted.value ?? {};
  if (!isPlainObject(root)) {
    reporter.error({ code: 'CONFIG_WRONG_TYPE', path: [], message: `the configuration must be a mapping with globals, outputs and inputs, not ${yamlTypeOf(root)}` });
    return finish(reporter, secrets);
  }
  for (const key of Object.keys(root)) {
    if (TOP_LEVEL_KEYS.includes(key)) continue;
    reporter.error({
      code: 'CONFIG_UNKNOWN_KEY',
      path: [key],
      at: 'key',
      message: `unknown top-level section \`${key}\`${didYouMean(key, TOP_LEVEL_KEYS)}; the sections are: ${TOP_LEVEL_KEYS.join(', ')}`,
    });
  }

  const globals = readGlobals(root['globals'], base, reporter);
  const outputs = readOutputs(root['outputs'], registries.outputs, reporter);
  const inputs = readInputs(root['inputs'], registries.connectors, options.now ?? Date.now, base, reporter);
  requireHashKey(root['globals'], inputs, reporter);

  const environment = readEnvironmentProxies(secretContext.env);
  for (const problem of environment.problems) reporter.error({ code: 'CONFIG_INVALID_VALUE', path: [], message: problem });
  secrets.push(...environmentProxySecrets(environment.proxies));
  for (const input of inputs) secrets.push(...input.settings.secrets, ...inputProxySecrets(input.settings.common.http));
  for (const output of outputs) secrets.push(...(output.definition.secrets?.(output.settings) ?? []));
  if (globals?.obfuscation) secrets.push(globals.obfuscation.hash_key);
  if (globals?.status_server?.token !== undefined) secrets.push(globals.status_server.token);
  if (globals) secrets.push(...persistenceSecrets(globals.persistence));

  if (reporter.problems.length > 0 || globals === undefined) return finish(reporter, secrets);
  const path = isAbsolute(sourceName) ? sourceName : resolve(base, sourceName);
  return {
    ok: true,
    config: { path, baseDir: base, globals, outputs, inputs, secrets: unique(secrets), environmentProxies: environment.proxies },
    warnings: clean(reporter.warnings, secrets),
  };
}

/** `method: hash` rules need a key, and it lives in globals (one key for every input). */
function requireHashKey(rawGlobals: unknown, inputs: readonly ConfiguredInput[], reporter: Reporter): void {
  const written = valueAt(rawGlobals, ['obfuscation', 'hash_key']);
  if (written !== undefined && written !== null) return; // present: `globals` validation judged it.
  for (const input of inputs) {
    if (!input.enabled) continue;
    for (const [service, stream] of Object.entries(input.settings.streams)) {
      const rule = stream.settings.obfuscation.find((r) => r.method === 'hash');
      if (!rule) continue;
      reporter.error({
        code: 'CONFIG_MISSING',
        path: ['globals', 'obfuscation', 'hash_key'],
        message: `\`globals.obfuscation.hash_key\` is missing and it is mandatory: inputs.${input.name}.services.${service} hashes \`${rule.path}\``,
      });
      return;
    }
  }
}

function finish(reporter: Reporter, secrets: readonly string[]): LoadResult {
  return { ok: false, problems: clean(reporter.problems, secrets), warnings: clean(reporter.warnings, secrets) };
}

/** Sorted by position, without repeats, and with any secret value hidden (a last line of defence). */
function clean(problems: readonly ConfigProblem[], secrets: readonly string[]): ConfigProblem[] {
  const redactor = new Redactor();
  redactor.add(...secrets);
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const problem of problems) {
    const message = redactor.redact(problem.message);
    const key = `${problem.code}\u0000${problem.path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...problem, message });
  }
  // Array.prototype.sort is stable: problems on one spot keep the order they were found in.
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}
