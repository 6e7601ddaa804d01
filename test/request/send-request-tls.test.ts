import type {IncomingMessage, ServerResponse} from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type {AddressInfo, Socket} from 'node:net';
import type {TLSSocket} from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {insecureHint} from '../../source/request/errors.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult, TlsInfo} from '../../source/request/types.js';
import {httpsServer, rawServer, type Loopback} from '../helpers/servers.js';
import {certificateAuthority, selfSignedCertificate} from '../helpers/tls.js';
import {testChain} from '../helpers/tls-chain.js';

/** The last exchange's TLS session: result.tls, or the tls event when the certificate was refused. */
function session(result: RequestResult): TlsInfo | undefined {
  const told = result.events.findLast((event) => event.type === 'tls');
  return result.tls ?? (told?.type === 'tls' ? told.tls : undefined);
}

function infoLines(result: RequestResult): string[] {
  return result.transcript.filter((line) => line.kind === 'info').map((line) => line.text);
}

describe('sendRequest over TLS', () => {
  const selfSigned = selfSignedCertificate();
  const otherName = selfSignedCertificate('other.example', 'DNS:other.example');
  const authority = certificateAuthority();
  let requestsSeen = 0;
  let server: Loopback<https.Server>;
  let wrongName: Loopback<https.Server>;
  let signed: Loopback<https.Server>;

  beforeAll(async () => {
    const handler = (_request: unknown, response: {end(text: string): void}) => {
      requestsSeen++;
      response.end('secret stuff');
    };
    server = await httpsServer(selfSigned, handler);
    wrongName = await httpsServer(otherName, handler);
    signed = await httpsServer(authority.issue('localhost', 'DNS:localhost,IP:127.0.0.1'), handler);
  });

  afterAll(async () => {
    await server.close();
    await wrongName.close();
    await signed.close();
  });

  it('refuses a self-signed certificate before sending the request', async () => {
    const before = requestsSeen;
    const result = await sendRequest({
      url: `${server.origin}/`,
      headers: [['Authorization', 'Bearer do-not-leak']],
    });
    expect(result.error?.code).toBe('tls');
    expect(result.error?.message).toBe(
      `127.0.0.1:${server.port}: certificate is self-signed (CN=localhost) ${insecureHint}`,
    );
    expect(
      result.error?.message.endsWith('(use insecure mode, like curl -k, to skip verification)'),
    ).toBe(true);
    expect(requestsSeen).toBe(before);
    expect(result.transcript.some((line) => line.kind === 'out')).toBe(false);
    // What the handshake showed is kept, for the tls tab and --json-result.
    expect(result.tls).toMatchObject({verified: false, problem: 'self-signed'});
    expect(result.tls?.chain[0]?.subject).toBe('CN=localhost');
    expect(infoLines(result)).toEqual(
      expect.arrayContaining([
        'Server certificate:',
        ' subject: CN=localhost',
        ' issuer: CN=localhost',
        ' SSL certificate problem: self-signed certificate',
      ]),
    );
  });

  it('accepts it in insecure mode and says verification was skipped', async () => {
    const result = await sendRequest({url: `${server.origin}/`, insecure: true});
    expect(result.error).toBeUndefined();
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('secret stuff');
    const info = infoLines(result);
    expect(info).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SSL connection using TLSv1\.[23] \/ TLS_\w+$/),
        'ALPN: server accepted http/1.1',
        ' SSL certificate verify result: self-signed certificate (18), continuing anyway.',
      ]),
    );
    expect(info.some((line) => line.startsWith(' expire date: '))).toBe(true);
    expect(result.timings.connect).toBeGreaterThan(0);
    expect(result.timings.tls).toBeGreaterThan(0);
  });

  it('trusts a certificate given as ca', async () => {
    const result = await sendRequest({
      url: `https://localhost:${server.port}/`,
      ca: selfSigned.cert,
    });
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(infoLines(result)).toContain(' SSL certificate verify ok.');
    expect(result.dns?.source).toBe('localhost');
    const {dns = 0, connect = 0, tls = 0, firstByte = 0, download = 0, total} = result.timings;
    expect(total).toBeGreaterThanOrEqual(dns + connect + tls + firstByte + download);
  });

  it('names an unknown issuer, and trusts the issuer once given', async () => {
    const unknown = await sendRequest({url: `${signed.origin}/`});
    expect(unknown.error?.code).toBe('tls');
    expect(unknown.error?.message).toBe(
      `127.0.0.1:${signed.port}: certificate's issuer is not trusted: CN=porthole test authority (the server sent no certificate for it) ${insecureHint}`,
    );
    const trusted = await sendRequest({url: `${signed.origin}/`, ca: authority.ca});
    expect(trusted.error).toBeUndefined();
    expect(trusted.response?.status).toBe(200);
  });

  it('says when the certificate is for another host name', async () => {
    const result = await sendRequest({url: `${wrongName.origin}/`, ca: otherName.cert});
    expect(result.error?.code).toBe('tls');
    expect(result.error?.message).toBe(
      `127.0.0.1:${wrongName.port}: certificate is for other.example, not 127.0.0.1 ${insecureHint}`,
    );
  });

  it('times out a TLS handshake the server never answers', async () => {
    const silent = await rawServer((socket) => socket.resume());
    try {
      const result = await sendRequest({
        url: `https://127.0.0.1:${silent.port}/`,
        connectTimeoutMs: 300,
      });
      expect(result.error).toEqual({
        code: 'connect-timeout',
        message: `TLS handshake with 127.0.0.1:${silent.port} timed out after 0.3 s`,
      });
      expect(result.timings.connect).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });

  it('reports a handshake with a server that does not speak TLS', async () => {
    const plain = await rawServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    try {
      const result = await sendRequest({url: `https://127.0.0.1:${plain.port}/`});
      expect(result.error?.code).toBe('tls');
      expect(result.error?.message).toContain(`TLS handshake with 127.0.0.1:${plain.port} failed`);
    } finally {
      await plain.close();
    }
  });
});

/** An https server on 127.0.0.1 port 0 with any TLS options (a chain, a client authority). */
async function tlsServer(
  options: https.ServerOptions,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Loopback<https.Server>> {
  const server = https.createServer(options, handler);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const {port} = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `https://127.0.0.1:${port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('sendRequest with a certificate chain', () => {
  const pki = testChain();
  const opened: Array<Loopback<https.Server>> = [];
  let seen = 0;
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    seen++;
    const peer = (request.socket as TLSSocket).getPeerX509Certificate();
    response.end(peer === undefined ? 'anonymous' : `client ${peer.subject}`);
  };
  const serve = async (options: https.ServerOptions) => {
    const server = await tlsServer(options, handler);
    opened.push(server);
    return server;
  };
  const local = (server: Loopback<https.Server>) => `https://localhost:${server.port}/`;

  afterAll(async () => {
    for (const server of opened) await server.close();
  });

  it('describes a verified chain in result.tls, ten days left on a leaf that has ten', async () => {
    const server = await serve({
      key: pki.leaves.expiresSoon.key,
      cert: pki.leaves.expiresSoon.chain,
    });
    const result = await sendRequest({url: local(server), ca: pki.root});
    expect(result.error).toBeUndefined();
    expect(result.tls).toMatchObject({verified: true, servername: 'localhost', insecure: false});
    expect(result.tls?.chain.map((certificate) => certificate.subject)).toEqual([
      'CN=localhost',
      'CN=Porthole Test Intermediate',
      'CN=Porthole Test Root',
    ]);
    expect(result.tls?.chain[0]?.daysLeft).toBe(10);
    expect(infoLines(result)).toEqual(
      expect.arrayContaining([
        ' subjectAltName: host "localhost" matched cert\'s "localhost"',
        ' issuer: CN=Porthole Test Intermediate',
        ' SSL certificate verify ok.',
      ]),
    );
  });

  const refusals: Array<[string, () => https.ServerOptions, RegExp]> = [
    [
      'an expired certificate',
      () => ({key: pki.leaves.expired.key, cert: pki.leaves.expired.chain}),
      /: certificate for localhost expired 3 days ago \(\d{4}-\d\d-\d\d\) /,
    ],
    [
      'a certificate not valid yet',
      () => ({key: pki.leaves.notYetValid.key, cert: pki.leaves.notYetValid.chain}),
      /: certificate for localhost is not valid until \d{4}-\d\d-\d\d \(in 5 days\) /,
    ],
    [
      'a certificate for other names',
      () => ({key: pki.leaves.otherName.key, cert: pki.leaves.otherName.chain}),
      /: certificate is for other\.test, www\.other\.test, not localhost /,
    ],
    [
      'a chain without the intermediate',
      () => ({key: pki.leaves.valid.key, cert: pki.leaves.valid.cert}),
      /: the server sent no intermediate certificate for CN=localhost \(issued by CN=Porthole Test Intermediate, published at http:\/\/pki\.porthole\.test\/intermediate\.crt\) /,
    ],
  ];
  for (const [what, options, message] of refusals) {
    it(`refuses ${what} before sending, and names why`, async () => {
      const server = await serve(options());
      const before = seen;
      const result = await sendRequest({url: local(server), ca: pki.root});
      expect(result.error?.code).toBe('tls');
      expect(result.error?.message).toMatch(message);
      expect(result.error?.message.startsWith(`localhost:${server.port}: `)).toBe(true);
      expect(result.error?.message.endsWith(insecureHint)).toBe(true);
      expect(session(result)?.verified).toBe(false);
      expect(seen).toBe(before);
      const insecure = await sendRequest({url: local(server), ca: pki.root, insecure: true});
      expect(insecure.error).toBeUndefined();
      expect(insecure.response?.status).toBe(200);
      expect(insecure.tls).toMatchObject({verified: false, insecure: true});
    });
  }

  it('names the untrusted root of a chain sent whole', async () => {
    const server = await serve({key: pki.leaves.valid.key, cert: pki.leaves.valid.chain});
    const result = await sendRequest({url: local(server)});
    expect(result.error?.message).toBe(
      `localhost:${server.port}: certificate's issuer is not trusted: CN=Porthole Test Root ${insecureHint}`,
    );
    expect(session(result)?.problem).toBe('unknown-issuer');
  });

  it('checks a pinned public key, and refuses a mismatch even in insecure mode', async () => {
    const server = await serve({key: pki.leaves.valid.key, cert: pki.leaves.valid.chain});
    const first = await sendRequest({url: local(server), ca: pki.root});
    const pin = first.tls?.chain[0]?.publicKeySha256 ?? '';
    expect(pin).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const pinned = await sendRequest({
      url: local(server),
      ca: pki.root,
      pinnedPublicKeys: [`sha256//${pin}`],
    });
    expect(pinned.error).toBeUndefined();
    expect(pinned.tls?.pinned).toBe(true);
    const before = seen;
    const wrong = 'A'.repeat(43) + '=';
    for (const insecure of [false, true]) {
      const refused = await sendRequest({
        url: local(server),
        ca: pki.root,
        insecure,
        pinnedPublicKeys: [wrong],
      });
      expect(refused.error?.code).toBe('tls');
      expect(refused.error?.message).toBe(
        `localhost:${server.port}: certificate's public key (sha256//${pin}) does not match the pinned public key`,
      );
      expect(session(refused)?.pinned).toBe(false);
    }
    expect(seen).toBe(before);
  });

  it('presents a client certificate with cert and key, and is refused without one', async () => {
    const server = await serve({
      key: pki.leaves.valid.key,
      cert: pki.leaves.valid.chain,
      requestCert: true,
      rejectUnauthorized: true,
      ca: pki.clientAuthority,
    });
    const accepted = await sendRequest({
      url: local(server),
      ca: pki.root,
      cert: pki.client.cert,
      key: pki.client.key,
    });
    expect(accepted.error).toBeUndefined();
    expect(Buffer.from(accepted.response?.body ?? []).toString()).toBe('client CN=porthole client');
    expect(accepted.tls?.clientCertificate).toBe(true);
    const before = seen;
    const refused = await sendRequest({url: local(server), ca: pki.root});
    expect(refused.response).toBeUndefined();
    // TLS 1.3: the server's refusal comes after the client's handshake, as an alert.
    expect(refused.error).toEqual({
      code: 'tls',
      message: `TLS handshake with localhost:${server.port} failed: tlsv13 alert certificate required`,
    });
    expect(session(refused)?.clientCertificate ?? false).toBe(false);
    expect(seen).toBe(before);
  });

  it('over HTTP/2 too, the refusal is the TLS alert, not the stream reset after it', async () => {
    const server = http2.createSecureServer(
      {
        key: pki.leaves.valid.key,
        cert: pki.leaves.valid.chain,
        requestCert: true,
        rejectUnauthorized: true,
        ca: pki.clientAuthority,
      },
      (_request, response) => response.end('h2 client'),
    );
    server.on('secureConnection', (socket: TLSSocket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as AddressInfo;
    try {
      const url = `https://localhost:${port}/`;
      const accepted = await sendRequest({
        url,
        ca: pki.root,
        cert: pki.client.cert,
        key: pki.client.key,
      });
      expect(accepted.protocol).toBe('h2');
      expect(Buffer.from(accepted.response?.body ?? []).toString()).toBe('h2 client');
      const refused = await sendRequest({url, ca: pki.root});
      expect(refused.error).toEqual({
        code: 'tls',
        message: `TLS handshake with localhost:${port} failed: tlsv13 alert certificate required`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
