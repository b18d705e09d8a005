// The Lark plug-in record: its type, its connector and simulator kit (each loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';

export const larkPlugin: VendorPlugin = {
  type: 'lark',
  connector: () => import('./index.js').then((connector) => connector.larkConnector),
  simulator: () => import('../../simulators/lark/kit.js').then((kit) => kit.larkKit),
  docs: 'docs/vendors/lark.md',
};
