// The composition root's list of what Siphon ships. A new vendor is a folder under
// src/sources plus one line here; a new output, one line in src/outputs/index.ts.

import type { ConnectorDefinition } from '../core/contracts.js';
import { builtinOutputs } from '../outputs/index.js';
import { kiteworksConnector } from '../sources/kiteworks/index.js';
import { larkConnector } from '../sources/lark/index.js';
import { lastPassConnector } from '../sources/lastpass/index.js';
import { onePasswordConnector } from '../sources/onepassword/index.js';
import type { Registries } from '../config/load.js';

export const builtinConnectors: ReadonlyMap<string, ConnectorDefinition<unknown>> = new Map<string, ConnectorDefinition<unknown>>([
  [onePasswordConnector.type, onePasswordConnector as ConnectorDefinition<unknown>],
  [lastPassConnector.type, lastPassConnector as ConnectorDefinition<unknown>],
  [larkConnector.type, larkConnector as ConnectorDefinition<unknown>],
  [kiteworksConnector.type, kiteworksConnector as ConnectorDefinition<unknown>],
]);

export const builtinRegistries: Registries = { connectors: builtinConnectors, outputs: builtinOutputs };
