// TLS material for tests, made with the openssl command-line tool (run without a shell):
// a private test CA; a server certificate for 127.0.0.1 (and localhost) signed by it; a
// separate self-signed certificate for 127.0.0.1; and a CA-signed certificate for another
// host name (wrong.example) to test host-name checks. EC P-256 keys, valid for 2 days.
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
}

const DAYS = '2';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LEAF_EXTENSIONS = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n';

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

/** A CA-signed leaf certificate: key `<name>.key`, certificate `<name>.crt`. */
async function leaf(dir: string, name: string, commonName: string, altNames: string): Promise<void> {
  await openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`], dir);
  await writeFile(join(dir, `${name}.ext`), `${LEAF_EXTENSIONS}subjectAltName=${altNames}\n`);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial(), '-days', DAYS, '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`],
    dir,
  );
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  await openssl(
    [
      'req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', DAYS, '-sha256', '-set_serial', serial(),
      '-subj', '/O=Siphon Tests/CN=Siphon Test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await leaf(dir, 'server', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost');
  await leaf(dir, 'wrong-host', 'wrong.example', 'DNS:wrong.example');
  await openssl(
    [
      'req', '-x509', ...EC_KEY, '-keyout', 'self-signed.key', '-out', 'self-signed.crt', '-days', DAYS, '-sha256', '-set_serial', serial(),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:FALSE',
    ],
    dir,
  );
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
  };
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
