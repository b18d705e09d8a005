// The Lark plug-in record: its connector, its simulator kit (loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';
import { larkConnector } from './index.js';

export const larkPlugin: VendorPlugin = {
  connector: larkConnector,
  simulator: () => import('../../simulators/lark/kit.js').then((kit) => kit.larkKit),
  docs: 'docs/vendors/lark.md',
};
