// TCP ports on 127.0.0.1 that nothing listens on right now (the kernel picks them).
import net from 'node:net';

/** A port nothing listens on right now. */
export async function freeTcpPort(): Promise<number> {
  const [port] = await freeTcpPorts(1);
  if (port === undefined) throw new Error('no port was given');
  return port;
}

/** `count` distinct ports: all are held at once before any is let go, so none is given twice. */
export async function freeTcpPorts(count: number): Promise<number[]> {
  const held = await Promise.allSettled(Array.from({ length: count }, holdPort));
  const servers = held.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []));
  try {
    const failed = held.find((h) => h.status === 'rejected');
    if (failed) throw failed.reason;
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function holdPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port was given');
  return address.port;
}
