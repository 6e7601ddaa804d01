/**
 * A small public-key infrastructure for loopback TLS tests, made with the openssl CLI: a root, an
 * intermediate, and leaves the intermediate signs (valid, expired, not yet valid, for another
 * name, ten days from expiry, one with an RSA key), plus a client authority and a client
 * certificate for mutual TLS. `openssl ca` sets the leaves' dates, which `openssl x509 -days`
 * cannot put in the past. Made once per test process, in a temporary directory removed after.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {TestCertificate} from './tls.js';

export type ChainLeaf = {
  key: string;
  /** The leaf alone (a server sending this leaves out the intermediate). */
  cert: string;
  /** The leaf followed by the intermediate, as a well-configured server sends it. */
  chain: string;
};

export type LeafName =
  'valid' | 'rsa' | 'ed25519' | 'expired' | 'notYetValid' | 'otherName' | 'expiresSoon';

export type TestChain = {
  /** The root's certificate (PEM), to pass as `ca`. */
  root: string;
  intermediate: string;
  leaves: Record<LeafName, ChainLeaf>;
  /** Where each leaf says its issuer's certificate can be fetched (never fetched by the tests). */
  issuerUrl: string;
  /** The authority a server asks client certificates to be signed by. */
  clientAuthority: string;
  client: TestCertificate;
};

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const rsaKey = ['-newkey', 'rsa:2048', '-nodes'];
const ed25519Key = ['-newkey', 'ed25519', '-nodes'];
const issuerUrl = 'http://pki.porthole.test/intermediate.crt';

const caConfig = `[ca]
default_ca = signer
[signer]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
email_in_dn = no
[any_name]
commonName = supplied
`;

function openssl(args: string[], directory: string): void {
  execFileSync('openssl', args, {cwd: directory, stdio: ['ignore', 'ignore', 'pipe']});
}

/** openssl ca's UTCTime: YYMMDDHHMMSSZ. */
function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

let made: TestChain | undefined;

export function testChain(): TestChain {
  made ??= makeChain(Date.now());
  return made;
}

function makeChain(now: number): TestChain {
  const directory = mkdtempSync(path.join(tmpdir(), 'porthole-chain-'));
  const file = (name: string) => path.join(directory, name);
  const read = (name: string) => readFileSync(file(name), 'utf8');
  const run = (args: string[]) => openssl(args, directory);
  try {
    writeFileSync(file('ca.cnf'), caConfig);
    writeFileSync(file('index.txt'), '');
    writeFileSync(file('serial'), '1000\n');
    writeFileSync(
      file('intermediate.ext'),
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' +
        'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    run([
      'req',
      '-x509',
      ...ecKey,
      '-subj',
      '/CN=Porthole Test Root',
      '-days',
      '60',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'root-key.pem',
      '-out',
      'root.pem',
    ]);
    run([
      'req',
      ...ecKey,
      '-subj',
      '/CN=Porthole Test Intermediate',
      '-keyout',
      'intermediate-key.pem',
      '-out',
      'intermediate.csr',
    ]);
    run([
      'x509',
      '-req',
      '-in',
      'intermediate.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root-key.pem',
      '-set_serial',
      '2',
      '-days',
      '60',
      '-extfile',
      'intermediate.ext',
      '-out',
      'intermediate.pem',
    ]);
    const intermediate = read('intermediate.pem');

    const leaf = (
      name: string,
      commonName: string,
      altNames: string,
      from: number,
      to: number,
      key = ecKey,
    ): ChainLeaf => {
      writeFileSync(
        file(`${name}.ext`),
        `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n` +
          `authorityKeyIdentifier=keyid\nauthorityInfoAccess=caIssuers;URI:${issuerUrl}\n`,
      );
      run([
        'req',
        ...key,
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        `${name}-key.pem`,
        '-out',
        `${name}.csr`,
      ]);
      run([
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-notext',
        '-cert',
        'intermediate.pem',
        '-keyfile',
        'intermediate-key.pem',
        '-in',
        `${name}.csr`,
        '-extfile',
        `${name}.ext`,
        '-startdate',
        asn1Time(from),
        '-enddate',
        asn1Time(to),
        '-out',
        `${name}.pem`,
      ]);
      const cert = read(`${name}.pem`);
      return {key: read(`${name}-key.pem`), cert, chain: cert + intermediate};
    };
    const local = 'DNS:localhost,IP:127.0.0.1';
    const leaves: Record<LeafName, ChainLeaf> = {
      valid: leaf('valid', 'localhost', local, now - hour, now + 30 * day),
      rsa: leaf('rsa', 'localhost', local, now - hour, now + 30 * day, rsaKey),
      ed25519: leaf('ed25519', 'localhost', local, now - hour, now + 30 * day, ed25519Key),
      // An hour's margin either way keeps the whole days the tests expect whole while they run.
      expired: leaf('expired', 'localhost', local, now - 30 * day, now - 3 * day + hour),
      notYetValid: leaf('not-yet-valid', 'localhost', local, now + 5 * day + hour, now + 40 * day),
      otherName: leaf(
        'other',
        'other.test',
        'DNS:other.test,DNS:www.other.test',
        now - hour,
        now + 30 * day,
      ),
      expiresSoon: leaf('soon', 'localhost', local, now - hour, now + 10 * day + hour),
    };

    run([
      'req',
      '-x509',
      ...ecKey,
      '-subj',
      '/CN=Porthole Client Authority',
      '-days',
      '60',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'client-ca-key.pem',
      '-out',
      'client-ca.pem',
    ]);
    writeFileSync(file('client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    run([
      'req',
      ...ecKey,
      '-subj',
      '/CN=porthole client',
      '-keyout',
      'client-key.pem',
      '-out',
      'client.csr',
    ]);
    run([
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'client-ca.pem',
      '-CAkey',
      'client-ca-key.pem',
      '-set_serial',
      '3',
      '-days',
      '60',
      '-extfile',
      'client.ext',
      '-out',
      'client.pem',
    ]);

    return {
      root: read('root.pem'),
      intermediate,
      leaves,
      issuerUrl,
      clientAuthority: read('client-ca.pem'),
      client: {key: read('client-key.pem'), cert: read('client.pem')},
    };
  } finally {
    rmSync(directory, {recursive: true, force: true});
  }
}
