/**
 * Throwaway certificates for loopback TLS servers, made with the openssl CLI: self-signed ones and
 * a small certificate authority with leaves signed by it. Each lives two days.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

export type TestCertificate = {key: string; cert: string};

export type TestAuthority = {
  /** The authority's certificate (PEM), to pass as `ca`. */
  ca: string;
  /** A leaf for these subjectAltName entries (e.g. `DNS:localhost,IP:127.0.0.1`), signed by the authority. */
  issue(commonName: string, altNames: string): TestCertificate;
};

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function inTemporaryDirectory<T>(work: (directory: string) => T): T {
  const directory = mkdtempSync(path.join(tmpdir(), 'porthole-tls-'));
  try {
    return work(directory);
  } finally {
    rmSync(directory, {recursive: true, force: true});
  }
}

function openssl(args: string[], directory: string): void {
  execFileSync('openssl', args, {cwd: directory, stdio: ['ignore', 'ignore', 'pipe']});
}

const selfSignedCache = new Map<string, TestCertificate>();

/** A self-signed certificate, by default for localhost and 127.0.0.1. */
export function selfSignedCertificate(
  commonName = 'localhost',
  altNames = 'DNS:localhost,IP:127.0.0.1',
): TestCertificate {
  const cacheKey = `${commonName}|${altNames}`;
  const cached = selfSignedCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const made = inTemporaryDirectory((directory) => {
    openssl(
      [
        'req',
        '-x509',
        ...ecKey,
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        `subjectAltName=${altNames}`,
        '-days',
        '2',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      directory,
    );
    return {
      key: readFileSync(path.join(directory, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(directory, 'cert.pem'), 'utf8'),
    };
  });
  selfSignedCache.set(cacheKey, made);
  return made;
}

/** A certificate authority that signs leaves; its key is kept in memory for the test run only. */
export function certificateAuthority(): TestAuthority {
  const authority = inTemporaryDirectory((directory) => {
    openssl(
      [
        'req',
        '-x509',
        ...ecKey,
        '-subj',
        '/CN=porthole test authority',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-days',
        '2',
        '-keyout',
        'ca-key.pem',
        '-out',
        'ca.pem',
      ],
      directory,
    );
    return {
      key: readFileSync(path.join(directory, 'ca-key.pem'), 'utf8'),
      cert: readFileSync(path.join(directory, 'ca.pem'), 'utf8'),
    };
  });
  return {
    ca: authority.cert,
    issue(commonName, altNames) {
      return inTemporaryDirectory((directory) => {
        writeFileSync(path.join(directory, 'ca.pem'), authority.cert);
        writeFileSync(path.join(directory, 'ca-key.pem'), authority.key, {mode: 0o600});
        writeFileSync(path.join(directory, 'leaf.ext'), `subjectAltName=${altNames}\n`);
        openssl(
          ['req', ...ecKey, '-subj', `/CN=${commonName}`, '-keyout', 'key.pem', '-out', 'leaf.csr'],
          directory,
        );
        openssl(
          [
            'x509',
            '-req',
            '-in',
            'leaf.csr',
            '-CA',
            'ca.pem',
            '-CAkey',
            'ca-key.pem',
            '-CAcreateserial',
            '-days',
            '2',
            '-extfile',
            'leaf.ext',
            '-out',
            'cert.pem',
          ],
          directory,
        );
        return {
          key: readFileSync(path.join(directory, 'key.pem'), 'utf8'),
          cert: readFileSync(path.join(directory, 'cert.pem'), 'utf8'),
        };
      });
    },
  };
}
