// The LastPass plug-in record: its connector, its simulator kit (loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';
import { lastPassConnector } from './index.js';

export const lastPassPlugin: VendorPlugin = {
  connector: lastPassConnector,
  simulator: () => import('../../simulators/lastpass/kit.js').then((kit) => kit.lastPassKit),
  docs: 'docs/vendors/lastpass.md',
};
