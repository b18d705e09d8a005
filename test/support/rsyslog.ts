// A real rsyslog daemon for tests (Debian's rsyslog and rsyslog-gnutls packages), run in the
// foreground with a private configuration, work directory and output files, on free ports
// of 127.0.0.1. Listeners:
//   tcp           imtcp, plain; octet-counted and newline-framed messages both work on it
//   tls           imtcp over TLS (gtls), server certificate signed by the test CA, no client certificate asked
//   tlsClientCert the same, but a client certificate signed by the test CA is required (x509/certvalid)
//   tlsWrongHost  TLS with a CA-signed certificate for wrong.example (host-name mismatch for 127.0.0.1)
//   udp           imudp
// Each listener has its own ruleset writing one JSON object per message to its own file, so
// tests compare event by event: rsyslog's `jsonf` property format escapes everything, control
// character escaping on receive is off, and RFC 3164 messages lose only the one space that
// separates TAG and MSG (pmrfc3164 remove.msgFirstSpace), so `msg` is the message as sent.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestPki } from './certs.js';
import { freeTcpPorts } from './free-port.js';

const run = promisify(execFile);

export const RSYSLOGD = '/usr/sbin/rsyslogd';

export type Listener = 'tcp' | 'tls' | 'tlsClientCert' | 'tlsWrongHost' | 'udp';
const LISTENERS: readonly Listener[] = ['tcp', 'tls', 'tlsClientCert', 'tlsWrongHost', 'udp'];

/** One message as rsyslog parsed it. */
export interface ReceivedMessage {
  readonly pri: string;
  /** TIMESTAMP as rsyslog read it, RFC 3339 (RFC 3164 has no year: rsyslog guesses it). */
  readonly time: string;
  readonly host: string;
  /** RFC 3164: `TAG:`; RFC 5424: `APP-NAME[PROCID]`. */
  readonly syslogtag: string;
  /** APP-NAME (RFC 3164: the TAG up to `[` or `:`). */
  readonly app: string;
  readonly procid: string;
  readonly msgid: string;
  readonly sd: string;
  readonly msg: string;
}

export interface ClientCertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Starts rsyslogd; throws when the binary is missing or the daemon does not come up. */
export async function startRsyslog(dir: string, pki: TestPki): Promise<RsyslogDaemon> {
  try {
    await access(RSYSLOGD);
  } catch {
    throw new Error('rsyslogd not found: apt-get install rsyslog rsyslog-gnutls (bash .ci/run does it)');
  }
  await mkdir(join(dir, 'work'), { recursive: true });
  const [tcp, tls, tlsClientCert, tlsWrongHost] = await freeTcpPorts(4);
  const ports: Record<Listener, number> = { tcp: tcp!, tls: tls!, tlsClientCert: tlsClientCert!, tlsWrongHost: tlsWrongHost!, udp: await freeUdpPort() };
  const daemon = new RsyslogDaemon(dir, ports);
  await daemon.writeConfig(pki);
  await daemon.start();
  return daemon;
}

export class RsyslogDaemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    readonly dir: string,
    readonly ports: Readonly<Record<Listener, number>>,
  ) {}

  get configFile(): string {
    return join(this.dir, 'rsyslog.conf');
  }

  file(listener: Listener): string {
    return join(this.dir, `${listener}.jsonl`);
  }

  /** True while the daemon runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  async writeConfig(pki: TestPki): Promise<void> {
    const pem = (name: string): string => join(this.dir, name);
    await writeFile(pem('ca.crt'), pki.caCertPem);
    await writeFile(pem('server.crt'), pki.serverCertPem);
    await writeFile(pem('server.key'), pki.serverKeyPem, { mode: 0o600 });
    await writeFile(pem('wrong-host.crt'), pki.wrongHostCertPem);
    await writeFile(pem('wrong-host.key'), pki.wrongHostKeyPem, { mode: 0o600 });
    await writeFile(this.configFile, this.config());
  }

  private config(): string {
    const q = (text: string): string => JSON.stringify(text); // paths in rsyslog strings
    const field = (name: string, outname: string, extra = ''): string => `  property(name="${name}" format="jsonf" outname="${outname}"${extra})`;
    const rules = LISTENERS.map(
      (l) => `ruleset(name="${l}" parser=["rsyslog.rfc5424", "siphon.rfc3164"]) {\n  action(type="omfile" file=${q(this.file(l))} template="siphon_jsonl")\n}`,
    ).join('\n');
    const tlsInput = (l: Listener, authMode: string, cert: string): string =>
      `input(type="imtcp" address="127.0.0.1" port="${this.ports[l]}" ruleset="${l}" streamDriver.name="gtls" streamDriver.mode="1" ` +
      `streamDriver.authMode="${authMode}" streamDriver.certFile=${q(join(this.dir, `${cert}.crt`))} streamDriver.keyFile=${q(join(this.dir, `${cert}.key`))})`;
    return `# Written by test/support/rsyslog.ts
global(
  workDirectory=${q(join(this.dir, 'work'))}
  maxMessageSize="128k"
  parser.escapeControlCharactersOnReceive="off"
  defaultNetstreamDriverCAFile=${q(join(this.dir, 'ca.crt'))}
)
module(load="imtcp" maxSessions="500")
module(load="imudp")
parser(name="siphon.rfc3164" type="pmrfc3164" remove.msgFirstSpace="on")
template(name="siphon_jsonl" type="list") {
  constant(value="{")
${[
  field('pri', 'pri'),
  field('timereported', 'time', ' dateFormat="rfc3339"'),
  field('hostname', 'host'),
  field('syslogtag', 'syslogtag'),
  field('app-name', 'app'),
  field('procid', 'procid'),
  field('msgid', 'msgid'),
  field('structured-data', 'sd'),
  field('msg', 'msg'),
].join('\n  constant(value=",")\n')}
  constant(value="}\\n")
}
${rules}
input(type="imtcp" address="127.0.0.1" port="${this.ports.tcp}" ruleset="tcp")
${tlsInput('tls', 'anon', 'server')}
${tlsInput('tlsClientCert', 'x509/certvalid', 'server')}
${tlsInput('tlsWrongHost', 'anon', 'wrong-host')}
input(type="imudp" address="127.0.0.1" port="${this.ports.udp}" ruleset="udp" rcvBufSize="4m")
`;
  }

  /** Starts the daemon (again, after stop(): same ports, same files) and waits until every port listens. */
  async start(): Promise<void> {
    if (this.child) return;
    this.output = '';
    const child = spawn(RSYSLOGD, ['-n', '-f', this.configFile, '-i', join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (data: Buffer): void => {
      if (this.output.length < 64 * 1024) this.output += data.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', (err) => {
        this.output += `\n${err.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + 30_000; // a slow shared machine
    for (;;) {
      if (!this.child) throw new Error(`rsyslogd exited while starting:\n${this.output}`);
      if (await this.allListening()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`rsyslogd did not open its ports within 30 s:\n${this.output}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killed);
  }

  /** What rsyslogd printed (its own errors: a refused TLS peer, a bad config). */
  get log(): string {
    return this.output;
  }

  /** Every complete message line received on `listener` so far, in file order. */
  async messages(listener: Listener): Promise<ReceivedMessage[]> {
    let text: string;
    try {
      text = await readFile(this.file(listener), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const end = text.lastIndexOf('\n');
    if (end < 0) return [];
    return text
      .slice(0, end)
      .split('\n')
      .map((line) => JSON.parse(line) as ReceivedMessage);
  }

  /** Waits until `count` messages matching `filter` arrived on `listener`; returns them in file order. */
  async waitForMessages(listener: Listener, filter: (m: ReceivedMessage) => boolean, count: number, timeoutMs = 60_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messages(listener)).filter(filter);
      if (found.length >= count || Date.now() > deadline) return found;
      await sleep(50);
    }
  }

  private async allListening(): Promise<boolean> {
    const [tcp, udp] = await Promise.all([readFile('/proc/net/tcp', 'utf8'), readFile('/proc/net/udp', 'utf8')]);
    return LISTENERS.every((l) => (l === 'udp' ? isBound(udp, this.ports[l], '07') : isBound(tcp, this.ports[l], '0A')));
  }
}

/** Whether /proc/net/{tcp,udp} shows 127.0.0.1:`port` in `state` (0A: TCP LISTEN; 07: UDP bound). */
function isBound(table: string, port: number, state: string): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1] === local && cols[3] === state;
  });
}

/** A client certificate (clientAuth) signed by the test CA, whose key makeTestPki leaves as ca.key next to ca.crt. */
export async function makeClientCert(pki: TestPki, dir: string): Promise<ClientCertFiles> {
  await mkdir(dir, { recursive: true });
  const caDir = dirname(pki.caCertFile);
  const keyFile = join(dir, 'client.key');
  const csr = join(dir, 'client.csr');
  const certFile = join(dir, 'client.crt');
  const ext = join(dir, 'client.ext');
  await writeFile(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=siphon-test-client']);
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', pki.caCertFile, '-CAkey', join(caDir, 'ca.key'), '-set_serial', `0x${Date.now().toString(16)}`,
    '-days', '2', '-sha256', '-extfile', ext, '-out', certFile,
  ]);
  return { certFile, keyFile };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
