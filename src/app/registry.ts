// The composition root's registries: the vendors' plug-in records (one line each in
// src/app/vendors.ts), whose connectors load only when a configuration names them, and the
// outputs (src/outputs/index.ts), by the `type` that picks them.

import type { Connector } from '../core/connector.js';
import type { VendorPlugin } from '../core/plugin.js';
import { SiphonError } from '../core/errors.js';
import { builtinOutputs } from '../outputs/index.js';
import type { CatalogRegistries, ConnectorCatalog, Registries } from '../config/load.js';
import * as records from './vendors.js';

/** Every vendor's plug-in record, by type name. */
export const VENDORS: readonly VendorPlugin[] = Object.values(records).sort((a, b) => a.type.localeCompare(b.type));

async function connectorOf(vendor: VendorPlugin): Promise<Connector> {
  const connector = await vendor.connector();
  // The record's type picks the vendor before its connector is loaded: they must agree.
  if (connector.type !== vendor.type) throw new SiphonError('INTERNAL', `The plug-in record "${vendor.type}" loads the connector "${connector.type}"`);
  return connector;
}

const builtinConnectors: ConnectorCatalog = {
  types: VENDORS.map((vendor) => vendor.type),
  async load(types) {
    const chosen = VENDORS.filter((vendor) => types.includes(vendor.type));
    const connectors = await Promise.all(chosen.map(connectorOf));
    return new Map(connectors.map((connector) => [connector.type, connector]));
  },
};

/** What `siphon run`, `check` and `validate` load a configuration with: only the vendors it names are loaded. */
export const builtinRegistries: CatalogRegistries = { connectors: builtinConnectors, outputs: builtinOutputs };

/** Every vendor's connector loaded (the demo, which runs them all; tests). */
export async function allBuiltinRegistries(): Promise<Registries> {
  return { connectors: await builtinConnectors.load(builtinConnectors.types), outputs: builtinOutputs };
}
