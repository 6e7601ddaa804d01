import type {Http2SecureServer, Http2Server} from 'node:http2';
import type https from 'node:https';
import type http from 'node:http';
import net from 'node:net';
import {Duplex, PassThrough} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {withOpened} from '../../source/request/own-connections.js';
import {createConnectionPool} from '../../source/request/pool.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult, Via} from '../../source/request/types.js';
import {closedPort, httpServer, httpsServer, type Loopback} from '../helpers/servers.js';
import {h2cServer, h2Server, noDate, type H2Loopback} from '../helpers/h2-servers.js';
import {testChain} from '../helpers/tls-chain.js';

function infoLines(result: RequestResult): string[] {
  return result.transcript.filter((line) => line.kind === 'info').map((line) => line.text);
}

function bodyText(result: RequestResult): string {
  return Buffer.from(result.response?.body ?? []).toString('utf8');
}

/**
 * A stand-in for an SSH channel: the far side's names are its own (`web.internal` is loopback
 * there), and the stream it gives is a plain Duplex over two pipes, not a socket, as a child
 * process's stdin and stdout are.
 */
function standInTunnel(label = 'ssh web-1', delayMs = 0) {
  const asked: Array<{host: string; port: number}> = [];
  const opened: Duplex[] = [];
  const via: Via = {
    label,
    open(host, port, signal) {
      asked.push({host, port});
      return new Promise((resolve, reject) => {
        const address = host === 'web.internal' ? '127.0.0.1' : host;
        const socket = net.connect({host: address, port});
        signal.addEventListener('abort', () => socket.destroy(), {once: true});
        socket.once('error', (error) => reject(new Error(`far side: ${error.message}`)));
        socket.once('connect', () => {
          setTimeout(() => {
            const inbound = new PassThrough();
            const outbound = new PassThrough();
            socket.pipe(inbound);
            outbound.pipe(socket);
            const stream = Duplex.from({readable: inbound, writable: outbound});
            stream.once('close', () => socket.destroy());
            socket.once('close', () => stream.destroy());
            opened.push(stream);
            resolve(stream);
          }, delayMs);
        });
      });
    },
  };
  return {via, asked, opened};
}

describe('sendRequest via a stream from elsewhere', () => {
  const chain = testChain();
  let plain: Loopback<http.Server>;
  let secure: Loopback<https.Server>;
  let h2: H2Loopback<Http2SecureServer>;
  let h2c: H2Loopback<Http2Server>;

  beforeAll(async () => {
    plain = await httpServer((request, response) => {
      response.end(`plain answer to ${request.headers.host ?? '?'}`);
    });
    secure = await httpsServer(
      {key: chain.leaves.valid.key, cert: chain.leaves.valid.chain},
      (_request, response) => response.end('secure answer'),
    );
    h2 = await h2Server({key: chain.leaves.valid.key, cert: chain.leaves.valid.chain});
    h2.route('/', (stream) => {
      stream.respond({':status': 200}, noDate);
      stream.end('h2 answer');
    });
    h2c = await h2cServer();
    h2c.route('/', (stream) => {
      stream.respond({':status': 200}, noDate);
      stream.end('h2c answer');
    });
  });

  afterAll(async () => {
    await plain.close();
    await secure.close();
    await h2.close();
    await h2c.close();
  });

  it('asks the far side for the name as the URL gives it and says so in the transcript', async () => {
    const tunnel = standInTunnel('ssh web-1', 30);
    const result = await sendRequest({url: `http://web.internal:${plain.port}/`, via: tunnel.via});
    expect(result.error).toBeUndefined();
    expect(tunnel.asked).toEqual([{host: 'web.internal', port: plain.port}]);
    expect(bodyText(result)).toBe(`plain answer to web.internal:${plain.port}`);
    const info = infoLines(result);
    expect(info).toContain(`Connecting to web.internal port ${plain.port} via ssh web-1`);
    expect(info).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Connected to web\\.internal \\(via ssh web-1\\) port ${plain.port} \\(#\\d+\\)$`,
        ),
      ),
    );
    // Nothing was resolved or tried here.
    expect(info.some((line) => line.startsWith('Trying ') || line.startsWith('Host '))).toBe(false);
    expect(result.timings.dns).toBe(0);
    // The channel took at least the tunnel's delay to open: that is the connect phase.
    expect(result.timings.connect).toBeGreaterThanOrEqual(25);
    expect(result.timings.tls).toBeUndefined();
    expect(result.dns?.source).toBe('via');
    expect(result.connection).toMatchObject({
      via: 'ssh web-1',
      remoteAddress: 'web.internal',
      remotePort: plain.port,
      localAddress: '',
      localPort: 0,
    });
    expect(result.response?.remoteAddress).toBe('web.internal');
    // Not a TCP connection of this machine's: the Sockets pane has nothing of it to mark.
    expect(withOpened([], result.connection!)).toEqual([]);
    // The stream is closed after the request, as a direct connection would be.
    expect(tunnel.opened[0]?.destroyed).toBe(true);
  });

  it('lets --connect-to move host and port before the far side is asked', async () => {
    const tunnel = standInTunnel();
    const result = await sendRequest({
      url: 'http://app.example:80/',
      connectTo: [{host: 'app.example', port: 80, toHost: 'web.internal', toPort: plain.port}],
      via: tunnel.via,
    });
    expect(result.error).toBeUndefined();
    expect(tunnel.asked).toEqual([{host: 'web.internal', port: plain.port}]);
    expect(bodyText(result)).toBe('plain answer to app.example');
  });

  it('asks the far side for the address --resolve names', async () => {
    const tunnel = standInTunnel();
    const result = await sendRequest({
      url: `http://app.example:${plain.port}/`,
      resolve: [{host: 'app.example', port: plain.port, addresses: ['127.0.0.1']}],
      via: tunnel.via,
    });
    expect(result.error).toBeUndefined();
    expect(tunnel.asked).toEqual([{host: '127.0.0.1', port: plain.port}]);
    expect(infoLines(result)).toContain(`Connecting to 127.0.0.1 port ${plain.port} via ssh web-1`);
  });

  it('runs TLS over the stream: SNI, verification and the chain as usual', async () => {
    const tunnel = standInTunnel();
    const result = await sendRequest({
      url: `https://localhost:${secure.port}/`,
      ca: chain.root,
      via: tunnel.via,
    });
    expect(result.error).toBeUndefined();
    expect(bodyText(result)).toBe('secure answer');
    expect(result.tls?.verified).toBe(true);
    expect(result.tls?.servername).toBe('localhost');
    expect(result.timings.tls).toBeGreaterThan(0);
    expect(result.connection?.via).toBe('ssh web-1');
    // Without the root it is refused, as a direct connection would be.
    const refused = await sendRequest({url: `https://localhost:${secure.port}/`, via: tunnel.via});
    expect(refused.error?.code).toBe('tls');
  });

  it('speaks HTTP/2 over the stream when ALPN picks h2', async () => {
    const tunnel = standInTunnel();
    const result = await sendRequest({
      url: `https://localhost:${h2.port}/`,
      ca: chain.root,
      via: tunnel.via,
    });
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('h2');
    expect(result.tls?.alpn).toBe('h2');
    expect(bodyText(result)).toBe('h2 answer');
    expect(h2.received.length).toBeGreaterThan(0);
  });

  it('speaks HTTP/2 with prior knowledge over a plain stream (h2c)', async () => {
    const tunnel = standInTunnel();
    const result = await sendRequest({
      url: `http://web.internal:${h2c.port}/`,
      httpVersion: '2-prior-knowledge',
      via: tunnel.via,
    });
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('h2');
    expect(bodyText(result)).toBe('h2c answer');
  });

  it('keeps a via connection in the pool apart from direct ones', async () => {
    const pool = createConnectionPool();
    try {
      const tunnel = standInTunnel();
      const url = `http://127.0.0.1:${plain.port}/`;
      const first = await sendRequest({url, via: tunnel.via, pool});
      const again = await sendRequest({url, via: tunnel.via, pool});
      const direct = await sendRequest({url, pool});
      const otherVia = await sendRequest({url, via: standInTunnel('ssh web-2').via, pool});
      expect(first.connection?.reused).toBe(false);
      expect(again.connection?.reused).toBe(true);
      expect(again.connection?.id).toBe(first.connection?.id);
      expect(infoLines(again)).toContainEqual(
        expect.stringContaining(`(127.0.0.1:${plain.port} via ssh web-1, opened`),
      );
      expect(tunnel.asked).toHaveLength(1);
      expect(direct.connection?.reused).toBe(false);
      expect(direct.connection?.via).toBeUndefined();
      expect(otherVia.connection?.reused).toBe(false);
      expect(otherVia.connection?.via).toBe('ssh web-2');
    } finally {
      pool.close();
    }
  });

  it('a stream that cannot be opened is one line in a failed result', async () => {
    const port = await closedPort();
    const refusing: Via = {
      label: 'ssh web-1',
      open: () =>
        Promise.reject(
          Object.assign(new Error('connection refused on the host'), {code: 'refused'}),
        ),
    };
    const result = await sendRequest({url: `http://127.0.0.1:${port}/`, via: refusing});
    expect(result.response).toBeUndefined();
    expect(result.error).toEqual({
      code: 'refused',
      message: `cannot connect to 127.0.0.1:${port} via ssh web-1: connection refused on the host`,
    });
    expect(infoLines(result)).toContain(
      `cannot connect to 127.0.0.1:${port} via ssh web-1: connection refused on the host`,
    );
    // A throw, not a rejection, is a failed result too; its code defaults to network.
    const throwing: Via = {
      label: 'ssh down',
      open() {
        throw new Error('the ssh link is down');
      },
    };
    const thrown = await sendRequest({url: `http://127.0.0.1:${port}/`, via: throwing});
    expect(thrown.error).toEqual({
      code: 'network',
      message: `cannot connect to 127.0.0.1:${port} via ssh down: the ssh link is down`,
    });
  });

  it('gives up on a stream that never opens, and an abort ends the wait', async () => {
    let signalled: AbortSignal | undefined;
    const never: Via = {
      label: 'ssh slow',
      open: (_host, _port, signal) => {
        signalled = signal;
        return new Promise(() => undefined);
      },
    };
    const result = await sendRequest({
      url: 'http://127.0.0.1:9/',
      via: never,
      connectTimeoutMs: 200,
    });
    expect(result.error?.code).toBe('connect-timeout');
    expect(result.error?.message).toBe(
      'cannot connect to 127.0.0.1:9 via ssh slow: no channel within 0.2 s',
    );
    expect(signalled?.aborted).toBe(true);

    const controller = new AbortController();
    const started = performance.now();
    const pending = sendRequest({
      url: 'http://127.0.0.1:9/',
      via: never,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const aborted = await pending;
    expect(aborted.error?.code).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(signalled?.aborted).toBe(true);
  });
});
