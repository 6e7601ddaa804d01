/**
 * Whole-program figures, each beside its peer in the same run:
 * - start-up: time to the first painted frame of the dashboard in a pseudo-terminal, against
 *   `node -e 0` started the same way;
 * - a whole `porthole --json` run (Node start-up included) against a whole `ss -tanp` run;
 * - the dashboard's resident memory with 10k and 100k sockets on the machine, and how fast it
 *   answers a key (a row move in the all-states view) while polling them.
 *
 * Run: node --import tsx bench/dashboard.ts   (after npm run build)
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {processCpuMs, startHolders, stopHolders} from './sockets.js';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist/cli.js');
const env = {...process.env, CI: 'false', TERM: 'xterm-256color'};

export type Spread = {median: number; p90: number; p99: number; runs: number};

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
  return {median: at(0.5), p90: at(0.9), p99: at(0.99), runs: values.length};
}

/** Milliseconds from spawning `command` under a pseudo-terminal until its output shows `marker`. */
function timeToOutput(command: string, marker: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let seen = '';
    let done = false;
    const finish = (ms: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(ms);
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${marker ?? 'exit'} from ${command} within 10 s`));
    }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (marker && seen.includes(marker)) finish(performance.now() - started);
    });
    child.once('exit', () => finish(performance.now() - started));
  });
}

/** The single executable for this machine (npm run build writes it), where there is one. */
export const executable = path.join(root, `dist/porthole-linux-${process.arch}`);
const hasExecutable = process.platform === 'linux' && existsSync(executable);

export type StartUp = {
  firstFrame: Spread;
  /** The single file with no code cache of its own yet: its first run, or a disk it cannot write. */
  firstRun: Spread;
  executable: Spread | undefined;
  nodeBare: Spread;
};

export async function startUp(runs = 10): Promise<StartUp> {
  const frames: number[] = [];
  const uncached: number[] = [];
  const single: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await timeToOutput(`${process.execPath} -e 0`, undefined));
    // The first frame is painted when the pane titles are on screen.
    frames.push(await timeToOutput(`${process.execPath} ${cli}`, 'Addresses'));
    uncached.push(
      await timeToOutput(`env PORTHOLE_NO_CODE_CACHE=1 ${process.execPath} ${cli}`, 'Addresses'),
    );
    if (hasExecutable) single.push(await timeToOutput(executable, 'Addresses'));
  }
  return {
    firstFrame: spread(frames),
    firstRun: spread(uncached),
    executable: hasExecutable ? spread(single) : undefined,
    nodeBare: spread(bare),
  };
}

function timeRun(file: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(file, args, {env, stdio: ['ignore', 'ignore', 'ignore']});
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/**
 * The least a Node program does to list every socket with its owner: start, read the four tables,
 * follow every fd link of every process, one after another, and print nothing. Not porthole: a
 * floor for figure 4, to tell what porthole adds from what Node and /proc cost.
 */
const nodeFloor = `
const fs = require('node:fs');
for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) fs.readFileSync('/proc/net/' + table);
for (const pid of fs.readdirSync('/proc')) {
  if (!/^[0-9]+$/.test(pid)) continue;
  let fds = [];
  try { fds = fs.readdirSync('/proc/' + pid + '/fd'); } catch {}
  for (const fd of fds) try { fs.readlinkSync('/proc/' + pid + '/fd/' + fd); } catch {}
}`;

export type JsonRun = {
  porthole: Spread;
  executable: Spread | undefined;
  ss: Spread;
  nodeFloor: Spread;
};

export function jsonRun(runs = 10): JsonRun {
  const porthole: number[] = [];
  const single: number[] = [];
  const ss: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < runs; run++) {
    ss.push(timeRun('ss', ['-tanp']));
    porthole.push(timeRun(process.execPath, [cli, '--json']));
    if (hasExecutable) single.push(timeRun(executable, ['--json']));
    floor.push(timeRun(process.execPath, ['-e', nodeFloor]));
  }
  return {
    porthole: spread(porthole),
    executable: hasExecutable ? spread(single) : undefined,
    ss: spread(ss),
    nodeFloor: spread(floor),
  };
}

/** The dashboard running in a private tmux server, so it has a real terminal. */
let dashboards = 0;

class Dashboard {
  /** A tmux server of its own: one that is shutting down refuses new sessions. */
  readonly socket = `porthole-bench-${process.pid}-${++dashboards}`;
  private readonly scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-bench-'));
  private readonly tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {encoding: 'utf8'});

  start(args: string): void {
    this.run('bench', `env CI=false TERM=xterm-256color ${process.execPath} ${cli} ${args}`);
  }

  /** Runs `command` in its own 160x50 session of this tmux server; its pid is `pidOf(name)`. */
  run(name: string, command: string): void {
    const pidFile = path.join(this.scratch, `${name}.pid`);
    this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '160',
      '-y',
      '50',
      'sh',
      '-c',
      `echo $$ > ${pidFile}; exec ${command}`,
    );
  }

  pidOf(name: string): number {
    return Number(readFileSync(path.join(this.scratch, `${name}.pid`), 'utf8').trim());
  }

  pid(): number {
    return this.pidOf('bench');
  }

  rssMiB(): number {
    const status = readFileSync(`/proc/${this.pid()}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  }

  screen(name = 'bench'): string {
    return this.tmux('capture-pane', '-p', '-t', name);
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', 'bench', ...names);
  }

  async waitFor(
    test: (screen: string) => boolean,
    timeoutMs = 60_000,
    name = 'bench',
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen(name);
      if (test(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`dashboard never showed what was expected:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.scratch, {recursive: true, force: true});
  }
}

/** The selected row (drawn in inverse) is the only line tmux shows with the `7m` attribute. */
function selectedLine(dashboard: Dashboard): string {
  const escaped = execFileSync(
    'tmux',
    ['-L', dashboard.socket, 'capture-pane', '-p', '-e', '-t', 'bench'],
    {encoding: 'utf8'},
  );
  // eslint-disable-next-line no-control-regex
  return escaped.split('\n').find((line) => /\u001B\[[\d;]*7m/.test(line)) ?? dashboard.screen();
}

export type Load = {
  sockets: number;
  rssMiB: number;
  rssPeakMiB: number;
  keyLatency: Spread;
  pollMsNote: string;
};

async function keyLatency(dashboard: Dashboard, presses: number): Promise<Spread> {
  const latencies: number[] = [];
  for (let press = 0; press < presses; press++) {
    const before = selectedLine(dashboard);
    const started = performance.now();
    dashboard.keys(press % 2 === 0 ? 'j' : 'k');
    for (;;) {
      if (selectedLine(dashboard) !== before) break;
      if (performance.now() - started > 10_000) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 200));
  }
  return spread(latencies);
}

/**
 * Opens `pairs` loopback connection pairs, runs the dashboard on them, and measures it: `presses`
 * key presses, 150-350 ms apart, so that about one in four lands while a poll is being taken in.
 */
export async function underLoad(pairs: number, intervalMs = 1000, presses = 100): Promise<Load> {
  const holders = await startHolders(pairs);
  const dashboard = new Dashboard();
  try {
    dashboard.start(`--interval ${intervalMs}ms --all`);
    const header = await dashboard.waitFor((screen) => {
      const sockets = Number(/\/ (\d+) sockets/.exec(screen)?.[1] ?? 0);
      return sockets >= pairs * 2;
    }, 120_000);
    const sockets = Number(/\/ (\d+) sockets/.exec(header)?.[1] ?? 0);
    dashboard.keys('Tab');
    await new Promise((resolve) => setTimeout(resolve, intervalMs * 5));
    const latency = await keyLatency(dashboard, presses);
    // RSS swings with each poll's transient arrays: the median of 20 samples over 10 s, and the peak.
    const samples: number[] = [];
    for (let sample = 0; sample < 20; sample++) {
      samples.push(dashboard.rssMiB());
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const rss = spread(samples);
    const rssMiB = rss.median;
    const rssPeakMiB = Math.max(...samples);
    const stretched = /stretched to (\S+)/.exec(dashboard.screen())?.[1];
    return {
      sockets,
      rssMiB,
      rssPeakMiB,
      keyLatency: latency,
      pollMsNote: stretched ? `interval stretched to ${stretched}` : 'interval kept',
    };
  } finally {
    dashboard.stop();
    await stopHolders(holders);
  }
}

export type CpuSideBySide = {
  seconds: number;
  /** CPU in ms over the window: the dashboard's own and its peer's (with its reaped children). */
  portholeMs: number;
  peerMs: number;
  /** The dashboard's resident memory at the end of the window. */
  rssMiB: number;
  sockets: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The dashboard and a peer tool running side by side in real terminals for the same `seconds`,
 * after both have painted and settled: what each cost in CPU over that window.
 */
async function cpuSideBySide(
  dashboardArgs: string,
  peer: string,
  peerPainted: (screen: string) => boolean,
  minSockets: number,
  seconds: number,
  settleMs: number,
): Promise<CpuSideBySide> {
  const dashboard = new Dashboard();
  try {
    dashboard.start(dashboardArgs);
    dashboard.run('peer', peer);
    const header = await dashboard.waitFor(
      (screen) => Number(/\/ (\d+) sockets/.exec(screen)?.[1] ?? -1) >= minSockets,
      120_000,
    );
    await dashboard.waitFor(peerPainted, 30_000, 'peer');
    await sleep(settleMs); // past start-up and the owner scan's first rounds
    const porthole = dashboard.pid();
    const other = dashboard.pidOf('peer');
    const before = [processCpuMs(porthole), processCpuMs(other)] as const;
    await sleep(seconds * 1000);
    const after = [processCpuMs(porthole), processCpuMs(other)] as const;
    return {
      seconds,
      portholeMs: after[0] - before[0],
      peerMs: after[1] - before[1],
      rssMiB: dashboard.rssMiB(),
      sockets: Number(/\/ (\d+) sockets/.exec(header)?.[1] ?? 0),
    };
  } finally {
    dashboard.stop();
  }
}

/**
 * A quiet host: the dashboard at a 1 s interval against `htop -d 10` (also 1 s), same 30 s, once
 * both have run for a minute: what leaving them open costs. (In its first minute the dashboard
 * also fills its minute graphs, a frame a second for 16 s, and V8 shrinks the heap start-up left,
 * a few collections some 25 s in; start-up has its own figure.)
 */
export function idleCost(seconds = 30, settleMs = 60_000): Promise<CpuSideBySide> {
  return cpuSideBySide(
    '--interval 1s',
    'env TERM=xterm-256color htop -d 10',
    (screen) => /Load average|Tasks:/.test(screen),
    0,
    seconds,
    settleMs,
  );
}

/**
 * Watching a host with `pairs` loopback connection pairs held open: the dashboard showing all
 * sockets at a 1 s interval against `watch -n 1 ss -tanp`, same 20 s. With `churn`, a byte goes
 * down one of the connections every 50 ms and one more connection is opened and closed every
 * 100 ms, so the socket list and the kernel's counters change between any two polls (without, the
 * connections are idle and the dashboard's polls find the counters unmoved).
 */
export async function busyCost(
  pairs: number,
  churn: boolean,
  seconds = 20,
  settleMs = 5000,
): Promise<CpuSideBySide> {
  const holders = await startHolders(pairs, churn ? {trickleMs: 50, churnMs: 100} : {});
  try {
    return await cpuSideBySide(
      '--interval 1s --all',
      'watch -n 1 ss -tanp',
      (screen) => screen.includes('ESTAB'),
      pairs * 2,
      seconds,
      settleMs,
    );
  } finally {
    await stopHolders(holders);
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  process.argv[2] === 'key'
) {
  // Figure 7 alone: node --import tsx bench/dashboard.ts key [PAIRS] [PRESSES]  (after npm run build)
  const load = await underLoad(
    Number(process.argv[3] ?? 50_000),
    1000,
    Number(process.argv[4] ?? 100),
  );
  const {median, p90, p99, runs} = load.keyLatency;
  console.log(
    `7 key to screen, ${load.sockets} sockets, ${runs} presses: ${median.toFixed(0)} ms median, ` +
      `${p90.toFixed(0)} ms p90, ${p99.toFixed(0)} ms p99 (${load.pollMsNote}); p99 < 50 ms: ` +
      `${p99 < 50 ? 'met' : 'not met'}; RSS ${load.rssMiB.toFixed(0)} MiB median, ${load.rssPeakMiB.toFixed(0)} MiB peak`,
  );
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const start = await startUp();
  console.log('start-up', start);
  console.log('json run', jsonRun());
  console.log('10k', await underLoad(5000));
}
