// The composition root's registries: the vendors' plug-in records (one line each in
// src/app/vendors.ts) with their connectors, and the outputs (src/outputs/index.ts), by the
// `type` that picks them.

import type { Connector } from '../core/connector.js';
import type { VendorPlugin } from '../core/plugin.js';
import { builtinOutputs } from '../outputs/index.js';
import type { Registries } from '../config/load.js';
import * as records from './vendors.js';

/** Every vendor's plug-in record, by type name. */
export const VENDORS: readonly VendorPlugin[] = Object.values(records).sort((a, b) => a.connector.type.localeCompare(b.connector.type));

const builtinConnectors: ReadonlyMap<string, Connector> = new Map(VENDORS.map((vendor) => [vendor.connector.type, vendor.connector]));

export const builtinRegistries: Registries = { connectors: builtinConnectors, outputs: builtinOutputs };
