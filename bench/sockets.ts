/**
 * Socket listing cost at scale: porthole's reader (first read with an empty owner cache, then
 * steady polls, then polls with new connections) next to systeminformation.networkConnections()
 * and `ss -tanp`, all on the same N loopback connection pairs, plus the pure parts at 100k rows.
 *
 * Run: node --import tsx bench/sockets.ts [pairs]
 *
 * CPU time: process.cpuUsage() covers this process and its thread pool; tools that run as child
 * processes (ss, and netstat under systeminformation) are counted through the cutime/cstime fields
 * of /proc/self/stat, which hold the CPU of children that have been waited for (clock ticks, so
 * 10 ms resolution per run; medians over several runs).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import {trackSocketChanges} from '../source/collect/sockets/changes.js';
import {createSocketsReader} from '../source/collect/sockets/index.js';
import {parseProcNet} from '../source/collect/sockets/proc-net.js';
import type {Socket} from '../source/model.js';

export type BenchSocketsOptions = {
  /** Loopback TCP connection pairs to hold open (each pair is two sockets). */
  pairs?: number;
  /** Steady reads to take the median of. */
  polls?: number;
  /** Rows for the parser and change-tracker figures. */
  rows?: number;
};

export type Cost = {wallMs: number; cpuMs: number};

export type BenchSocketsResult = {
  pairs: number;
  sockets: number;
  holders: number;
  cold: Cost;
  steady: Cost;
  /** A poll after `churnPairs` new connection pairs opened since the previous one. */
  churn: Cost & {churnPairs: number};
  systeminformation: Cost;
  ss: Cost | undefined;
  /** `ss -tuanHe`: the socket list alone over netlink, what /proc/net reading was weighed against. */
  ssList: Cost | undefined;
  parseRowsMs: number;
  trackFirstMs: number;
  trackSteadyMs: number;
  trackChurnMs: number;
  rows: number;
};

// A holder process: listens on loopback, opens its pairs in batches, then waits. Given periods,
// it also sends one byte down one of its connections every `trickle` ms, in turn (the other end
// reads it), and opens and closes one more connection every `churn` ms, so the socket list and
// the kernel's counters change between any two polls, as on a host that serves. It resets its
// connections on the way out (no TIME-WAIT left behind) and gives up by itself after 10 minutes.
const holderSource = `
const net = require('node:net');
const clients = [];
const accepted = new Set();
const server = net.createServer((socket) => {
  accepted.add(socket);
  socket.on('close', () => accepted.delete(socket));
  socket.resume();
});
async function open(count, port) {
  for (let done = 0; done < count; ) {
    const batch = Math.min(200, count - done);
    await Promise.all(Array.from({length: batch}, () => new Promise((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1', resolve);
      client.once('error', reject);
      clients.push(client);
    })));
    done += batch;
  }
  for (let i = 0; i < 1000 && accepted.size < clients.length; i++) await new Promise((r) => setTimeout(r, 5));
}
function quit() {
  for (const socket of [...clients, ...accepted]) socket.resetAndDestroy();
  server.close();
  setImmediate(() => process.exit(0));
}
server.listen(0, '127.0.0.1', 4096, async () => {
  const port = server.address().port;
  await open(Number(process.argv[1]), port);
  const [trickleMs, churnMs] = [Number(process.argv[2]), Number(process.argv[3])];
  let next = 0;
  if (trickleMs > 0) setInterval(() => clients[next++ % clients.length].write('x'), trickleMs);
  if (churnMs > 0)
    setInterval(() => {
      const client = net.connect(port, '127.0.0.1', () => client.end());
      client.on('error', () => {});
    }, churnMs);
  process.send({ready: true});
  process.on('message', async (message) => {
    await open(message.open, port);
    process.send({opened: message.open});
  });
});
process.on('disconnect', quit);
setTimeout(quit, 600000).unref();
`;

function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'));
    const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isFinite(soft) ? soft : 1024;
  } catch {
    return 1024;
  }
}

function clockTicks(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'});
  const ticks = Number(result.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

export const ticksPerSecond = process.platform === 'linux' ? clockTicks() : 100;

/**
 * CPU used so far by process `pid` and its children that it has waited for, in ms: utime, stime,
 * cutime and cstime of /proc/<pid>/stat (all its threads included).
 */
export function processCpuMs(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return (ticks * 1000) / ticksPerSecond;
}

/** CPU of reaped child processes so far, in ms. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function measure(run: () => unknown): Promise<Cost> {
  const cpu = ownCpuMs() + childrenCpuMs();
  const started = performance.now();
  await run();
  return {wallMs: performance.now() - started, cpuMs: ownCpuMs() + childrenCpuMs() - cpu};
}

async function median(times: number, run: () => unknown): Promise<Cost> {
  const costs: Cost[] = [];
  for (let i = 0; i < times; i++) costs.push(await measure(run));
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    wallMs: middle(costs.map((cost) => cost.wallMs)),
    cpuMs: middle(costs.map((cost) => cost.cpuMs)),
  };
}

function waitForMessage(child: ChildProcess, key: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`holder ${child.pid} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && key in message) {
        cleanup();
        resolve();
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`holder ${child.pid} exited early`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export type HolderOptions = {
  /** Send a byte down one connection every this many ms (0: the connections stay idle). */
  trickleMs?: number;
  /** Open and close one more connection every this many ms (0: none). */
  churnMs?: number;
};

export async function startHolders(
  pairs: number,
  options: HolderOptions = {},
): Promise<ChildProcess[]> {
  // Each pair costs its holder two descriptors; leave room for Node's own.
  const perHolder = Math.max(1, Math.floor((openFilesLimit() - 256) / 2));
  const holders: ChildProcess[] = [];
  for (let left = pairs; left > 0; left -= perHolder) {
    const count = Math.min(perHolder, left);
    holders.push(
      spawn(
        process.execPath,
        [
          '-e',
          holderSource,
          String(count),
          String(options.trickleMs ?? 0),
          String(options.churnMs ?? 0),
        ],
        {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      ),
    );
  }
  await Promise.all(holders.map((holder) => waitForMessage(holder, 'ready', 120_000)));
  return holders;
}

export async function stopHolders(holders: ChildProcess[]): Promise<void> {
  await Promise.all(
    holders.map(
      (holder) =>
        new Promise<void>((resolve) => {
          if (holder.exitCode !== null || holder.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            holder.kill('SIGKILL');
          }, 5000);
          holder.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          if (holder.connected) holder.disconnect();
          else holder.kill('SIGTERM');
        }),
    ),
  );
}

const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');

/** A /proc/net/tcp text of `rows` established loopback connections. */
function syntheticTable(rows: number): string {
  const lines = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  ];
  for (let i = 0; i < rows; i++) {
    const peer = (0x0100007f + ((i % 250) << 24)) >>> 0;
    lines.push(
      `${String(i).padStart(4)}: 0100007F:${hex(1024 + (i % 60_000), 4)} ${hex(peer, 8)}:${hex(
        30_000 + Math.floor(i / 60_000),
        4,
      )} 01 00000000:00000000 00:00000000 00000000  1000        0 ${100_000 + i} 1 0000000000000000 20 4 30 10 -1`,
    );
  }
  return lines.join('\n') + '\n';
}

function timeSync(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

function pureFigures(rows: number) {
  const text = Buffer.from(syntheticTable(rows), 'latin1');
  let sockets: Socket[] = [];
  const parseTimes: number[] = [];
  for (let i = 0; i < 7; i++)
    parseTimes.push(timeSync(() => (sockets = parseProcNet(text, 'tcp'))));
  parseTimes.sort((a, b) => a - b);

  const medianOf = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  // Each poll delivers fresh objects; two listings that differ in 1% of their connections.
  const again = sockets.map((socket) => ({...socket}));
  const churned = again.map((socket, index) =>
    index % 100 === 0 ? {...socket, peerPort: socket.peerPort + 1} : socket,
  );
  const first: number[] = [];
  const steady: number[] = [];
  const churn: number[] = [];
  for (let round = 0; round < 5; round++) {
    let tracker = trackSocketChanges(undefined, sockets, 0);
    first.push(timeSync(() => (tracker = trackSocketChanges(undefined, sockets, 0))));
    steady.push(timeSync(() => (tracker = trackSocketChanges(tracker, again, 1000))));
    churn.push(timeSync(() => (tracker = trackSocketChanges(tracker, churned, 2000))));
  }
  const trackFirstMs = medianOf(first);
  const trackSteadyMs = medianOf(steady);
  const trackChurnMs = medianOf(churn);
  return {
    parseRowsMs: parseTimes[Math.floor(parseTimes.length / 2)]!,
    trackFirstMs,
    trackSteadyMs,
    trackChurnMs,
  };
}

/** Spawns `ss -tuanHe` as a collector would (async, output collected); resolves with its size. */
function readSsList(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ss', ['-tuanHe'], {stdio: ['ignore', 'pipe', 'ignore']});
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.once('error', reject);
    child.once('close', () => resolve(bytes));
  });
}

function hasSs(): boolean {
  return spawnSync('ss', ['-V'], {stdio: 'ignore'}).status === 0;
}

export async function benchSockets(options: BenchSocketsOptions = {}): Promise<BenchSocketsResult> {
  const pairs = Math.max(1, Math.min(options.pairs ?? 5000, 50_000));
  const polls = Math.max(1, Math.min(options.polls ?? 10, 100));
  const rows = Math.max(1, Math.min(options.rows ?? 100_000, 1_000_000));
  const churnPairs = 20;
  const pure = pureFigures(rows);
  const si = await import('systeminformation');

  const holders = await startHolders(pairs);
  try {
    // Every poll reads the tables, as on a host whose counters move between polls (on a quiet
    // one, a poll whose counters stood still costs a fraction of a millisecond).
    const reader = createSocketsReader({restampMs: 0});
    let sockets = 0;
    const cold = await measure(async () => {
      sockets = (await reader.read()).sockets.length;
    });
    const steady = await median(polls, () => reader.read());
    const churnCosts: Cost[] = [];
    for (let i = 0; i < 3; i++) {
      const holder = holders[0]!;
      const opened = waitForMessage(holder, 'opened', 60_000);
      holder.send({open: churnPairs});
      await opened;
      churnCosts.push(await measure(() => reader.read()));
    }
    churnCosts.sort((a, b) => a.wallMs - b.wallMs);
    const churn = {...churnCosts[1]!, churnPairs};
    await si.networkConnections(); // load its helpers once before timing
    const systeminformation = await median(3, () => si.networkConnections());
    const ss = hasSs()
      ? await median(5, () => spawnSync('ss', ['-tanp'], {stdio: ['ignore', 'ignore', 'ignore']}))
      : undefined;
    const ssList = hasSs() ? await median(5, readSsList) : undefined;
    return {
      pairs,
      sockets,
      holders: holders.length,
      cold,
      steady,
      churn,
      systeminformation,
      ss,
      ssList,
      rows,
      ...pure,
    };
  } finally {
    await stopHolders(holders);
  }
}

export function printTable(result: BenchSocketsResult): void {
  const line = (name: string, cost: Cost | undefined, note = '') =>
    console.log(
      `${name.padEnd(34)}${cost ? cost.wallMs.toFixed(1).padStart(10) : '—'.padStart(10)}${
        cost ? cost.cpuMs.toFixed(1).padStart(10) : '—'.padStart(10)
      }  ${note}`,
    );
  const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '—');
  console.log(
    `sockets: ${result.sockets} (${result.pairs} loopback pairs in ${result.holders} process(es))`,
  );
  console.log(`${'per poll'.padEnd(34)}${'wall ms'.padStart(10)}${'cpu ms'.padStart(10)}`);
  line('porthole cold (empty owner cache)', result.cold);
  line('porthole steady (median)', result.steady);
  line(`porthole after ${result.churn.churnPairs} new pairs`, result.churn);
  line('systeminformation', result.systeminformation, 'networkConnections(), netstat child');
  line('ss -tanp', result.ss, 'subprocess, cpu = child');
  line('ss -tuanHe (list only, no owners)', result.ssList, 'vs porthole steady: no owner scan');
  console.log(
    `steady / ss: wall ${ratio(result.steady.wallMs, result.ss?.wallMs)}, cpu ${ratio(
      result.steady.cpuMs,
      result.ss?.cpuMs,
    )}   steady / systeminformation: wall ${ratio(
      result.steady.wallMs,
      result.systeminformation.wallMs,
    )}, cpu ${ratio(result.steady.cpuMs, result.systeminformation.cpuMs)}`,
  );
  console.log(`parse ${result.rows} /proc/net/tcp rows: ${result.parseRowsMs.toFixed(1)} ms`);
  console.log(
    `track ${result.rows} sockets: first ${result.trackFirstMs.toFixed(1)} ms, unchanged ${result.trackSteadyMs.toFixed(
      1,
    )} ms, 1% churn ${result.trackChurnMs.toFixed(1)} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pairs = process.argv[2] ? Number(process.argv[2]) : undefined;
  printTable(await benchSockets({pairs}));
}
