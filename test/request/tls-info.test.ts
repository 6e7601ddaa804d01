import {execFileSync} from 'node:child_process';
import {X509Certificate} from 'node:crypto';
import type {AddressInfo, Socket} from 'node:net';
import tls, {type ConnectionOptions, type TlsOptions} from 'node:tls';
import {afterAll, describe, expect, it} from 'vitest';
import {insecureHint} from '../../source/request/errors.js';
import {
  daysLeftWords,
  describeTls,
  tlsFailure,
  tlsTranscript,
  type TlsContext,
} from '../../source/request/tls-info.js';
import type {TlsInfo} from '../../source/request/types.js';
import {testChain} from '../helpers/tls-chain.js';
import {certificateAuthority, selfSignedCertificate} from '../helpers/tls.js';

const pki = testChain();
const {leaves} = pki;

type Handshake = {info: TlsInfo; port: number; where: string; clientSeen: string};

const servers = new Set<tls.Server>();
afterAll(() => {
  for (const server of servers) server.close();
});

/**
 * Starts a TLS server on 127.0.0.1 port 0, connects to it as the engine does (no rejection, the
 * decision after the handshake) and describes the session; then closes both ends.
 */
async function handshake(
  server: TlsOptions,
  client: ConnectionOptions = {},
  context: Partial<TlsContext> = {},
): Promise<Handshake> {
  const listener = tls.createServer(server);
  servers.add(listener);
  const accepted = new Set<Socket>();
  // The server tells the client which client certificate it saw, so the test reads it in order.
  listener.on('secureConnection', (socket) => {
    accepted.add(socket);
    socket.on('error', () => {});
    socket.end(socket.getPeerX509Certificate()?.subject ?? '');
  });
  listener.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
  const {port} = listener.address() as AddressInfo;
  try {
    const servername = context.servername ?? 'localhost';
    const [info, clientSeen] = await new Promise<[TlsInfo, string]>((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername,
        rejectUnauthorized: false,
        ...client,
      });
      let described: TlsInfo | undefined;
      let received = '';
      socket.once('secureConnect', () => {
        try {
          described = describeTls(socket, {
            host: 'localhost',
            servername,
            insecure: false,
            clientCertificate: client.cert !== undefined,
            ...context,
          });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => (received += text));
      socket.once('end', () => {
        socket.destroy();
        if (described === undefined) reject(new Error('closed before the handshake'));
        else resolve([described, received]);
      });
      socket.once('error', reject);
    });
    return {info, port, where: `localhost:${port}`, clientSeen};
  } finally {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => listener.close(resolve));
    servers.delete(listener);
  }
}

/** The SPKI hash curl --pinnedpubkey wants, worked out by the openssl CLI, not by the code under test. */
function opensslPin(cert: string): string {
  const publicKey = execFileSync('openssl', ['x509', '-noout', '-pubkey'], {input: cert});
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], {input: publicKey});
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], {input: der});
  return digest.toString('base64');
}

const trusted = {ca: pki.root};

describe('describeTls', () => {
  it('describes a verified chain: protocol, cipher, ALPN, each certificate field by field', async () => {
    const {info} = await handshake(
      {key: leaves.valid.key, cert: leaves.valid.chain, ALPNProtocols: ['h2', 'http/1.1']},
      {...trusted, ALPNProtocols: ['h2', 'http/1.1']},
    );
    expect(info.verified).toBe(true);
    expect(info.problem).toBeUndefined();
    expect(info.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(info.cipher).toMatch(/^TLS_\w+$/);
    expect(info.alpn).toBe('h2');
    expect(info.servername).toBe('localhost');
    const [leaf, intermediate] = info.chain;
    const x509 = new X509Certificate(leaves.valid.cert);
    expect(leaf).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=Porthole Test Intermediate',
      subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
      keyType: 'EC (prime256v1)',
      keyBits: 256,
      fingerprint256: x509.fingerprint256,
      publicKeySha256: opensslPin(leaves.valid.cert),
      serialNumber: x509.serialNumber,
      selfSigned: false,
      isCA: false,
      daysLeft: 29,
    });
    expect(leaf?.validTo).toBe(new Date(x509.validTo).toISOString());
    expect(leaf?.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(intermediate).toMatchObject({
      subject: 'CN=Porthole Test Intermediate',
      issuer: 'CN=Porthole Test Root',
      isCA: true,
      selfSigned: false,
    });
    expect(tlsFailure(info, 'localhost:443')).toBeUndefined();
  });

  it('ends the chain at the trusted root, which Node adds from the trust store when the server leaves it out', async () => {
    const {info} = await handshake({key: leaves.valid.key, cert: leaves.valid.chain}, trusted);
    expect(info.chain.map((certificate) => certificate.subject)).toEqual([
      'CN=localhost',
      'CN=Porthole Test Intermediate',
      'CN=Porthole Test Root',
    ]);
    expect(info.chain[2]).toMatchObject({selfSigned: true, isCA: true});
  });

  it('gives an RSA key its type and size', async () => {
    const {info} = await handshake({key: leaves.rsa.key, cert: leaves.rsa.chain}, trusted);
    expect(info.verified).toBe(true);
    expect(info.chain[0]).toMatchObject({keyType: 'RSA', keyBits: 2048});
    expect(info.chain[0]?.publicKeySha256).toBe(opensslPin(leaves.rsa.cert));
  });

  it('names an Ed25519 key', async () => {
    const {info} = await handshake({key: leaves.ed25519.key, cert: leaves.ed25519.chain}, trusted);
    expect(info.verified).toBe(true);
    expect(info.chain[0]).toMatchObject({keyType: 'Ed25519', keyBits: 256});
    expect(info.chain[0]?.publicKeySha256).toBe(opensslPin(leaves.ed25519.cert));
  });

  it('counts whole days left, ten for a leaf ten days and an hour from its end', async () => {
    const {info} = await handshake(
      {key: leaves.expiresSoon.key, cert: leaves.expiresSoon.chain},
      trusted,
    );
    expect(info.verified).toBe(true);
    expect(info.chain[0]?.daysLeft).toBe(10);
    expect(daysLeftWords(10)).toBe('expires in 10 days');
  });

  it('counts days from the time it is given', async () => {
    const validTo = Date.parse(new X509Certificate(leaves.valid.cert).validTo);
    const {info} = await handshake({key: leaves.valid.key, cert: leaves.valid.chain}, trusted, {
      now: validTo + 3 * 24 * 3600 * 1000 - 60_000,
    });
    expect(info.chain[0]?.daysLeft).toBe(-3);
  });

  it('says when and how long ago an expired certificate ran out', async () => {
    const {info, where} = await handshake(
      {key: leaves.expired.key, cert: leaves.expired.chain},
      trusted,
    );
    const date = new Date(new X509Certificate(leaves.expired.cert).validTo)
      .toISOString()
      .slice(0, 10);
    expect(info).toMatchObject({verified: false, problem: 'expired', code: 'CERT_HAS_EXPIRED'});
    expect(info.chain[0]?.daysLeft).toBe(-3);
    expect(info.reason).toBe(`certificate for localhost expired 3 days ago (${date})`);
    expect(tlsFailure(info, where)).toBe(
      `${where}: certificate for localhost expired 3 days ago (${date}) ${insecureHint}`,
    );
    expect(tlsTranscript(info)).toContain(' SSL certificate problem: certificate has expired');
  });

  it('lets an expired certificate through in insecure mode, saying so as curl -k does', async () => {
    const {info, where} = await handshake(
      {key: leaves.expired.key, cert: leaves.expired.chain},
      trusted,
      {insecure: true},
    );
    expect(info).toMatchObject({verified: false, problem: 'expired', insecure: true});
    expect(tlsFailure(info, where)).toBeUndefined();
    const transcript = tlsTranscript(info);
    expect(transcript).toContain(
      ' SSL certificate verify result: certificate has expired (10), continuing anyway.',
    );
    // curl -k does not check the name, and says nothing of it.
    expect(transcript.filter((line) => line.includes('subjectAltName'))).toEqual([]);
  });

  it('says from when a certificate that is not yet valid will be', async () => {
    const {info, where} = await handshake(
      {key: leaves.notYetValid.key, cert: leaves.notYetValid.chain},
      trusted,
    );
    const date = new Date(new X509Certificate(leaves.notYetValid.cert).validFrom)
      .toISOString()
      .slice(0, 10);
    expect(info).toMatchObject({problem: 'not-yet-valid', code: 'CERT_NOT_YET_VALID'});
    expect(info.reason).toBe(`certificate for localhost is not valid until ${date} (in 5 days)`);
    expect(tlsFailure(info, where)).toContain(insecureHint);
  });

  it('names the names a certificate for another host is valid for', async () => {
    const {info, where} = await handshake(
      {key: leaves.otherName.key, cert: leaves.otherName.chain},
      trusted,
    );
    expect(info).toMatchObject({verified: false, problem: 'name-mismatch'});
    expect(info.reason).toBe('certificate is for other.test, www.other.test, not localhost');
    expect(tlsFailure(info, where)).toBe(
      `${where}: certificate is for other.test, www.other.test, not localhost ${insecureHint}`,
    );
    expect(tlsTranscript(info)).toEqual(
      expect.arrayContaining([
        ' subjectAltName does not match localhost',
        'SSL: certificate is for other.test, www.other.test, not localhost',
      ]),
    );
  });

  it('checks the name itself when the connection did not', async () => {
    const {info} = await handshake(
      {key: leaves.otherName.key, cert: leaves.otherName.chain},
      {...trusted, checkServerIdentity: () => undefined},
    );
    expect(info).toMatchObject({
      verified: false,
      problem: 'name-mismatch',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('matches an address against the certificate addresses', async () => {
    const {info} = await handshake({key: leaves.valid.key, cert: leaves.valid.chain}, trusted, {
      host: '127.0.0.1',
      servername: undefined,
    });
    expect(info.verified).toBe(true);
    const other = await handshake(
      {key: leaves.otherName.key, cert: leaves.otherName.chain},
      {...trusted, checkServerIdentity: () => undefined},
      {host: '127.0.0.1'},
    );
    expect(other.info.reason).toBe('certificate is for other.test, www.other.test, not 127.0.0.1');
  });

  it('names the untrusted issuer at the top of a chain the server sent whole', async () => {
    const {info, where} = await handshake({key: leaves.valid.key, cert: leaves.valid.chain});
    expect(info).toMatchObject({
      problem: 'unknown-issuer',
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
    expect(info.reason).toBe("certificate's issuer is not trusted: CN=Porthole Test Root");
    expect(tlsFailure(info, where)).toBe(
      `${where}: certificate's issuer is not trusted: CN=Porthole Test Root ${insecureHint}`,
    );
  });

  it('tells a server that left out the intermediate from an unknown issuer', async () => {
    const {info, where} = await handshake(
      {key: leaves.valid.key, cert: leaves.valid.cert},
      trusted,
    );
    expect(info.chain).toHaveLength(1);
    expect(info).toMatchObject({
      problem: 'missing-intermediate',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(tlsFailure(info, where)).toBe(
      `${where}: the server sent no intermediate certificate for CN=localhost (issued by CN=Porthole Test Intermediate, published at ${pki.issuerUrl}) ${insecureHint}`,
    );
  });

  it('calls a leaf signed straight by an unknown private root an unknown issuer', async () => {
    const authority = certificateAuthority();
    const leaf = authority.issue('localhost', 'DNS:localhost');
    const {info} = await handshake({key: leaf.key, cert: leaf.cert});
    expect(info).toMatchObject({
      problem: 'unknown-issuer',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(info.reason).toBe(
      "certificate's issuer is not trusted: CN=porthole test authority (the server sent no certificate for it)",
    );
  });

  it('says a self-signed certificate is self-signed', async () => {
    const {info, where} = await handshake(selfSignedCertificate());
    expect(info).toMatchObject({problem: 'self-signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT'});
    expect(info.chain).toHaveLength(1);
    expect(info.chain[0]?.selfSigned).toBe(true);
    expect(tlsFailure(info, where)).toBe(
      `${where}: certificate is self-signed (CN=localhost) ${insecureHint}`,
    );
    expect(tlsTranscript(info)).toEqual(
      expect.arrayContaining([
        'Server certificate:',
        ' subject: CN=localhost',
        ' issuer: CN=localhost',
        ' SSL certificate problem: self-signed certificate',
      ]),
    );
  });

  it('names an untrusted root the server sent in the chain', async () => {
    const {info} = await handshake({key: leaves.valid.key, cert: leaves.valid.chain + pki.root});
    expect(info).toMatchObject({
      problem: 'self-signed-in-chain',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(info.reason).toBe(
      'certificate chains up to a self-signed certificate that is not trusted: CN=Porthole Test Root',
    );
  });
});

describe('pinned public keys', () => {
  const server = {key: leaves.valid.key, cert: leaves.valid.chain};
  const pin = opensslPin(leaves.valid.cert);
  const otherPin = opensslPin(leaves.rsa.cert);

  it('accepts the leaf whose key hash is pinned, with or without sha256//', async () => {
    for (const pinned of [pin, `sha256//${pin}`]) {
      const {info, where} = await handshake(server, trusted, {pinnedPublicKeys: [pinned]});
      expect(info).toMatchObject({verified: true, pinned: true});
      expect(tlsFailure(info, where)).toBeUndefined();
      expect(tlsTranscript(info)).toContain(` public key hash: sha256//${pin}`);
    }
  });

  it('accepts any one of several pins, curl ; lists included', async () => {
    const listed = await handshake(server, trusted, {pinnedPublicKeys: [otherPin, pin]});
    expect(listed.info.pinned).toBe(true);
    const joined = await handshake(server, trusted, {
      pinnedPublicKeys: [`sha256//${otherPin};sha256//${pin}`],
    });
    expect(joined.info.pinned).toBe(true);
  });

  it('refuses a key that is not pinned, and insecure mode does not skip it', async () => {
    for (const insecure of [false, true]) {
      const {info, where} = await handshake(server, trusted, {
        pinnedPublicKeys: [otherPin],
        insecure,
      });
      expect(info).toMatchObject({verified: false, pinned: false, problem: 'pinned-key-mismatch'});
      const failure = tlsFailure(info, where);
      expect(failure).toBe(
        `${where}: certificate's public key (sha256//${pin}) does not match the pinned public key`,
      );
      expect(failure).not.toContain(insecureHint);
      expect(tlsTranscript(info)).toContain('SSL: public key does not match pinned public key');
    }
  });

  it('checks the pin of an unverified chain in insecure mode', async () => {
    const unverified = {key: leaves.expired.key, cert: leaves.expired.chain};
    const matching = await handshake(unverified, trusted, {
      pinnedPublicKeys: [opensslPin(leaves.expired.cert)],
      insecure: true,
    });
    expect(matching.info).toMatchObject({problem: 'expired', pinned: true});
    expect(tlsFailure(matching.info, matching.where)).toBeUndefined();
    const wrong = await handshake(unverified, trusted, {pinnedPublicKeys: [pin], insecure: true});
    expect(wrong.info).toMatchObject({problem: 'expired', pinned: false});
    expect(tlsFailure(wrong.info, wrong.where)).toContain('does not match the pinned public key');
  });
});

describe('client certificates', () => {
  it('presents the client certificate a server asks for', async () => {
    const server = {
      key: leaves.valid.key,
      cert: leaves.valid.chain,
      requestCert: true,
      rejectUnauthorized: true,
      ca: pki.clientAuthority,
    };
    const {info, clientSeen} = await handshake(server, {...trusted, ...pki.client});
    expect(info.verified).toBe(true);
    expect(info.clientCertificate).toBe(true);
    expect(clientSeen).toBe('CN=porthole client');
    expect(tlsTranscript(info)).toContain('client certificate presented');
  });
});

describe('daysLeftWords', () => {
  it('says days in words', () => {
    expect(daysLeftWords(1)).toBe('expires in 1 day');
    expect(daysLeftWords(0)).toBe('expires within a day');
    expect(daysLeftWords(-1)).toBe('expired within the last day');
    expect(daysLeftWords(-3)).toBe('expired 3 days ago');
  });
});
