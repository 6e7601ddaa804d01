/**
 * Streams, beside a bare `ws` client (bench/ws-peer.mjs, websocat's default behaviour) in the same
 * run, against one loopback `ws` server in this process:
 * - a WebSocket echo through `porthole request ws://…`: stdin lines out, echoed lines back on
 *   stdout, as fast as the pipe and the socket take them: messages per second, CPU per 1,000
 *   messages and RSS after them, the whole process measured from /proc;
 * - the same count pushed by the server into the dashboard's Request pane (in tmux), until its
 *   status line counts them all, beside the peer counting the same flood;
 * - with --soak MINUTES: the pane held on a stream at 1,000 messages a second, RSS every minute
 *   and a key answered throughout.
 *
 * Run: node --import tsx bench/streams.ts [--messages N] [--soak MINUTES]   (after npm run build)
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {createServer} from 'node:http';
import {pathToFileURL} from 'node:url';
import {WebSocketServer, type WebSocket} from 'ws';
import {processCpuMs} from './sockets.js';

const root = path.resolve(import.meta.dirname, '..');
/** `--cli PATH` runs another build (a copy of dist/ kept for a long soak while dist/ changes). */
const cliAt = process.argv.indexOf('--cli');
const cli = cliAt > 0 ? path.resolve(process.argv[cliAt + 1]!) : path.join(root, 'dist/cli.js');
const peer = path.join(root, 'bench/ws-peer.mjs');

export type EchoRun = {messages: number; wallMs: number; cpuMs: number; rssMiB: number};
export type StreamsResult = {
  cli: EchoRun;
  cliPeer: EchoRun;
  pane?: EchoRun;
  panePeer?: EchoRun;
  paneProblem?: string;
};

export type BenchServer = {url: string; close(): Promise<void>};

/**
 * `/echo` sends back what comes; `/flood?n=N&rate=R` sends N short text messages, R a second
 * (0: as fast as the client reads them, the send buffer held under 1 MiB).
 */
export async function startBenchServer(): Promise<BenchServer> {
  const http = createServer();
  const wss = new WebSocketServer({server: http});
  wss.on('connection', (socket: WebSocket, request) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/flood') {
      flood(
        socket,
        Number(url.searchParams.get('n') ?? 1000),
        Number(url.searchParams.get('rate') ?? 0),
      );
      return;
    }
    socket.on('message', (data, binary) => socket.send(data, {binary}));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const {port} = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

function flood(socket: WebSocket, count: number, rate: number): void {
  let sent = 0;
  const line = (n: number) => `{"n":${n},"pad":"${'x'.repeat(24)}"}`;
  if (rate > 0) {
    // In 10 ms slices, so that 1,000 a second is 10 every slice, not one burst a second.
    const started = performance.now();
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000));
      while (sent < due && socket.readyState === socket.OPEN) socket.send(line(++sent));
      if (sent >= count || socket.readyState !== socket.OPEN) clearInterval(timer);
    }, 10);
    socket.on('close', () => clearInterval(timer));
    return;
  }
  const more = () => {
    while (sent < count && socket.readyState === socket.OPEN) {
      socket.send(line(++sent));
      if (socket.bufferedAmount > 1 << 20) {
        setTimeout(more, 1);
        return;
      }
    }
  };
  more();
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * Spawns `args` (stdin lines out, echoed lines on stdout), waits for one echo so start-up is not
 * counted, then writes `messages` lines and times them until each has come back.
 */
export function echoRun(command: string[], messages: number): Promise<EchoRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command[0]!, command.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {...process.env, NO_COLOR: '1'},
    });
    const pid = child.pid!;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let warm = false;
    let lines = 0;
    let tail = '';
    let started = 0;
    let cpuBefore = 0;
    const watchdog = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command.join(' ')}: ${lines} of ${messages} echoed in 120 s; ${stderr.trim()}`,
        ),
      );
    }, 120_000);
    child.on('exit', (code) => {
      if (lines < messages) {
        clearTimeout(watchdog);
        reject(
          new Error(`${command.join(' ')} exited ${code} after ${lines} lines: ${stderr.trim()}`),
        );
      }
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      const parts = text.split('\n');
      tail = parts.pop()!;
      if (!warm) {
        if (parts.length === 0) return;
        warm = true;
        parts.shift();
        cpuBefore = processCpuMs(pid);
        started = performance.now();
        writeLines(child, messages);
      }
      lines += parts.length;
      if (lines >= messages && started > 0) {
        const wallMs = performance.now() - started;
        const cpuMs = processCpuMs(pid) - cpuBefore;
        const rss = rssMiB(pid);
        started = 0;
        clearTimeout(watchdog);
        child.stdin!.end();
        setTimeout(() => child.kill('SIGTERM'), 2000).unref();
        resolve({messages, wallMs, cpuMs, rssMiB: rss});
      }
    });
    child.stdin!.write('warm-up\n');
  });
}

function writeLines(child: ChildProcess, messages: number): void {
  let written = 0;
  const batch = 1000;
  const more = () => {
    while (written < messages) {
      let text = '';
      const end = Math.min(messages, written + batch);
      for (; written < end; written++) text += `{"n":${written + 1},"pad":"${'x'.repeat(24)}"}\n`;
      if (!child.stdin!.write(text)) {
        child.stdin!.once('drain', more);
        return;
      }
    }
  };
  more();
}

/** The peer alone: counts a flood of `messages` (no terminal, nothing drawn). */
function peerCount(url: string, messages: number): Promise<EchoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [peer, `${url}/flood?n=${messages}`, '--count', String(messages)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let said = '';
    child.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.on('exit', (code) => {
      const figures = /ms ([\d.]+) cpu ([\d.]+) rss (\d+)/.exec(said);
      if (code !== 0 || !figures) reject(new Error(`ws-peer exited ${code}: ${said.trim()}`));
      else {
        const [, wallMs, cpuMs, rss] = figures.map(Number);
        resolve({messages, wallMs: wallMs!, cpuMs: cpuMs!, rssMiB: rss! / 2 ** 20});
      }
    });
  });
}

function tmux(...args: string[]): string {
  const run = spawnSync('tmux', ['-L', `porthole-bench-streams-${process.pid}`, ...args], {
    encoding: 'utf8',
  });
  return run.stdout ?? '';
}

/** The dashboard's pid inside the tmux pane (the pane runs node directly). */
function panePid(): number {
  return Number(tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
}

/** The received count the Request pane's stream status line shows, or undefined. */
export function receivedOnScreen(screen: string): number | undefined {
  const match = /↓\s*([\d,]+)/.exec(screen) ?? /received\s+([\d,]+)/i.exec(screen);
  return match ? Number(match[1]!.replaceAll(',', '')) : undefined;
}

async function openInPane(url: string, size = ['-x', '120', '-y', '40']): Promise<number> {
  tmux('kill-server');
  tmux(
    'new-session',
    '-d',
    '-s',
    'bench',
    ...size,
    `exec env CI=false TERM=xterm-256color ${process.execPath} ${cli} --url '${url}'`,
  );
  // A dashboard that ends keeps its last screen, for the bench to say why.
  tmux('set-option', '-t', 'bench', 'remain-on-exit', 'on');
  const pid = panePid();
  const until = performance.now() + 10_000;
  while (
    performance.now() < until &&
    !/Request|GET|url/i.test(tmux('capture-pane', '-p', '-t', 'bench'))
  ) {
    await sleep(50);
  }
  await sleep(300);
  tmux('send-keys', '-t', 'bench', 'Enter');
  return pid;
}

/** The pane on a flood of `messages`: from Enter until the status line counts them all. */
async function paneFlood(url: string, messages: number): Promise<EchoRun> {
  const pid = await openInPane(`${url}/flood?n=${messages}`);
  try {
    const cpuBefore = processCpuMs(pid);
    const started = performance.now();
    const until = started + 120_000;
    let seen = 0;
    while (performance.now() < until) {
      seen = receivedOnScreen(tmux('capture-pane', '-p', '-t', 'bench')) ?? 0;
      if (seen >= messages) {
        return {
          messages,
          wallMs: performance.now() - started,
          cpuMs: processCpuMs(pid) - cpuBefore,
          rssMiB: rssMiB(pid),
        };
      }
      await sleep(20);
    }
    throw new Error(`the pane showed ${seen} of ${messages} messages in 120 s`);
  } finally {
    tmux('kill-server');
  }
}

/** The pane held on 1,000 messages a second for `minutes`: RSS each minute, a key each second. */
export async function paneSoak(
  url: string,
  minutes: number,
): Promise<{rss: number[]; slowestKeyMs: number}> {
  const rate = 1000;
  const pid = await openInPane(`${url}/flood?n=${rate * 60 * minutes}&rate=${rate}`);
  const rss: number[] = [];
  let slowestKeyMs = 0;
  try {
    const end = performance.now() + minutes * 60_000;
    let nextSample = performance.now() + 60_000;
    let toggle = false;
    while (performance.now() < end) {
      // A letter typed into the message line, then taken back: a key whose answer is plain on
      // the screen, while the stream goes on.
      toggle = !toggle;
      const pressed = performance.now();
      tmux('send-keys', '-t', 'bench', toggle ? 'z' : 'BSpace');
      while (performance.now() - pressed < 5000) {
        const shown = /message›.*z/.test(tmux('capture-pane', '-p', '-t', 'bench'));
        if (shown === toggle) break;
        await sleep(5);
      }
      slowestKeyMs = Math.max(slowestKeyMs, performance.now() - pressed);
      if (performance.now() >= nextSample) {
        rss.push(rssMiB(pid));
        console.log(
          `  minute ${rss.length}: RSS ${rss.at(-1)!.toFixed(0)} MiB, received ${receivedOnScreen(tmux('capture-pane', '-p', '-t', 'bench')) ?? '?'}`,
        );
        nextSample += 60_000;
      }
      await sleep(1000);
    }
  } finally {
    tmux('kill-server');
  }
  return {rss, slowestKeyMs};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function streamsCost(messages = 100_000): Promise<StreamsResult> {
  const server = await startBenchServer();
  try {
    const cliPeer = await echoRun([process.execPath, peer, `${server.url}/echo`], messages);
    const cliRun = await echoRun(
      [process.execPath, cli, 'request', `${server.url}/echo`],
      messages,
    );
    const result: StreamsResult = {cli: cliRun, cliPeer};
    try {
      result.panePeer = await peerCount(server.url, messages);
      result.pane = await paneFlood(server.url, messages);
    } catch (error) {
      result.paneProblem = (error as Error).message;
    }
    return result;
  } finally {
    await server.close();
  }
}

const rate = (run: EchoRun) => Math.round((run.messages * 1000) / run.wallMs);
const per1000 = (run: EchoRun) => (run.cpuMs * 1000) / run.messages;

export function streamsRows(result: StreamsResult): string[][] {
  const row = (label: string, ours: EchoRun, theirs: EchoRun, peerName: string) => [
    `11 ${label}, ${ours.messages.toLocaleString('en')} messages`,
    `${rate(ours).toLocaleString('en')} msg/s · ${per1000(ours).toFixed(1)} ms CPU per 1,000 · RSS ${ours.rssMiB.toFixed(0)} MiB`,
    `${peerName}: ${rate(theirs).toLocaleString('en')} msg/s · ${per1000(theirs).toFixed(1)} ms · ${theirs.rssMiB.toFixed(0)} MiB`,
    `${(rate(ours) / rate(theirs)).toFixed(2)}x rate, ${(per1000(ours) / per1000(theirs)).toFixed(2)}x CPU`,
    '',
  ];
  const rows = [
    row(
      'WebSocket echo through `porthole request`',
      result.cli,
      result.cliPeer,
      'bare `ws` client',
    ),
  ];
  if (result.pane && result.panePeer) {
    rows.push(
      row(
        'server push into the Request pane',
        result.pane,
        result.panePeer,
        'bare `ws` client, counting',
      ),
    );
  } else if (result.paneProblem) {
    rows.push([`11 server push into the Request pane`, result.paneProblem, '', '', '']);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = (flag: string) => process.argv.indexOf(flag);
  const messages = at('--messages') > 0 ? Number(process.argv[at('--messages') + 1]) : 100_000;
  if (at('--soak') > 0) {
    const minutes = Number(process.argv[at('--soak') + 1]);
    const server = await startBenchServer();
    try {
      const soak = await paneSoak(server.url, minutes);
      console.log(
        `RSS by minute: ${soak.rss.map((value) => value.toFixed(0)).join(' ')} MiB; slowest key ${soak.slowestKeyMs.toFixed(0)} ms`,
      );
    } finally {
      await server.close();
    }
  } else {
    const result = await streamsCost(messages);
    for (const row of streamsRows(result)) console.log(`| ${row.join(' | ')} |`);
  }
}
