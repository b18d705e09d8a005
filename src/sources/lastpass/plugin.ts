// The LastPass plug-in record: its type, its connector and simulator kit (each loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';

export const lastPassPlugin: VendorPlugin = {
  type: 'lastpass',
  connector: () => import('./index.js').then((connector) => connector.lastPassConnector),
  simulator: () => import('../../simulators/lastpass/kit.js').then((kit) => kit.lastPassKit),
  docs: 'docs/vendors/lastpass.md',
};
