// The Okta plug-in record: its connector, its simulator kit (loaded on demand), its docs page.
import type { VendorPlugin } from '../../core/plugin.js';
import { oktaConnector } from './index.js';

export const oktaPlugin: VendorPlugin = {
  connector: oktaConnector,
  simulator: () => import('../../simulators/okta/kit.js').then((kit) => kit.oktaKit),
  docs: 'docs/vendors/okta.md',
};
