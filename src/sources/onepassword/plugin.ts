// The 1Password plug-in record: its type, its connector and simulator kit (each loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';

export const onePasswordPlugin: VendorPlugin = {
  type: 'onepassword',
  connector: () => import('./index.js').then((connector) => connector.onePasswordConnector),
  simulator: () => import('../../simulators/onepassword/kit.js').then((kit) => kit.onePasswordKit),
  docs: 'docs/vendors/onepassword.md',
};
