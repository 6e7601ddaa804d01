/** The Request pane's tls tab: its lines from result.tls, their marks and colours, and the status line's days left. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it, onTestFinished} from 'vitest';
import type {RequestResult, TlsCertificate, TlsInfo} from '../../source/request/types.js';
import {
  certificateDaysShort,
  daysLeftTone,
  lineTone,
  tlsLines,
} from '../../source/ui/request/tls-lines.js';
import {responseLines} from '../../source/ui/request/response-lines.js';
import {keys, renderApp} from '../helpers/render-app.js';
import {testChain} from '../helpers/tls-chain.js';

afterEach(() => cleanup());

function certificate(overrides: Partial<TlsCertificate> = {}): TlsCertificate {
  return {
    subject: 'CN=localhost',
    issuer: 'CN=Porthole Test Intermediate',
    subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
    validFrom: '2026-12-01T21:31:56.000Z',
    validTo: '2026-12-31T22:31:56.000Z',
    daysLeft: 29,
    keyType: 'EC (prime256v1)',
    keyBits: 256,
    fingerprint256: 'AB:CD:EF',
    publicKeySha256: 'Fm4dP3M7xi2cBDn7j6HIdWaAwqQC/plJuprs7sy30Es=',
    serialNumber: '1001',
    selfSigned: false,
    isCA: false,
    ...overrides,
  };
}

const intermediate = certificate({
  subject: 'CN=Porthole Test Intermediate',
  issuer: 'CN=Porthole Test Root',
  subjectAltNames: [],
  isCA: true,
  serialNumber: '02',
});
const root = certificate({
  subject: 'CN=Porthole Test Root',
  issuer: 'CN=Porthole Test Root',
  subjectAltNames: [],
  isCA: true,
  selfSigned: true,
});

function tlsInfo(overrides: Partial<TlsInfo> = {}): TlsInfo {
  return {
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    alpn: 'h2',
    servername: 'localhost',
    chain: [certificate(), intermediate, root],
    verified: true,
    insecure: false,
    clientCertificate: false,
    ...overrides,
  };
}

function result(tls: TlsInfo | undefined, overrides: Partial<RequestResult> = {}): RequestResult {
  return {
    response: {
      url: tls ? 'https://localhost:8443/' : 'http://localhost:8080/',
      httpVersion: tls ? '2' : '1.1',
      status: 200,
      // HTTP/2 has no reason phrase.
      statusText: '',
      statusClass: 'success',
      remoteAddress: '127.0.0.1',
      remotePort: tls ? 8443 : 8080,
      headers: [['content-type', 'text/plain']],
      body: new TextEncoder().encode('hello'),
      bodyBytes: 5,
      wireBytes: 5,
      bodyTruncated: false,
      decoded: undefined,
      contentType: 'text/plain',
      savedTo: undefined,
      warnings: [],
    },
    error: undefined,
    timings: {
      dns: undefined,
      connect: 1,
      tls: 2,
      send: 0.1,
      firstByte: 1,
      download: 0.1,
      total: 4.2,
    },
    transcript: [],
    redirects: [],
    protocol: tls ? 'h2' : 'http/1.1',
    dns: undefined,
    connection: undefined,
    tls,
    warnings: [],
    events: [],
    ...overrides,
  };
}

describe('tlsLines', () => {
  it('shows the session, the verdict and every certificate of the chain', () => {
    const lines = tlsLines(result(tlsInfo()));
    expect(lines.slice(0, 4)).toEqual([
      'TLSv1.3 · TLS_AES_256_GCM_SHA384 · ALPN h2 · SNI localhost',
      'verified: the chain is trusted and the name matches',
      'client certificate: none presented',
      '',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'certificate chain (3), leaf first:',
        '#0 leaf: CN=localhost',
        '   names     DNS:localhost, IP Address:127.0.0.1',
        '   issuer    CN=Porthole Test Intermediate',
        '   valid     2026-12-01 21:31 UTC → 2026-12-31 22:31 UTC',
        '   expires in 29 days',
        '   key       EC (prime256v1), 256 bits',
        '   sha256    AB:CD:EF',
        '   pin       sha256//Fm4dP3M7xi2cBDn7j6HIdWaAwqQC/plJuprs7sy30Es=',
        '#1 intermediate: CN=Porthole Test Intermediate',
        '   key       EC (prime256v1), 256 bits · CA',
        '#2 root (trusted; from the local store unless the server sent it): CN=Porthole Test Root',
        '   issuer    CN=Porthole Test Root (itself)',
      ]),
    );
    expect(lines.filter((line) => line.includes('pin '))).toHaveLength(1);
    expect(lines.filter((line) => lineTone(line) !== undefined)).toEqual([]);
  });

  it('marks a certificate close to its end as a warning and an expired one as an error', () => {
    const soon = tlsLines(result(tlsInfo({chain: [certificate({daysLeft: 10})]})));
    const soonLine = soon.find((line) => line.includes('expires in 10 days'));
    expect(soonLine).toBe('   ⚠ expires in 10 days — soon');
    expect(lineTone(soonLine ?? '')).toBe('warning');
    const expired = tlsLines(
      result(
        tlsInfo({
          chain: [certificate({daysLeft: -3})],
          verified: false,
          problem: 'expired',
          code: 'CERT_HAS_EXPIRED',
          reason: 'certificate for localhost expired 3 days ago (2026-11-28)',
          insecure: true,
        }),
      ),
    );
    const expiredLine = expired.find(
      (line) => line.includes('expired 3 days ago') && line.startsWith('   '),
    );
    expect(expiredLine).toBe('   ✗ expired 3 days ago');
    expect(lineTone(expiredLine ?? '')).toBe('error');
    expect(expired[1]).toBe(
      '⚠ NOT VERIFIED, went on in insecure mode: certificate for localhost expired 3 days ago (2026-11-28)',
    );
    expect(lineTone(expired[1] ?? '')).toBe('warning');
  });

  it('gives the reason a chain was refused, and a pin that did not match', () => {
    const refused = tlsLines(
      result(
        tlsInfo({
          verified: false,
          problem: 'name-mismatch',
          reason: 'certificate is for other.test, www.other.test, not localhost',
        }),
        {response: undefined, error: {code: 'tls', message: 'refused'}},
      ),
    );
    expect(refused[1]).toBe(
      '✗ not verified: certificate is for other.test, www.other.test, not localhost',
    );
    const pinned = tlsLines(
      result(
        tlsInfo({
          verified: false,
          pinned: false,
          problem: 'pinned-key-mismatch',
          reason: "certificate's public key does not match the pinned public key",
        }),
      ),
    );
    expect(pinned).toContain(
      '✗ pinned public key: does not match (insecure mode does not skip this)',
    );
    expect(tlsLines(result(tlsInfo({pinned: true})))).toContain('pinned public key: matches');
  });

  it('shows the chain of a refused certificate from the exchange tls event', () => {
    const refused = tlsInfo({
      verified: false,
      problem: 'expired',
      reason: 'certificate for localhost expired 3 days ago (2026-11-28)',
      chain: [certificate({daysLeft: -3})],
    });
    const earlier = tlsInfo({servername: 'first.test'});
    const lines = tlsLines(
      result(undefined, {
        response: undefined,
        error: {code: 'tls', message: 'refused'},
        events: [
          {type: 'tls', tls: earlier, at: 1, exchange: 0},
          {type: 'redirect', to: 'https://localhost:8443/', at: 2, exchange: 0},
          {type: 'tls', tls: refused, at: 3, exchange: 1},
        ],
      }),
    );
    expect(lines[0]).toContain('SNI localhost');
    expect(lines[1]).toBe(
      '✗ not verified: certificate for localhost expired 3 days ago (2026-11-28)',
    );
    expect(lines).toContain('   ✗ expired 3 days ago');
    const handshakeOfNextFailed = tlsLines(
      result(undefined, {
        response: undefined,
        error: {code: 'tls', message: 'TLS handshake with b.test:443 failed: bad'},
        events: [
          {type: 'tls', tls: earlier, at: 1, exchange: 0},
          {type: 'redirect', to: 'https://b.test/', at: 2, exchange: 0},
          {type: 'error', error: {code: 'tls', message: 'bad'}, at: 3, exchange: 1},
        ],
      }),
    );
    expect(handshakeOfNextFailed[0]).toBe(
      '✗ no TLS session: TLS handshake with b.test:443 failed: bad',
    );
  });

  it('says plain http has no TLS, and what is known of a handshake that failed', () => {
    expect(tlsLines(result(undefined))).toEqual(['no TLS: plain http']);
    const failed = tlsLines(
      result(undefined, {
        response: undefined,
        error: {
          code: 'tls',
          message: 'TLS handshake with 127.0.0.1:8443 failed: wrong version number',
        },
        dns: {
          host: '127.0.0.1',
          source: 'address',
          answers: [],
          ms: undefined,
          attempts: [],
          connected: '127.0.0.1',
        },
      }),
    );
    expect(failed).toEqual([
      '✗ no TLS session: TLS handshake with 127.0.0.1:8443 failed: wrong version number',
      'connected to 127.0.0.1 first',
    ]);
    expect(lineTone(failed[0] ?? '')).toBe('error');
  });

  it('shows hostile certificate fields inert', () => {
    const lines = tlsLines(
      result(
        tlsInfo({
          chain: [
            certificate({
              subject: 'CN=evil\u001B]0;owned\u0007',
              subjectAltNames: ['DNS:a\u001B[2J'],
            }),
          ],
          servername: 'x\u009bname',
        }),
      ),
    );
    const text = lines.join('\n');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('CN=evil^[]0;owned^G');
    expect(text).toContain('DNS:a^[[2J');
  });

  it('is what the response area shows on the tls tab', () => {
    const shown = result(tlsInfo());
    expect(responseLines(shown, 'tls', 100)).toEqual(tlsLines(shown));
  });
});

describe('days left in short', () => {
  it('names the days and their tone', () => {
    expect(certificateDaysShort(10)).toBe('cert 10 d left');
    expect(certificateDaysShort(-3)).toBe('cert expired 3 d ago');
    expect(daysLeftTone(14)).toBeUndefined();
    expect(daysLeftTone(13)).toBe('warning');
    expect(daysLeftTone(0)).toBe('warning');
    expect(daysLeftTone(-1)).toBe('error');
  });
});

describe('the tls tab in the pane', () => {
  const soon = result(tlsInfo({chain: [certificate({daysLeft: 10}), intermediate, root]}));
  const paneWith = (shown: RequestResult, color: boolean) =>
    renderApp({
      focus: 'request',
      rows: 50,
      columns: 120,
      color,
      request: {url: 'https://localhost:8443/', result: shown, tab: 'tls'},
    });

  it('colours the warning line and the status line days in the theme warning colour', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const app = await paneWith(soon, true);
    const screen = await app.waitForScreen((s) => s.includes('expires in 10 days'), 'the tab');
    const lines = screen.split('\n');
    const warning = lines.find((line) => line.includes('expires in 10 days')) ?? '';
    expect(warning).toContain('\u001B[33m   ⚠ expires in 10 days — soon');
    const status = lines.find((line) => line.includes('HTTP/2 from')) ?? '';
    expect(status).toContain('\u001B[33m · cert 10 d left');
    const leaf = lines.find((line) => line.includes('#0 leaf')) ?? '';
    expect(leaf).not.toContain('\u001B[33m');
  });

  it('colours an expired certificate as an error', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const expired = result(
      tlsInfo({
        chain: [certificate({daysLeft: -3})],
        insecure: true,
        verified: false,
        problem: 'expired',
        reason: 'certificate for localhost expired 3 days ago (2026-11-28)',
      }),
    );
    const app = await paneWith(expired, true);
    const screen = await app.waitForScreen((s) => s.includes('✗ expired 3 days ago'), 'the tab');
    const lines = screen.split('\n');
    expect(lines.find((line) => line.includes('✗ expired 3 days ago'))).toContain('\u001B[31m');
    expect(lines.find((line) => line.includes('HTTP/2 from'))).toContain(
      '\u001B[31m · cert expired 3 d ago',
    );
  });

  it('says it all in words without colour', async () => {
    const app = await paneWith(soon, false);
    const screen = await app.waitForScreen((s) => s.includes('expires in 10 days'), 'the tab');
    expect(screen).toContain('⚠ expires in 10 days — soon');
    expect(screen).toContain('· cert 10 d left ·');
    expect(screen).toMatch(/^200 · success · .* · HTTP\/2 from /m);
    expect(screen).toContain('TLSv1.3 · TLS_AES_256_GCM_SHA384 · ALPN h2 · SNI localhost');
    expect(screen).not.toContain('\u001B[');
  });
});

describe('the tls tab after a real request', () => {
  it('shows the chain of a loopback https server, the leaf ten days from its end', async () => {
    const pki = testChain();
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-tls-tab-'));
    const rootFile = path.join(scratch, 'root.pem');
    writeFileSync(rootFile, pki.root);
    const server = https.createServer(
      {key: pki.leaves.expiresSoon.key, cert: pki.leaves.expiresSoon.chain},
      (_request, response) => response.end('hello'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(scratch, {recursive: true, force: true});
    });
    const {port} = server.address() as AddressInfo;
    const url = `https://localhost:${port}/`;
    const app = await renderApp({
      focus: 'request',
      rows: 50,
      columns: 120,
      request: {url, caret: url.length, options: `--cacert ${rootFile}`, tab: 'tls'},
    });
    await app.press(keys.enter);
    const screen = await app.waitForScreen(
      (s) => s.includes('#2 root'),
      'the chain on the tls tab',
    );
    expect(screen).toContain('· cert 10 d left ·');
    expect(screen).toContain('verified: the chain is trusted and the name matches');
    expect(screen).toContain('#1 intermediate: CN=Porthole Test Intermediate');
    expect(screen).toContain('⚠ expires in 10 days — soon');
  });
});
