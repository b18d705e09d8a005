// The 1Password plug-in record: its connector, its simulator kit (loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';
import { onePasswordConnector } from './index.js';

export const onePasswordPlugin: VendorPlugin = {
  connector: onePasswordConnector,
  simulator: () => import('../../simulators/onepassword/kit.js').then((kit) => kit.onePasswordKit),
  docs: 'docs/vendors/onepassword.md',
};
