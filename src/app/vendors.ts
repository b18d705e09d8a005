// The vendors Siphon ships: one plug-in record each (see core/plugin.ts). A new vendor is
// its folders under src/sources and src/simulators, plus one line here.

import type { VendorPlugin } from '../core/plugin.js';
import { kiteworksPlugin } from '../sources/kiteworks/plugin.js';
import { larkPlugin } from '../sources/lark/plugin.js';
import { lastPassPlugin } from '../sources/lastpass/plugin.js';
import { onePasswordPlugin } from '../sources/onepassword/plugin.js';

export const VENDORS: readonly VendorPlugin[] = [onePasswordPlugin, lastPassPlugin, larkPlugin, kiteworksPlugin];
