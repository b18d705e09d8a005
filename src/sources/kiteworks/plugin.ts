// The Kiteworks plug-in record: its type, its connector and simulator kit (each loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';

export const kiteworksPlugin: VendorPlugin = {
  type: 'kiteworks',
  connector: () => import('./index.js').then((connector) => connector.kiteworksConnector),
  simulator: () => import('../../simulators/kiteworks/kit.js').then((kit) => kit.kiteworksKit),
  docs: 'docs/vendors/kiteworks.md',
};
