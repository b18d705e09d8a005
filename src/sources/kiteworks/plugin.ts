// The Kiteworks plug-in record: its connector, its simulator kit (loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';
import { kiteworksConnector } from './index.js';

export const kiteworksPlugin: VendorPlugin = {
  connector: kiteworksConnector,
  simulator: () => import('../../simulators/kiteworks/kit.js').then((kit) => kit.kiteworksKit),
  docs: 'docs/vendors/kiteworks.md',
};
