/**
 * Streams in the Request pane, against real WebSocket and event-stream servers on loopback: the
 * handshake shown as a response, messages typed and echoed, pushes shown as they come, closes in
 * words, hostile text inert, events live, a body live under its transcript, the log held on
 * scroll and bounded.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {keys, renderApp, type Rendered} from '../helpers/render-app.js';
import {startWsServer, type WsFixture} from '../helpers/ws-server.js';
import {startSseServer, type SseFixture} from '../helpers/sse-server.js';
import type {ControllerOptions} from '../../source/request/controller.js';
import {waitFor} from '../helpers/wait.js';

let ws: WsFixture;
let sse: SseFixture;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-streams-'));
const opened: Rendered[] = [];

beforeAll(async () => {
  ws = await startWsServer();
  sse = await startSseServer();
});
afterAll(async () => {
  await ws.close();
  await sse.close();
  rmSync(scratch, {recursive: true, force: true});
});
afterEach(() => {
  // Streams left open end with the dashboard.
  for (const app of opened.splice(0)) app.requests.dispose();
  cleanup();
});

async function open(
  url: string,
  options: {rows?: number; columns?: number; controller?: ControllerOptions} = {},
): Promise<Rendered> {
  const app = await renderApp({
    focus: 'request',
    rows: options.rows ?? 40,
    columns: options.columns ?? 120,
    request: {url, caret: url.length},
    controller: options.controller,
  });
  opened.push(app);
  await app.press(keys.enter);
  return app;
}

/** Waits for the screen, with room for a busy host. */
function screenShows(app: Rendered, test: (screen: string) => boolean, what: string) {
  return waitFor(() => test(app.screen()), what, 8000).then(
    () => app.screen(),
    (error: Error) => {
      throw new Error(`${error.message}; the screen was:\n${app.screen()}`);
    },
  );
}

describe('a WebSocket in the Request pane', () => {
  it('shows the 101, then echoes what is typed: → and ← lines, binary from hex, a bad hex line kept', async () => {
    const app = await open(`${ws.url}/echo`);
    const switched = await screenShows(
      app,
      (s) => s.includes('101 Switching Protocols') && s.includes('message›'),
      'the handshake answered and the message line',
    );
    expect(switched).toMatch(/ transcript +messages$/m);
    expect(switched).toMatch(/^open · ↓ 0 msgs 0 B · ↑ 0 msgs 0 B/m);

    await app.press('hello there', keys.enter);
    const echoed = await screenShows(
      app,
      (s) => /→ text +11 B {2}hello there/.test(s) && /← text +11 B {2}hello there/.test(s),
      'the message sent and its echo',
    );
    expect(echoed).toMatch(/↓ 1 msg 11 B · ↑ 1 msg 11 B/);

    await app.press('hex:0a1bff', keys.enter);
    await screenShows(
      app,
      (s) => /→ binary +3 B {2}0a 1b ff/.test(s) && /← binary +3 B {2}0a 1b ff/.test(s),
      'binary sent from hex and echoed',
    );

    await app.press('hex:zz', keys.enter);
    const refused = await screenShows(app, (s) => s.includes('✗ not hex'), 'the bad hex line');
    // What was typed is still there, to be mended.
    expect(refused).toMatch(/message› hex:zz/);

    // The response tabs still show the handshake: v goes round from messages to body, headers.
    await app.press(keys.escape, 'v', 'v');
    const headers = await screenShows(
      app,
      (s) => s.includes('HTTP/1.1 101 Switching Protocols') && /sec-websocket-accept/i.test(s),
      'the handshake headers',
    );
    expect(headers).toMatch(/upgrade: websocket/i);
  });

  it('opens from a pasted curl command that asks to upgrade', async () => {
    const app = await renderApp({focus: 'request', request: {url: '', caret: 0}});
    opened.push(app);
    const url = `${ws.url.replace(/^ws/, 'http')}/echo`;
    await app.press(`\u001B[200~curl -H 'Upgrade: websocket' ${url}\u001B[201~`);
    await app.waitForScreen((s) => s.includes(`URL     ${url}`), 'the form filled');
    await app.press(keys.enter);
    await screenShows(
      app,
      (s) => s.includes('101 Switching Protocols') && s.includes('message›'),
      'the WebSocket open',
    );
    await app.press('pasted', keys.enter);
    await screenShows(app, (s) => /← text +6 B {2}pasted/.test(s), 'the echo');
  });

  it('shows pushed messages as they arrive, short JSON on their line', async () => {
    const app = await open(`${ws.url}/push?n=4&everyMs=150`);
    const first = await screenShows(app, (s) => s.includes('{"n":1}'), 'the first push');
    expect(first).not.toContain('{"n":4}');
    const all = await screenShows(app, (s) => s.includes('{"n":4}'), 'the last push');
    expect(all).toMatch(/← text +7 B {2}\{"n":\d\}$/m);
    expect(all).toMatch(/↓ 4 msgs 28 B/);
  });

  it('says a lost connection in words: 1006', async () => {
    const app = await open(`${ws.url}/abrupt`);
    const screen = await screenShows(
      app,
      (s) => s.includes('closed: 1006 abnormal closure'),
      'the close in words',
    );
    expect(screen).toMatch(/← text +3 B {2}bye/);
    expect(screen).not.toContain('message›');
  });

  it('keeps control sequences in a message inert', async () => {
    const app = await open(`${ws.url}/control`);
    const screen = await screenShows(app, (s) => s.includes('hello^['), 'the message');
    expect(screen).toContain('^[]0;pwned^G^[[2Jhello^[[31mred');
    expect(app.frames.join('')).not.toContain('\u001b]0;');
    expect(app.frames.join('')).not.toContain('\u0007');
  });

  it('closes with a code and reason from the message line; the server hears it', async () => {
    const app = await open(`${ws.url}/echo`);
    await screenShows(app, (s) => s.includes('message›'), 'the message line');
    await app.press('/close 4000 all done', keys.enter);
    const screen = await screenShows(
      app,
      (s) => s.includes('closed: closed by you with 4000'),
      'the close',
    );
    expect(screen).toMatch(/→ close +\S+ B {2}4000 application-defined · all done/);
    await waitFor(
      () => ws.closes.some((seen) => seen.code === 4000 && seen.reason === 'all done'),
      'the close frame at the server',
    );
  });

  it('shows a refused handshake as a normal response and says why it did not switch', async () => {
    const app = await open(`${ws.url}/refuse`);
    const screen = await screenShows(app, (s) => s.includes('403 Forbidden'), 'the refusal');
    expect(screen).toContain('no WebSocket: the server answered 403 Forbidden, not 101');
    expect(screen).toContain('forbidden here');
    expect(screen).not.toMatch(/ transcript +messages$/m);
  });

  it('says a text message that is not UTF-8 in words: 1007', async () => {
    const app = await open(`${ws.url}/badutf8`);
    await screenShows(app, (s) => s.includes('1007 invalid payload data'), 'the 1007');
  });

  it('refuses a message over the limit in words: 1009', async () => {
    const app = await open(`${ws.url}/big?bytes=5000`, {
      controller: {streamLimits: {maxMessageBytes: 1000}},
    });
    await screenShows(app, (s) => s.includes('1009 message too big'), 'the 1009');
  });

  it('names the phase when the server never answers the handshake', async () => {
    const app = await open(`${ws.url}/silent`, {controller: {timeoutMs: 800}});
    const screen = await screenShows(app, (s) => s.includes('✗ '), 'the timeout');
    // The phase it waited in: the answer's head never came.
    expect(screen).toContain('✗ no response within 0.8 s');
    expect(screen).not.toMatch(/ transcript +messages$/m);
  });

  it('pings with ctrl-p and closes with x; leaving the pane closes with 1000', async () => {
    const app = await open(`${ws.url}/echo`);
    await screenShows(app, (s) => s.includes('message›'), 'the message line');
    // Esc leaves the line: the stream's keys act.
    await app.press(keys.escape, '\u0010');
    await screenShows(
      app,
      (s) => /→ ping +\d+ B/.test(s) && /← pong +\d+ B/.test(s),
      'the ping and its pong',
    );
    const before = ws.closes.length;
    await app.press(keys.tab);
    await waitFor(
      () => ws.closes.slice(before).some((seen) => seen.code === 1000),
      'a close 1000 on leaving the pane',
    );

    const again = await open(`${ws.url}/echo`);
    await screenShows(again, (s) => s.includes('message›'), 'the message line');
    // The WebSocket's connection stays the dashboard's own, open, for the Sockets pane to mark.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const own = () => again.store.getState().ownConnections.filter((c) => c.remotePort === ws.port);
    expect(own()).toHaveLength(1);
    expect(own()[0]?.closedAt).toBeUndefined();
    await again.press(keys.escape, 'x');
    await screenShows(again, (s) => s.includes('closed: closed by you with 1000'), 'closed by x');
    await waitFor(() => own()[0]?.closedAt !== undefined, 'the connection closed with it');
  });

  it('ends the WebSocket before with close 1000 when a new request goes', async () => {
    const app = await open(`${ws.url}/echo`);
    await screenShows(app, (s) => s.includes('message›'), 'the message line');
    await app.press('first one', keys.enter);
    await screenShows(app, (s) => /← text +9 B {2}first one/.test(s), 'the echo');
    const before = ws.closes.length;
    await app.press(keys.escape, keys.enter);
    await waitFor(
      () => ws.closes.slice(before).some((seen) => seen.path === '/echo' && seen.code === 1000),
      'the first WebSocket closed with 1000',
    );
    const screen = await screenShows(
      app,
      (s) => /^open · ↓ 0 msgs 0 B · ↑ 0 msgs 0 B/m.test(s),
      'the second WebSocket open, its log empty',
    );
    expect(screen).not.toContain('first one');
  });

  it('writes the log to a file under the state directory with w', async () => {
    const historyPath = path.join(scratch, 'state', 'history.jsonl');
    const app = await open(`${ws.url}/echo`, {controller: {historyPath}});
    await screenShows(app, (s) => s.includes('message›'), 'the message line');
    await app.press('saved line', keys.enter);
    await screenShows(app, (s) => /← text +10 B {2}saved line/.test(s), 'the echo');
    await app.press(keys.escape, 'w');
    // The status line says so; the footer has the whole path.
    const screen = await screenShows(
      app,
      (s) => s.includes('· saving to ') && s.includes('saving the stream to '),
      'saving',
    );
    const file = /saving the stream to (\S+\.jsonl)/.exec(screen)?.[1];
    expect(file?.startsWith(path.join(scratch, 'state', 'streams'))).toBe(true);
    await waitFor(() => readFileSync(file!, 'utf8').includes('saved line'), 'the file written');
    const lines = readFileSync(file!, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as {dir: string}).dir)).toEqual([
      'sent',
      'received',
    ]);
  });

  it('holds the log where it was scrolled to, counts what came since, and follows again on End', async () => {
    const app = await open(`${ws.url}/push?n=400&everyMs=15`, {rows: 30});
    await screenShows(app, (s) => s.includes('{"n":30}'), 'enough pushes to scroll');
    await app.press(keys.escape, 'K');
    const paused = await screenShows(app, (s) => /paused · [1-9]\d* new/.test(s), 'paused');
    const held = paused.split('\n').filter((line) => line.includes('"n":'));
    // The lines shown stay put while the pushes go on.
    await screenShows(
      app,
      (s) => Number(/paused · (\d+) new/.exec(s)?.[1] ?? 0) >= 20,
      'more pushes counted',
    );
    const later = app
      .screen()
      .split('\n')
      .filter((line) => line.includes('"n":'));
    expect(later).toEqual(held);
    await app.press('G');
    await screenShows(app, (s) => !s.includes('paused ·'), 'following again');
  });

  it('keeps a bounded window and says how much left it', async () => {
    const app = await open(`${ws.url}/push?n=60&everyMs=2`, {
      controller: {streamLimits: {maxEntries: 20}},
    });
    const screen = await screenShows(
      app,
      (s) => s.includes('{"n":60}') && s.includes('40 dropped'),
      'the dropped count',
    );
    expect(screen).toMatch(/↓ 60 msgs/);
  });

  it('answers keys while pings flood in', async () => {
    const app = await open(`${ws.url}/pingflood?n=3000`);
    await screenShows(app, (s) => s.includes('message›'), 'the message line');
    // Away from the log and back, while the pings (and their pongs) pour in.
    await app.press(keys.escape, 'v');
    await screenShows(app, (s) => !/^open · ↓/m.test(s), 'the body tab');
    await app.press('v', 'v', 'v', 'v', 'v');
    await screenShows(app, (s) => /↓ 3001 msgs .* ↑ 3000 msgs/.test(s), 'every ping counted');
    await app.press(keys.tab);
    await screenShows(app, (s) => s.includes('▶ Addresses'), 'the focus moved');
  });
});

describe('an event stream in the Request pane', () => {
  it('shows events as they arrive while the stream is open, and x closes it', async () => {
    const app = await open(`${sse.url}/events?n=3&everyMs=150`);
    const first = await screenShows(app, (s) => /← tick .*id 1 +\{/.test(s), 'the first event');
    expect(first).toMatch(/ transcript +events$/m);
    expect(first).not.toMatch(/id 3/);
    const all = await screenShows(app, (s) => /← tick .*id 3 +\{/.test(s), 'the third event');
    expect(all).toMatch(/^open · ↓ 3 events/m);
    expect(all).toMatch(/comments/);
    expect(all).toContain('{"n":3}');
    expect(all).not.toContain('message›');
    expect(all).toContain('event stream open (GET) … ');
    await app.press('x');
    await screenShows(app, (s) => s.includes('closed: closed by you'), 'closed');
  });

  it('ends an open event stream when a new request goes', async () => {
    const app = await open(`${sse.url}/events?n=1000&everyMs=100`);
    await screenShows(app, (s) => /← tick .*id 2 +\{/.test(s), 'events arriving');
    const asked = sse.requests.filter((request) => request.path === '/events').length;
    await app.press(keys.enter);
    await waitFor(
      () => sse.requests.filter((request) => request.path === '/events').length === asked + 1,
      'the request sent again',
    );
    await screenShows(app, (s) => /^open · ↓ \d+ events/m.test(s), 'the new stream open');
    expect(app.store.getState().notice?.text ?? '').not.toContain('in flight');
  });

  it('shows a reconnect in the status and as a note, with Last-Event-ID', async () => {
    const app = await open(`${sse.url}/drop?n=2`);
    const screen = await screenShows(
      app,
      (s) => /reconnecting in [\d.]+ s \(attempt \d\)/.test(s),
      'the reconnect',
    );
    expect(screen).toMatch(/· note +.*; reconnecting in [\d.]+ s with Last-Event-/);
    await waitFor(
      () => sse.requests.some((request) => request.path === '/drop' && request.lastEventId === '2'),
      'the request again with Last-Event-ID 2',
      8000,
    );
  });

  it('keeps control sequences in event data inert', async () => {
    const app = await open(`${sse.url}/control`);
    await screenShows(app, (s) => s.includes('^[]0;pwned^G^[[2J'), 'the event');
    expect(app.frames.join('')).not.toContain('\u001b]0;');
  });
});

describe('a body still arriving', () => {
  it('shows the body live under the transcript with the bytes so far, then the body view', async () => {
    const app = await open(`${sse.url}/trickle?chunks=6&everyMs=200`);
    const live = await screenShows(app, (s) => /^chunk 2$/m.test(s), 'the body as it arrives');
    expect(live).toMatch(/^HTTP < HTTP\/1\.1 200 OK$/m);
    expect(live).toMatch(/so far/);
    expect(live).not.toMatch(/^chunk 6$/m);
    const done = await screenShows(
      app,
      (s) => s.includes('200 OK · success') && !s.includes('sending GET'),
      'the whole body',
    );
    expect(done).toMatch(/^chunk 6$/m);
  });

  it('holds an endless body when scrolled up, and Esc ends it', async () => {
    const app = await open(`${sse.url}/trickle?chunks=0&everyMs=20`, {rows: 30});
    await screenShows(app, (s) => /^chunk 40$/m.test(s), 'enough of the body');
    await app.press('K');
    await screenShows(app, (s) => /paused · [1-9]\d* new/.test(s), 'paused');
    await app.press(keys.escape);
    await screenShows(app, (s) => /✗ request (aborted|cancelled)/.test(s), 'cancelled');
  });
});
