/**
 * curl's TLS files read and checked before anything is sent: --capath's directory of
 * authorities, --cert and --key (PEM only, the key matched against the certificate) and
 * --pinnedpubkey's hashes or key file. Each mistake is one line that names the file.
 */
import {crypto} from '../../builtin-on-use.js';
import type {KeyObject} from 'node:crypto';
import {quoted} from './plan.js';

/** An X.509 certificate: crypto loads with the first certificate file read. */
const x509 = (input: string | Buffer) => new (crypto().X509Certificate)(input);

export type TlsFileIo = {
  /** Reads a file named by an option; throws the one-line problem when it cannot. */
  read(file: string, what: string): Promise<Buffer>;
  /** Reads a file, throwing the system's error (a file in --capath that cannot be read is skipped). */
  readRaw(file: string): Promise<Uint8Array>;
  readDirectory(directory: string): Promise<string[]>;
  /** The error to throw for a problem in the command. */
  fail(message: string): Error;
};

const certificateBlocks = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const privateKeyBlock =
  /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** The PEM certificates in a text that really are certificates, in order. */
export function pemCertificates(text: string): string[] {
  return (text.match(certificateBlocks) ?? []).filter((block) => {
    try {
      x509(block);
      return true;
    } catch {
      return false;
    }
  });
}

/** -E/--cert `FILE[:PASSWORD]` split as curl splits it: at the first colon not after a backslash. */
export function certAndPassword(value: string): {file: string; password?: string} {
  let file = '';
  for (let at = 0; at < value.length; at++) {
    const char = value[at] ?? '';
    const following = value[at + 1];
    if (char === '\\' && (following === ':' || following === '\\')) {
      file += following;
      at++;
    } else if (char === ':') {
      return {file, password: value.slice(at + 1)};
    } else file += char;
  }
  return {file};
}

/** Names OpenSSL and curl load from a CA directory: *.pem, *.crt, *.cer and c_rehash's `abcd1234.0`. */
const authorityName = /(?:\.(?:pem|crt|cer)|^[0-9a-f]{8}\.\d+)$/i;

function directoryReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'ENOTDIR') return 'it is not a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** --capath DIR: every certificate in the directory's certificate files, each once. */
export async function capathCertificates(directory: string, io: TlsFileIo): Promise<string[]> {
  let names: string[];
  try {
    names = await io.readDirectory(directory);
  } catch (error) {
    throw io.fail(`cannot read --capath directory ${directory}: ${directoryReason(error)}`);
  }
  const found = new Set<string>();
  for (const name of names.filter((each) => authorityName.test(each)).sort()) {
    // c_rehash links each hash name to its file: a subdirectory or a broken link is passed over.
    const bytes = await io
      .readRaw(`${directory.replace(/\/+$/, '')}/${name}`)
      .catch(() => undefined);
    if (bytes === undefined) continue;
    for (const block of pemCertificates(Buffer.from(bytes).toString('utf8'))) found.add(block);
  }
  if (found.size === 0) throw io.fail(`no PEM certificate in --capath directory ${directory}`);
  return [...found];
}

export type ClientCertificate = {cert: string; key: string; passphrase?: string};

/**
 * -E/--cert with --key and --pass: the certificate chain and its key, the key taken from the
 * certificate's file when no --key is given (as curl does), checked to belong together.
 */
export async function clientCertificate(
  given: {cert: string; key?: string; pass?: string},
  io: TlsFileIo,
): Promise<ClientCertificate> {
  const {file, password} = certAndPassword(given.cert);
  const text = (await io.read(file, '--cert')).toString('utf8');
  const chain = pemCertificates(text);
  const leaf = chain[0];
  if (leaf === undefined) throw io.fail(`not a PEM certificate: ${file}`);
  const keyFile = given.key ?? file;
  const keyText = privateKeyBlock.exec(
    given.key === undefined ? text : (await io.read(given.key, '--key')).toString('utf8'),
  )?.[0];
  if (keyText === undefined) {
    throw io.fail(
      given.key === undefined
        ? `no private key in ${file}: give it with --key`
        : `not a PEM private key: ${given.key}`,
    );
  }
  // A password after --cert's colon is the key's, as in curl; otherwise --pass.
  const passphrase = password ?? given.pass;
  let key: KeyObject;
  try {
    key = crypto().createPrivateKey({key: keyText, format: 'pem', passphrase});
  } catch {
    const encrypted = /ENCRYPTED/.test(keyText);
    if (encrypted && passphrase === undefined) {
      throw io.fail(`the key in ${keyFile} is encrypted: give its passphrase with --pass`);
    }
    throw io.fail(
      encrypted
        ? `cannot decrypt the key in ${keyFile}: wrong passphrase`
        : `not a PEM private key: ${keyFile}`,
    );
  }
  if (!x509(leaf).checkPrivateKey(key)) {
    throw io.fail(`the key in ${keyFile} does not match the certificate in ${file}`);
  }
  const certificate: ClientCertificate = {cert: chain.join('\n'), key: keyText};
  if (passphrase !== undefined) certificate.passphrase = passphrase;
  return certificate;
}

/** The SubjectPublicKeyInfo (DER) of a public key or certificate file, PEM or DER. */
function publicKeyInfo(bytes: Buffer): Buffer | undefined {
  const text = bytes.toString('latin1');
  const spki = (key: KeyObject) => key.export({type: 'spki', format: 'der'});
  const attempts: Array<() => Buffer> = text.includes('-----BEGIN')
    ? [
        () => spki(x509(pemCertificates(text)[0] ?? '').publicKey),
        () => {
          const block =
            /-----BEGIN (?:RSA )?PUBLIC KEY-----[\s\S]*?-----END (?:RSA )?PUBLIC KEY-----/.exec(
              text,
            );
          if (block === null) throw new Error('no public key');
          return spki(crypto().createPublicKey(block[0]));
        },
      ]
    : [
        () => spki(crypto().createPublicKey({key: bytes, format: 'der', type: 'spki'})),
        () => spki(x509(bytes).publicKey),
      ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // The next reading of the file.
    }
  }
  return undefined;
}

/**
 * --pinnedpubkey: `sha256//BASE64[;sha256//BASE64…]`, or a file holding the public key (or a
 * certificate), whose SubjectPublicKeyInfo is hashed. The hashes come back as base64.
 */
export async function pinnedPublicKeys(value: string, io: TlsFileIo): Promise<string[]> {
  if (value.startsWith('sha256//')) {
    return value.split(';').map((entry) => {
      const hash = /^\s*sha256\/\/([A-Za-z0-9+/]{43})=?\s*$/.exec(entry)?.[1];
      if (hash === undefined) {
        throw io.fail(
          `bad --pinnedpubkey ${quoted(entry)}: each is sha256// and the base64 of a SHA-256 hash`,
        );
      }
      return `${hash}=`;
    });
  }
  const spki = publicKeyInfo(await io.read(value, '--pinnedpubkey'));
  if (spki === undefined) {
    throw io.fail(`not a public key or certificate (PEM or DER): ${value} (--pinnedpubkey)`);
  }
  return [crypto().createHash('sha256').update(spki).digest('base64')];
}
