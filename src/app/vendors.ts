// The vendors Siphon ships: one line per vendor, naming its plug-in record (core/plugin.ts).
// A new vendor is its folders under src/sources and src/simulators, plus one line here.
export { kiteworksPlugin } from '../sources/kiteworks/plugin.js';
export { larkPlugin } from '../sources/lark/plugin.js';
export { lastPassPlugin } from '../sources/lastpass/plugin.js';
export { oktaPlugin } from '../sources/okta/plugin.js';
export { onePasswordPlugin } from '../sources/onepassword/plugin.js';
