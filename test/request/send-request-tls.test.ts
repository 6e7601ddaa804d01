import type https from 'node:https';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {insecureHint} from '../../source/request/errors.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult} from '../../source/request/types.js';
import {httpsServer, rawServer, type Loopback} from '../helpers/servers.js';
import {certificateAuthority, selfSignedCertificate} from '../helpers/tls.js';

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
    expect(result.timings.dns).toBeGreaterThanOrEqual(0);
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
