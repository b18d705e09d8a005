// The bare-minimum syslog baseline: 1Password pages, one TCP connection, one octet-counted
// RFC 5424 message per event (RFC 6587: `LEN <14>1 TIME HOST APP PROCID MSGID - JSON`),
// the time taken once per page.
// Usage: node dist/bench/baseline-syslog.js <url> <token> <endpoint> <host> <port>
import { once } from 'node:events';
import net from 'node:net';
import { hostname } from 'node:os';
import { runStreamBaseline } from './stream-baseline.js';

const [url, token, endpoint, host, port] = process.argv.slice(2);
if (!url || !token || !endpoint || !host || !port) throw new Error('usage: baseline-syslog <url> <token> <endpoint> <host> <port>');
const part = ` ${hostname() || 'localhost'} auth.agilebits.onepassword.itemusage ${process.pid} item_usage - `;

await runStreamBaseline({
  url,
  token,
  endpoint,
  connect: async () => {
    const socket = net.connect({ host, port: Number(port) });
    await once(socket, 'connect');
    return socket;
  },
  frame: (items) => {
    const head = `<14>1 ${new Date().toISOString()}${part}`;
    let text = '';
    for (const item of items) {
      const message = head + JSON.stringify(item);
      text += `${Buffer.byteLength(message)} ${message}`;
    }
    return text;
  },
});
