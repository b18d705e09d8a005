// Every vendor of the plug-in list through the shared conformance suite, with its simulator
// kit's setup: a new vendor is tested here without touching this file.
import { VENDORS } from '../../src/app/registry.js';
import { conformanceSuite } from './suite.js';

for (const vendor of VENDORS) {
  const kit = await vendor.simulator();
  conformanceSuite({ name: kit.name, ...kit.conformance });
}
