/**
 * `porthole request` on streams, through the built command line (`npm run build` first) with its
 * stdin piped and its stdout read while it runs: WebSockets as websocat, event streams and live
 * bodies as curl -N, against real servers on loopback.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {createHash} from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {Readable, Writable} from 'node:stream';
import {runRequestCommand} from '../../source/cli/request-command.js';
import {acceptsEventStream} from '../../source/cli/request-stream.js';
import {eventOutput, messageOutput, parseHexLine} from '../../source/cli/stream-output.js';
import type {StreamEntry} from '../../source/stream/types.js';
import {startSseServer, type SseFixture} from '../helpers/sse-server.js';
import {waitFor} from '../helpers/wait.js';
import {selfSignedCertificate} from '../helpers/tls.js';
import {controlMessage, startWsServer, type WsFixture} from '../helpers/ws-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli.js');

/** A running `porthole request`: what it wrote so far, and its end. */
type Running = {
  child: ChildProcessWithoutNullStreams;
  stdout(): Buffer;
  lines(): string[];
  stderr(): string;
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
  /** Resolves with the exit once stdin is ended (as a shell does at the end of a pipe). */
  end(): Promise<{code: number | null; signal: NodeJS.Signals | null}>;
};

let scratch: string;
const running = new Set<ChildProcessWithoutNullStreams>();

/** Starts the built command with stdin piped; it is killed after `limitMs` whatever happens. */
function start(args: string[], limitMs = 20_000): Running {
  const child = spawn(process.execPath, [cli, 'request', ...args], {
    cwd: root,
    env: {...process.env, CI: 'false', XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch},
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.on('error', () => {});
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      running.delete(child);
      resolve({code, signal});
    });
  });
  const stdout = () => Buffer.concat(out);
  return {
    child,
    stdout,
    lines: () => stdout().toString('utf8').split('\n').slice(0, -1),
    stderr: () => err,
    exited,
    end() {
      child.stdin.end();
      return exited;
    },
  };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'porthole-stream-'));
});

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

afterAll(async () => {
  await rm(scratch, {recursive: true, force: true});
});

describe('porthole request on a WebSocket', () => {
  let server: WsFixture;

  beforeAll(async () => {
    server = await startWsServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends each stdin line and prints each echo on its own line, then closes at the end of stdin', async () => {
    const run = start([`${server.url}/echo`]);
    run.child.stdin.write('one\ntwo\n');
    run.child.stdin.write('three\n');
    await waitFor(() => run.lines().length === 3, 'three echoes');
    expect(run.lines()).toEqual(['one', 'two', 'three']);
    expect(await run.end()).toEqual({code: 0, signal: null});
    expect(run.stderr()).toBe('');
  });

  it('prints messages as they arrive, while the connection is open', async () => {
    const run = start([`${server.url}/push?n=5&everyMs=200`]);
    await waitFor(() => run.lines().length >= 1, 'the first message');
    // Written as it came: the rest were not sent yet when the first was printed.
    expect(run.lines().length).toBeLessThan(3);
    await waitFor(() => run.lines().length === 5, 'five messages');
    expect(run.lines()).toEqual([1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
    expect((await run.end()).code).toBe(0);
  });

  it('sends hex lines as binary messages with --binary and writes binary messages raw to a pipe', async () => {
    const run = start(['--binary', `${server.url}/echo`]);
    run.child.stdin.write('00ff1b5d0a\nnot hex\n68 69\n');
    await waitFor(() => run.stdout().length >= 7, 'two binary echoes');
    expect(run.stdout()).toEqual(Buffer.from([0x00, 0xff, 0x1b, 0x5d, 0x0a, 0x68, 0x69]));
    expect(run.stderr()).toBe(
      'porthole: not sent: --binary: not hex: only 0-9 and a-f, two digits a byte\n',
    );
    expect((await run.end()).code).toBe(0);
  });

  it('writes binary messages whole as hex in --json-result, both ways', async () => {
    const payload = 'ff'.repeat(40);
    const run = start(['--binary', '--json-result', `${server.url}/echo`]);
    run.child.stdin.write(payload + '\n');
    await waitFor(() => run.lines().some((line) => line.includes('"received"')), 'the echo');
    expect((await run.end()).code).toBe(0);
    const binary = run
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((message) => message.kind === 'binary');
    expect(binary.map(({dir, text, bytes}) => ({dir, text, bytes}))).toEqual([
      {dir: 'sent', text: payload, bytes: 40},
      {dir: 'received', text: payload, bytes: 40},
    ]);
  });

  it('opens a WebSocket on an http URL asked to upgrade with -H', async () => {
    const url = `${server.url.replace(/^ws/, 'http')}/echo`;
    const run = start(['-H', 'Upgrade: websocket', url]);
    run.child.stdin.write('upgraded\n');
    await waitFor(() => run.lines().length === 1, 'the echo');
    expect((await run.end()).code).toBe(0);
    expect(run.lines()).toEqual(['upgraded']);
  });

  it('prints one JSON object a line per message with --json-result, both ways', async () => {
    const run = start(['--json-result', `${server.url}/echo`]);
    run.child.stdin.write('{"a":1}\nplain\n');
    await waitFor(
      () => run.lines().filter((line) => line.includes('"received"')).length === 2,
      'two echoes',
    );
    expect((await run.end()).code).toBe(0);
    const messages = run.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const texts = (dir: string) =>
      messages
        .filter((message) => message.kind === 'text' && message.dir === dir)
        .map(({text, bytes, json}) => ({text, bytes, json}));
    const both = [
      {text: '{"a":1}', bytes: 7, json: true},
      {text: 'plain', bytes: 5, json: undefined},
    ];
    expect(texts('sent')).toEqual(both);
    expect(texts('received')).toEqual(both);
    for (const message of messages) expect(typeof message.at).toBe('number');
    const closes = messages.filter((message) => message.kind === 'close');
    expect(closes.at(-1)).toMatchObject({dir: 'received', close: {code: 1000}});
  });

  it('asks for the subprotocol given with -H and gets it', async () => {
    const run = start(['-H', 'Sec-WebSocket-Protocol: chat.v1', `${server.url}/protocol`]);
    run.child.stdin.write('hi\n');
    await waitFor(() => run.lines().length >= 1, 'an answer on the subprotocol');
    expect((await run.end()).code).toBe(0);
    const handshake = server.handshakes.findLast((each) => each.path.startsWith('/protocol'));
    expect(handshake?.headers['sec-websocket-protocol']).toBe('chat.v1');
  });

  it('names the close code and reason the server sent, exit 0 for 1001 and 1 for 4000', async () => {
    const away = start([`${server.url}/close?code=1001&reason=${encodeURIComponent('moving on')}`]);
    expect((await away.exited).code).toBe(0);
    expect(away.stderr()).toBe(
      'porthole: closed by the server: 1001 going away (reason: moving on)\n',
    );
    const custom = start([`${server.url}/close?code=4000&reason=nope`]);
    expect((await custom.exited).code).toBe(1);
    expect(custom.stderr()).toBe(
      'porthole: closed by the server: 4000 application-defined (reason: nope)\n',
    );
  });

  it('says in words that the connection was lost without a close frame (1006), exit 1', async () => {
    const run = start([`${server.url}/abrupt`]);
    const {code} = await run.exited;
    expect(run.lines()).toEqual(['bye']);
    expect(code).toBe(1);
    expect(run.stderr()).toBe(
      'porthole: closed: 1006 abnormal closure: the connection was lost without a close frame\n',
    );
  });

  it('ends a WebSocket when -m is up: close 1000 sent, exit 1 with the reason', async () => {
    const run = start(['-m', '0.5', `${server.url}/push?n=100&everyMs=100`]);
    const {code} = await run.exited;
    expect(code).toBe(1);
    expect(run.lines().length).toBeGreaterThan(0);
    expect(run.lines().length).toBeLessThan(20);
    expect(run.stderr()).toBe(
      'porthole: time is up: -m 0.5 s ended the WebSocket (close 1000 sent)\n',
    );
    await waitFor(
      () => server.closes.some((close) => close.path.startsWith('/push') && close.code === 1000),
      'the close at the server',
    );
  });

  it('writes the lost connection as a last close line of --json-result', async () => {
    const run = start(['--json-result', `${server.url}/abrupt`]);
    expect((await run.exited).code).toBe(1);
    const lines = run.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.kind)).toEqual(['text', 'close']);
    expect(lines[1]).toMatchObject({dir: 'info', close: {code: 1006, reason: ''}});
  });

  it('prints a refused handshake as any response, with why it is no WebSocket, exit 22', async () => {
    const refused = start([`${server.url}/refuse`]);
    expect((await refused.exited).code).toBe(22);
    expect(refused.stdout().toString()).toBe('forbidden here\n');
    expect(refused.stderr()).toBe(
      'porthole: no WebSocket: the server answered 403 Forbidden, not 101 Switching Protocols\n',
    );
    const old = start(['-i', `${server.url}/http10`]);
    expect((await old.exited).code).toBe(22);
    expect(old.stdout().toString()).toMatch(/^HTTP\/1\.0 200 OK\r\n[^]*\r\n\r\nno upgrade here$/);
    expect(old.stderr()).toBe(
      'porthole: no WebSocket: the server speaks HTTP/1.0 and cannot switch to a WebSocket (it answered 200 OK)\n',
    );
  });

  it('gives up on a server that never answers within -m, naming the phase', async () => {
    const run = start(['-m', '0.5', `${server.url}/silent`]);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/^porthole: no response within 0\.5 s/);
  });

  it('writes a text message as it came to a pipe, control characters included', async () => {
    const run = start([`${server.url}/control`]);
    await waitFor(() => run.stdout().length > 0, 'the message');
    expect((await run.end()).code).toBe(0);
    expect(run.stdout().toString()).toBe(controlMessage + '\n');
  });

  it('sends close 1000 on Ctrl-C, waits for the answer and exits 0', async () => {
    const before = server.closes.length;
    const run = start([`${server.url}/push?n=1`]);
    await waitFor(() => run.lines().length === 1, 'the message');
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({code: 0, signal: null});
    await waitFor(() => server.closes.length > before, 'the close at the server');
    expect(server.closes.slice(before)).toEqual([{path: '/push', code: 1000, reason: ''}]);
    expect(run.lines()).toEqual(['{"n":1}']);
    expect(run.stderr()).toBe('');
  });

  it('shows the handshake on stderr with -v, the messages still on stdout', async () => {
    const run = start(['-v', `${server.url}/echo`]);
    run.child.stdin.write('hi\n');
    await waitFor(() => run.lines().length === 1, 'the echo');
    expect((await run.end()).code).toBe(0);
    expect(run.lines()).toEqual(['hi']);
    const lines = run.stderr().split('\n');
    expect(lines).toContain('> GET /echo HTTP/1.1');
    expect(lines).toContain('< HTTP/1.1 101 Switching Protocols');
    expect(lines.some((line) => /^> Sec-WebSocket-Key: /i.test(line))).toBe(true);
  });
});

describe('Ctrl-C on a WebSocket whose server never answers the close', () => {
  let server: net.Server;
  let port = 0;
  const frames: Buffer[] = [];

  beforeAll(async () => {
    // Switches to WebSocket by hand, sends one message, then reads frames and answers none.
    server = net.createServer((socket) => {
      socket.once('data', (data) => {
        const key = /sec-websocket-key: *(\S+)/i.exec(data.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
          .digest('base64');
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
        socket.on('data', (frame) => frames.push(frame));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('waits about a second for the answer, then exits 0', async () => {
    const run = start([`ws://127.0.0.1:${port}/`]);
    await waitFor(() => run.lines().length === 1, 'the message');
    const sent = performance.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({code: 0, signal: null});
    const waited = performance.now() - sent;
    expect(waited).toBeGreaterThanOrEqual(900);
    // The connection's own close timeout is 5 s: the command did not wait for it.
    expect(waited).toBeLessThan(4500);
    // A masked close frame carrying 1000 reached the server.
    const frame = Buffer.concat(frames);
    expect(frame.subarray(0, 2)).toEqual(Buffer.from([0x88, 0x82]));
    const code = ((frame[6]! ^ frame[2]!) << 8) | (frame[7]! ^ frame[3]!);
    expect(code).toBe(1000);
    expect(run.lines()).toEqual(['hi']);
  });
});

describe('porthole request on a WebSocket over TLS', () => {
  let server: WsFixture;
  let caFile: string;

  beforeAll(async () => {
    const certificate = selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1');
    server = await startWsServer({tls: certificate});
    caFile = path.join(scratch, 'ca.pem');
    await writeFile(caFile, certificate.cert);
  });

  afterAll(async () => {
    await server.close();
  });

  it('verifies the certificate against --cacert, and refuses it without', async () => {
    const trusted = start(['--cacert', caFile, `${server.url}/echo`]);
    trusted.child.stdin.write('over tls\n');
    await waitFor(() => trusted.lines().length === 1, 'the echo');
    expect((await trusted.end()).code).toBe(0);
    expect(trusted.lines()).toEqual(['over tls']);
    const untrusted = start([`${server.url}/echo`]);
    expect((await untrusted.end()).code).toBe(1);
    expect(untrusted.stderr()).toMatch(/pass -k to skip verification/);
  });
});

describe('porthole request on an event stream or a live body', () => {
  let fixture: SseFixture;

  beforeAll(async () => {
    fixture = await startSseServer();
  });

  afterAll(async () => {
    await fixture.close();
  });

  it("prints each event's data as it arrives, and exits 0 on Ctrl-C", async () => {
    const run = start([`${fixture.url}/events?n=5&everyMs=200`]);
    await waitFor(() => run.lines().length >= 1, 'the first event');
    expect(run.lines().length).toBeLessThan(3);
    await waitFor(() => run.lines().length === 5, 'five events');
    expect(run.lines()).toEqual([1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({code: 0, signal: null});
    expect(run.stderr()).toBe('');
  });

  it('prints one JSON object a line per event with --json-result', async () => {
    const run = start(['--json-result', `${fixture.url}/events?n=2&everyMs=50`]);
    await waitFor(() => run.lines().length === 2, 'two events');
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    const events = run.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map(({id, event, data, json}) => ({id, event, data, json}))).toEqual([
      {id: '1', event: 'tick', data: '{"n":1}', json: true},
      {id: '2', event: 'tick', data: '{"n":2}', json: true},
    ]);
    expect(typeof events[0]?.at).toBe('number');
  });

  it('asks again with Last-Event-ID when the stream ends, saying so with -v', async () => {
    const before = fixture.requests.length;
    const run = start(['-v', `${fixture.url}/drop?n=2`]);
    await waitFor(() => run.lines().length >= 4, 'events from two connections');
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(run.lines().slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => `{"n":${n}}`));
    const drops = fixture.requests.slice(before).filter((each) => each.path === '/drop');
    expect(drops[0]?.lastEventId).toBeUndefined();
    expect(drops[1]?.lastEventId).toBe('2');
    expect(run.stderr()).toMatch(/porthole: .*reconnecting in [\d.]+ s with Last-Event-ID 2/);
    expect(run.stderr()).toContain('> Last-Event-ID: 2');
  });

  it('stops asking when the server answers 204 No Content, with exit 0', async () => {
    let asked = 0;
    const server = http.createServer((_request, response) => {
      asked++;
      if (asked > 1) return void response.writeHead(204).end();
      response.writeHead(200, {'content-type': 'text/event-stream'});
      response.end('id: 7\ndata: only\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as {port: number};
    try {
      const run = start([`http://127.0.0.1:${port}/`]);
      expect((await run.exited).code).toBe(0);
      expect(run.lines()).toEqual(['only']);
      expect(asked).toBe(2);
      expect(run.stderr()).toMatch(/^porthole: .*204 No Content.*\n$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('writes a trickling body to a pipe chunk by chunk as it arrives', async () => {
    const run = start([`${fixture.url}/trickle?chunks=5&everyMs=200`]);
    await waitFor(() => run.lines().length >= 1, 'the first chunk');
    // The server sends the last chunk 800 ms after the first: it has not come yet.
    expect(run.lines().length).toBeLessThan(5);
    expect(run.child.exitCode).toBeNull();
    expect((await run.exited).code).toBe(0);
    expect(run.lines()).toEqual([1, 2, 3, 4, 5].map((n) => `chunk ${n}`));
  });

  it('prints a plain answer exactly as before', async () => {
    const run = start([`${fixture.url}/plain`]);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout().toString()).toBe('hello\n');
    expect(run.stderr()).toBe('');
  });
});

/** A terminal (or a pipe) that keeps each write apart, to see what came when. */
class Screen extends Writable {
  readonly writes: Buffer[] = [];

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    this.writes.push(Buffer.from(chunk));
    done();
  }

  text(): string {
    return Buffer.concat(this.writes).toString();
  }
}

describe('porthole request on a terminal', () => {
  let fixture: SseFixture;

  beforeAll(async () => {
    fixture = await startSseServer();
  });

  afterAll(async () => {
    await fixture.close();
  });

  const run = (args: string[], signal?: AbortSignal) => {
    const stdout = new Screen(true);
    const stderr = new Screen(false);
    const code = runRequestCommand(args, {stdout, stderr, stdin: Readable.from([]), signal});
    return {stdout, stderr, code};
  };

  it('writes events made safe to show, and ends on the signal with exit 0', async () => {
    const stop = new AbortController();
    const {stdout, stderr, code} = run([`${fixture.url}/control`], stop.signal);
    await waitFor(() => stdout.text().length > 0, 'the event');
    stop.abort();
    expect(await code).toBe(0);
    expect(stdout.text()).toBe('^[]0;pwned^G^[[2J\n');
    expect(stderr.text()).toBe('');
  });

  it('writes a live body as it arrives with -N, made safe, and all at the end without', async () => {
    const live = run(['-N', `${fixture.url}/trickle?chunks=3&everyMs=100`]);
    expect(await live.code).toBe(0);
    expect(live.stdout.text()).toBe('chunk 1\nchunk 2\nchunk 3\n');
    expect(live.stdout.writes.filter((each) => each.length > 0).length).toBeGreaterThanOrEqual(3);
    const whole = run([`${fixture.url}/trickle?chunks=3&everyMs=100`]);
    expect(await whole.code).toBe(0);
    expect(whole.stdout.text()).toBe('chunk 1\nchunk 2\nchunk 3\n');
    expect(whole.stdout.writes.filter((each) => each.length > 0)).toHaveLength(1);
  });

  it('ends an event stream at -m, as curl -m does', async () => {
    const {stdout, stderr, code} = run(['-m', '0.6', `${fixture.url}/events?n=100&everyMs=100`]);
    expect(await code).toBe(1);
    expect(stdout.text()).toMatch(/^\{"n":1\}\n/);
    expect(stderr.text()).toMatch(/^porthole: no complete response within 0\.6 s/);
  });
});

describe('what a stream writes', () => {
  const entry = (fields: Partial<StreamEntry>): StreamEntry => ({
    seq: 1,
    at: 12,
    dir: 'received',
    kind: 'text',
    bytes: 0,
    text: '',
    ...fields,
  });
  const control = '\u001b]0;pwned\u0007\u001b[2Jhi';

  it('writes a text message raw to a pipe and made safe on a terminal', () => {
    const message = entry({text: control, bytes: control.length});
    expect(messageOutput(message, {terminal: false, json: false})).toBe(control + '\n');
    expect(messageOutput(message, {terminal: true, json: false})).toBe('^[]0;pwned^G^[[2Jhi\n');
    expect(eventOutput(entry({kind: 'event', text: control}), {terminal: true, json: false})).toBe(
      '^[]0;pwned^G^[[2Jhi\n',
    );
  });

  it('writes a binary message raw to a pipe and as hex on a terminal or in JSON', () => {
    const bytes = Uint8Array.from([0x1b, 0x00, 0xff]);
    const message = entry({kind: 'binary', bytes: 3, text: '1b 00 ff'});
    expect(messageOutput(message, {terminal: false, json: false}, bytes)).toEqual(bytes);
    expect(messageOutput(message, {terminal: true, json: false}, bytes)).toBe('1b00ff\n');
    expect(messageOutput(message, {terminal: false, json: true}, bytes)).toBe(
      '{"at":12,"dir":"received","kind":"binary","bytes":3,"text":"1b00ff"}\n',
    );
  });

  it('keeps sent messages and notes off stdout, and escapes controls in JSON', () => {
    expect(messageOutput(entry({dir: 'sent', text: 'x'}), {terminal: false, json: false})).toBe(
      undefined,
    );
    expect(messageOutput(entry({dir: 'info', kind: 'note'}), {terminal: false, json: true})).toBe(
      undefined,
    );
    const json = messageOutput(entry({text: '\u009b31m'}), {terminal: false, json: true});
    expect(json).toBe('{"at":12,"dir":"received","kind":"text","bytes":0,"text":"\\u009b31m"}\n');
  });

  it('knows a request that asks for an event stream', () => {
    expect(acceptsEventStream([['Accept', 'text/event-stream']])).toBe(true);
    expect(acceptsEventStream({accept: 'application/json, Text/Event-Stream;q=0.9'})).toBe(true);
    expect(acceptsEventStream([['Accept', 'application/json']])).toBe(false);
    expect(acceptsEventStream([['X-Accept', 'text/event-stream']])).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });

  it('reads hex lines, spaces allowed, and names what is wrong with one', () => {
    expect(parseHexLine('0a 1B ff')).toEqual(Buffer.from([0x0a, 0x1b, 0xff]));
    expect(parseHexLine('')).toEqual(Buffer.alloc(0));
    expect(parseHexLine('abc')).toBe('an odd number of hex digits: two digits a byte');
    expect(parseHexLine('zz')).toBe('not hex: only 0-9 and a-f, two digits a byte');
  });
});
