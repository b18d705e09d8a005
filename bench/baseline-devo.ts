// The bare-minimum Devo baseline: 1Password pages, one TLS connection with the client
// certificate, one `<14>Jan  1 00:00:00 HOST TAG: JSON\n` line per event (Devo's frame).
// In TLS 1.3 a receiver that refuses the certificate may just close, which looks like a clean
// end here: the bench parent's frame count at the receiver is what decides that a run worked.
// Usage: node dist/bench/baseline-devo.js <url> <token> <endpoint> <host> <port> <ca-file> <cert-file> <key-file>
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import tls from 'node:tls';
import { runStreamBaseline } from './stream-baseline.js';

const [url, token, endpoint, host, port, ca, cert, key] = process.argv.slice(2);
if (!url || !token || !endpoint || !host || !port || !ca || !cert || !key) {
  throw new Error('usage: baseline-devo <url> <token> <endpoint> <host> <port> <ca-file> <cert-file> <key-file>');
}
const header = `<14>Jan  1 00:00:00 ${hostname().split(/\s+/)[0] || 'localhost'} auth.agilebits.onepassword.itemusage: `;

await runStreamBaseline({
  url,
  token,
  endpoint,
  connect: async () => {
    const socket = tls.connect({ host, port: Number(port), ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key) });
    await once(socket, 'secureConnect');
    return socket;
  },
  frame: (items) => {
    let text = '';
    for (const item of items) text += `${header}${JSON.stringify(item)}\n`;
    return text;
  },
});
