// The composition root's registries: the connectors of the vendors' plug-in records
// (src/app/vendors.ts) and the outputs (src/outputs/index.ts), by the `type` that picks them.

import type { Connector } from '../core/connector.js';
import { builtinOutputs } from '../outputs/index.js';
import type { Registries } from '../config/load.js';
import { VENDORS } from './vendors.js';

const builtinConnectors: ReadonlyMap<string, Connector> = new Map(VENDORS.map((vendor) => [vendor.connector.type, vendor.connector]));

export const builtinRegistries: Registries = { connectors: builtinConnectors, outputs: builtinOutputs };
