// TLS material for tests, made with the openssl command-line tool (run without a shell):
// a private test CA; a server certificate for 127.0.0.1 (and localhost) signed by it; a
// separate self-signed certificate for 127.0.0.1; and a CA-signed certificate for another
// host name (wrong.example) to test host-name checks; a client certificate signed by the
// test CA (for receivers that require one, like a Devo relay) and a "rogue" one signed by
// another CA that the receivers do not trust. EC P-256 keys, valid for 2 days.
// Also an RSA key pair (node:crypto) for signing JWT assertions.

import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  readonly caCertPem: string;
  /** The CA certificate as a file (for options that take a path). */
  readonly caCertFile: string;
  /** CA-signed, for IP:127.0.0.1 and DNS:localhost. */
  readonly serverKeyPem: string;
  readonly serverCertPem: string;
  /** Self-signed, for 127.0.0.1: a default client refuses it. */
  readonly selfSignedKeyPem: string;
  readonly selfSignedCertPem: string;
  /** CA-signed, but for wrong.example only: a client that trusts the CA still refuses it for 127.0.0.1. */
  readonly wrongHostCertPem: string;
  readonly wrongHostKeyPem: string;
  /** CA-signed client certificate (extendedKeyUsage=clientAuth), as PEM and as files. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Another CA, that nothing trusts: its certificate as PEM and file (a `chain` without the test CA). */
  readonly rogueCaCertPem: string;
  readonly rogueCaCertFile: string;
  /** A client certificate signed by the rogue CA: receivers that trust only the test CA reject it. */
  readonly rogueClientCertPem: string;
  readonly rogueClientKeyPem: string;
  readonly rogueClientCertFile: string;
  readonly rogueClientKeyFile: string;
}

const DAYS = '2';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const leafExtensions = (usage: 'serverAuth' | 'clientAuth'): string =>
  `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${usage}\n`;

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  }
}

/** A random positive serial number, as openssl's -set_serial takes it. */
function serial(): string {
  const bytes = randomBytes(12);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

interface LeafOptions {
  /** Subject alternative names, e.g. `IP:127.0.0.1,DNS:localhost`; none for client certificates. */
  readonly altNames?: string;
  /** The signing CA's file stem (`ca` -> ca.crt, ca.key). */
  readonly ca?: string;
  readonly usage?: 'serverAuth' | 'clientAuth';
}

/** A CA-signed leaf certificate: key `<name>.key`, certificate `<name>.crt`. */
async function leaf(dir: string, name: string, commonName: string, o: LeafOptions = {}): Promise<void> {
  const ca = o.ca ?? 'ca';
  await openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`], dir);
  await writeFile(join(dir, `${name}.ext`), `${leafExtensions(o.usage ?? 'serverAuth')}${o.altNames ? `subjectAltName=${o.altNames}\n` : ''}`);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', serial(), '-days', DAYS, '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`],
    dir,
  );
}

/** A self-signed CA: `<name>.key`, `<name>.crt`. */
async function certificateAuthority(dir: string, name: string, subject: string): Promise<void> {
  await openssl(
    [
      'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', DAYS, '-sha256', '-set_serial', serial(),
      '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  // Independent openssl runs go in parallel: the whole PKI takes a few hundred milliseconds.
  await Promise.all([
    certificateAuthority(dir, 'ca', '/O=Siphon Tests/CN=Siphon Test CA'),
    certificateAuthority(dir, 'rogue-ca', '/O=Somebody Else/CN=Rogue Test CA'),
  ]);
  await Promise.all([
    leaf(dir, 'server', '127.0.0.1', { altNames: 'IP:127.0.0.1,DNS:localhost' }),
    leaf(dir, 'wrong-host', 'wrong.example', { altNames: 'DNS:wrong.example' }),
    leaf(dir, 'client', 'siphon-test-client', { usage: 'clientAuth' }),
    leaf(dir, 'rogue-client', 'siphon-test-client', { usage: 'clientAuth', ca: 'rogue-ca' }),
    selfSigned(dir),
  ]);
  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  return {
    caCertPem: await read('ca.crt'),
    caCertFile: join(dir, 'ca.crt'),
    serverKeyPem: await read('server.key'),
    serverCertPem: await read('server.crt'),
    selfSignedKeyPem: await read('self-signed.key'),
    selfSignedCertPem: await read('self-signed.crt'),
    wrongHostCertPem: await read('wrong-host.crt'),
    wrongHostKeyPem: await read('wrong-host.key'),
    clientCertPem: await read('client.crt'),
    clientKeyPem: await read('client.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    rogueCaCertPem: await read('rogue-ca.crt'),
    rogueCaCertFile: join(dir, 'rogue-ca.crt'),
    rogueClientCertPem: await read('rogue-client.crt'),
    rogueClientKeyPem: await read('rogue-client.key'),
    rogueClientCertFile: join(dir, 'rogue-client.crt'),
    rogueClientKeyFile: join(dir, 'rogue-client.key'),
  };
}

/** Self-signed, for 127.0.0.1: `self-signed.key`, `self-signed.crt`. */
async function selfSigned(dir: string): Promise<void> {
  await openssl(
    [
      'req', '-x509', ...EC_KEY, '-keyout', 'self-signed.key', '-out', 'self-signed.crt', '-days', DAYS, '-sha256', '-set_serial', serial(),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:FALSE',
    ],
    dir,
  );
}

/** A fresh RSA 2048 key pair as PEM (PKCS#8 private, SPKI public), e.g. for RS256/RS512 JWTs. */
export function rsaKeyPairPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
