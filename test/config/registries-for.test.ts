// A configuration loads only the connectors it names (src/config/load.ts `registriesFor`):
// a collector holds no code of the vendors it does not read. Anything the catalog does not
// know loads every connector, so the loader's problem can list and suggest them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector } from '../../src/core/connector.js';
import { builtinRegistries } from '../../src/app/registry.js';
import { loadConfigText, registriesFor, type CatalogRegistries } from '../../src/config/load.js';

/** The built-in catalog, noting which types each load asked for. */
function recordingCatalog(): { registries: CatalogRegistries; asked: string[][] } {
  const asked: string[][] = [];
  const { connectors, outputs } = builtinRegistries;
  const registries: CatalogRegistries = {
    outputs,
    connectors: {
      types: connectors.types,
      load: (types): Promise<ReadonlyMap<string, Connector>> => {
        asked.push([...types]);
        return connectors.load(types);
      },
    },
  };
  return { registries, asked };
}

test('an input named after its vendor, or typed, loads that connector only', async () => {
  const { registries, asked } = recordingCatalog();
  const text = [
    'inputs:',
    '  onepassword: {credentials: {token: a}, services: {audit: {}}}',
    '  op_eu: {type: onepassword, credentials: {token: b}, services: {audit: {}}}',
    '  kw: {type: kiteworks, enabled: false}',
    '',
  ].join('\n');
  const ready = await registriesFor(text, registries);
  assert.deepEqual(asked, [['onepassword', 'kiteworks']]);
  assert.deepEqual([...ready.connectors.keys()].sort(), ['kiteworks', 'onepassword']);
});

test('an unknown type loads every connector, and the problem lists them all', async () => {
  const { registries, asked } = recordingCatalog();
  const text = 'inputs:\n  x: {type: onepasword, services: {audit: {}}}\n';
  const ready = await registriesFor(text, registries);
  assert.deepEqual(asked, [[...registries.connectors.types]]);
  const result = loadConfigText(text, 'config.yaml', '/srv/siphon', ready, { env: {} });
  assert.equal(result.ok, false);
  const problem = result.ok ? undefined : result.problems.find((p) => p.code === 'CONFIG_UNKNOWN_CONNECTOR');
  assert.ok(problem, 'an unknown connector problem');
  assert.match(problem.message, /did you mean `onepassword`/);
  for (const type of registries.connectors.types) assert.ok(problem.message.includes(type), `${type} is listed`);
});

test('text that does not parse loads every connector (the loader reports the syntax)', async () => {
  const { registries, asked } = recordingCatalog();
  await registriesFor('inputs: [unclosed\n', registries);
  assert.deepEqual(asked, [[...registries.connectors.types]]);
});
