// The Okta plug-in record: its type, its connector and simulator kit (each loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';

export const oktaPlugin: VendorPlugin = {
  type: 'okta',
  connector: () => import('./index.js').then((connector) => connector.oktaConnector),
  simulator: () => import('../../simulators/okta/kit.js').then((kit) => kit.oktaKit),
  docs: 'docs/vendors/okta.md',
};
