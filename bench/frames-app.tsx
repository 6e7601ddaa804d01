/**
 * The dashboard's frames alone: <App/> as cli.tsx renders it, bundled as dist/porthole.mjs is
 * (bench/frames.ts builds this file with the same options), drawn to a terminal-sized sink from a
 * store of `sockets` synthetic sockets, all shown. Each frame, `churn` sockets are replaced and the
 * traffic numbers move, written in one go as the poller writes a tick. Prints one JSON line: CPU
 * and young-generation collections per frame, medians over the measured frames.
 *
 * No /proc, no network: the same frames on any machine, to weigh changes to the render path.
 */
import os from 'node:os';
import {PerformanceObserver, constants} from 'node:perf_hooks';
import {render} from 'ink';
import {App} from '../source/ui/app.js';
import {tuneHeapForDashboard} from '../source/ui/heap.js';
import {applyHostPatch, createPortholeStore, hostOf} from '../source/store/store.js';
import {socketChangesOf} from '../source/collect/collectors.js';
import {createRequestController} from '../source/request/controller.js';
import {createKeymap} from '../source/ui/keymap.js';
import {createTheme} from '../source/ui/theme.js';
import {trackSocketChanges} from '../source/collect/sockets/changes.js';
import {nextTraffic} from '../source/collect/traffic.js';
import type {InterfaceCounters, NetworkInterface, Socket} from '../source/model.js';
import {terminalSink} from './terminal-sink.js';

const [socketCount = 10_000, churn = 20, frames = 60, columns = 160, rows = 50] = process.argv
  .slice(2)
  .map(Number);

tuneHeapForDashboard(); // as the dashboard does at start

const interfaces: NetworkInterface[] = [
  {
    name: 'eth0',
    up: true,
    mac: '02:00:00:00:00:01',
    mtu: 1500,
    speed: 1000,
    defaultRoute: true,
    addresses: [{address: '192.0.2.2', family: 4, prefixLength: 24, kind: 'reserved'}],
  },
  {
    name: 'lo',
    up: true,
    mac: null,
    mtu: 65536,
    speed: null,
    defaultRoute: false,
    addresses: [{address: '127.0.0.1', family: 4, prefixLength: 8, kind: 'loopback'}],
  },
];

let nextPort = 0;
function connection(): Socket {
  const port = 20_000 + (nextPort++ % 40_000);
  return {
    protocol: 'tcp',
    family: 4,
    state: 'ESTAB',
    localAddress: '127.0.0.1',
    localPort: port,
    peerAddress: '127.0.0.1',
    peerPort: 8080,
    recvQ: 0,
    sendQ: 0,
    pid: 4121,
    process: 'node',
    exposure: 'loopback',
    inode: 100_000 + nextPort,
  };
}

let sockets: Socket[] = Array.from({length: socketCount}, connection);
const store = createPortholeStore({
  host: os.hostname(),
  intervalMs: 1000,
  interfaces,
  focus: 'sockets',
  socketsView: {showAll: true},
});
let tracker = trackSocketChanges(undefined, sockets, Date.now());
let counters = new Map<string, InterfaceCounters>(interfaces.map((i) => [i.name, {rx: 0, tx: 0}]));
let last = {at: performance.now(), counters};
applyHostPatch(store, 'local', {
  sockets: tracker.listing.sockets,
  socketChanges: socketChangesOf(tracker),
  socketSource: 'proc',
  traffic: {},
});

/** One poll's worth of change, written as the poller writes a tick: together. */
function tick(): void {
  // Closed connections leave their places in the kernel's hash order and new ones take others:
  // `churn` sockets spread over the list are replaced.
  sockets = sockets.slice();
  for (let n = 0; n < churn; n++) {
    sockets[Math.floor(((n + Math.random()) * sockets.length) / churn)] = connection();
  }
  tracker = trackSocketChanges(tracker, sockets, Date.now());
  counters = new Map(
    [...counters].map(([name, count]) => [name, {rx: count.rx + 1500, tx: count.tx + 900}]),
  );
  const sample = {at: performance.now(), counters};
  const traffic = nextTraffic(hostOf(store.getState()).traffic, last, sample, 60);
  last = sample;
  applyHostPatch(store, 'local', {traffic});
  applyHostPatch(store, 'local', {
    sockets: tracker.listing.sockets,
    socketChanges: socketChangesOf(tracker),
  });
}

let rendered: () => void = () => {};
const {stdout, stdin} = terminalSink(columns, rows);

let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const detail = (entry as {detail?: {kind?: number}}).detail;
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  }
}).observe({entryTypes: ['gc']});

const instance = render(
  <App
    store={store}
    requests={createRequestController(store, {historyPath: null, copy: () => {}})}
    keymap={createKeymap()}
    theme={createTheme(true)}
  />,
  {stdout, stdin, exitOnCtrlC: false, maxFps: 20, patchConsole: false, onRender: () => rendered()},
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const cpu: number[] = [];
const collections: number[] = [];
const warmup = 20;
for (let frame = 0; frame < warmup + frames; frame++) {
  await sleep(60); // past Ink's frame-rate cap, so each tick is drawn at once
  const painted = new Promise<void>((resolve) => (rendered = resolve));
  const [startCpu, startScavenges] = [cpuMs(), scavenges];
  tick();
  await painted;
  await sleep(0); // the effects React runs after the commit
  if (frame < warmup) continue;
  cpu.push(cpuMs() - startCpu);
  collections.push(scavenges - startScavenges);
}
instance.unmount();
console.log(
  JSON.stringify({
    sockets: socketCount,
    churn,
    frames,
    size: `${columns}x${rows}`,
    cpuMs: median(cpu),
    scavenges: collections.reduce((sum, n) => sum + n, 0) / collections.length,
  }),
);
process.exit(0);
