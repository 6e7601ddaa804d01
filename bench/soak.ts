/**
 * Soak: the dashboard for `--minutes` (default 10) at a `--interval` ms poll (default 100) while a
 * helper process opens and closes `--rate` loopback connections a second (default 500) and the
 * Request pane sends a request every second. Passes when the resident set at the end is within 10%
 * of the one after the first minute, the socket events list never grows past its cap and no
 * promise rejection goes unhandled. Exit code 0 only when all three pass.
 *
 * Run: npm run soak -- [--minutes N] [--interval MS] [--rate N] [--csv FILE]
 * (--csv writes one row a second: resident sets, events lengths, poll intervals).
 *
 * Two dashboards run side by side, fed by the same load, because neither alone can show all three
 * figures honestly without a hook in the product:
 * - the built bin (dist/cli.js) in a private tmux server: a real pseudo-terminal, real keys
 *   (`tmux send-keys`), the bundle a person runs. Its resident set is the one judged. Its Sockets
 *   pane is switched to the events view, so its own screen reports the events list's length, and a
 *   rejection it catches shows up there as an "internal error" notice.
 * - the same modules assembled in this process as cli.tsx assembles them (store, collectors,
 *   poller, request controller, <App/> rendered by Ink to a terminal-sized sink, keys written to
 *   Ink's stdin). Here the store and the process are in reach: the events list's length is read
 *   after every update and `unhandledRejection` is counted exactly. Its resident set (this process,
 *   tsx and the soak's bookkeeping included) is printed for reference only, next to its heap
 *   after a full collection once a minute ("heap kept": the leak signal without the garbage) and
 *   how late its event loop ran.
 * Only the twin can count rejections without changing the product: the bin turns them into an
 * 8-second footer notice, which a screen read every 2 s sees but cannot be relied on to count.
 *
 * The load lives in bench/soak-load.ts, a child process, so that its buffers and sockets are
 * not in either measured process; it exits by itself when this process goes away. Connections close
 * from the server side, so the TIME-WAIT rows the dashboards list accumulate as on a busy host; the
 * helper also opens and closes a few loopback listeners a second, since only listeners make events.
 */
import {execFile, fork, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import {trackSocketChanges} from '../source/collect/sockets/changes.js';
import type {Socket} from '../source/model.js';
import {createRequestController} from '../source/request/controller.js';
import {createPortholeStore, hostOf} from '../source/store/store.js';
import {createLocalFeed} from '../source/fleet/local-feed.js';
import {hostSink} from '../source/fleet/fleet.js';
import {createKeymap} from '../source/ui/keymap.js';
import {openRequest} from '../source/ui/request/request-actions.js';
import type {LoadReady, LoadStats} from './soak-load.js';
import {terminalSink} from './terminal-sink.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const columns = 120;
const rows = 40;
/** Allowed change of the resident set from minute 1 to the end. */
const rssTolerance = 0.1;
/**
 * Readings (one a second) whose median stands for "RSS after minute 1" (seconds 31-60) and "RSS
 * at the end" (the last 30): a busy V8 heap swings by tens of MiB between collections, in cycles
 * of about half a minute here, so one reading would judge the phase of that cycle, not a leak.
 */
const rssWindow = 30;

type Options = {minutes: number; intervalMs: number; rate: number; csv: string | undefined};

function parseOptions(argv: string[]): Options {
  const {values} = parseArgs({
    args: argv,
    options: {
      minutes: {type: 'string', default: '10'},
      interval: {type: 'string', default: '100'},
      rate: {type: 'string', default: '500'},
      csv: {type: 'string'},
    },
    strict: true,
  });
  const number = (text: string, name: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
  return {
    minutes: number(values.minutes, 'minutes', 2, 24 * 60),
    intervalMs: number(values.interval, 'interval', 100, 60_000),
    rate: number(values.rate, 'rate', 1, 5000),
    csv: values.csv,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(1));

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** VmRSS of a process in MiB, or undefined once it is gone. */
function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout) || 100;

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** The events list's cap, taken from the tracker itself: 600 listeners opening at once. */
function eventsCap(): number {
  const listener = (port: number): Socket => ({
    protocol: 'tcp',
    family: 4,
    state: 'LISTEN',
    localAddress: '127.0.0.1',
    localPort: port,
    peerAddress: '0.0.0.0',
    peerPort: 0,
    recvQ: 0,
    sendQ: 0,
    pid: null,
    process: null,
    exposure: 'loopback',
    inode: port,
  });
  const empty = trackSocketChanges(undefined, [], 0);
  const many = Array.from({length: 600}, (_, index) => listener(1000 + index));
  return trackSocketChanges(empty, many, 1).events.length;
}

/**
 * The twin's heap after a full collection, in MiB: what the process holds on to, without the
 * garbage a busy heap carries between collections. One full collection a minute is the only
 * thing the soak adds to the twin's own work.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
/** How late this process's timers run: a stalled event loop is what a person feels as lag. */
const loopDelay = monitorEventLoopDelay({resolution: 20});

function retainedHeapMiB(): number {
  // The collection stalls the loop on purpose: keep it out of the delay figures.
  loopDelay.disable();
  collectGarbage();
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  loopDelay.enable();
  return heap;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every started thing registers how to end it synchronously; every exit path runs it.

const cleanups: Array<() => void> = [];
function cleanUp() {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()?.();
    } catch {
      // Keep ending the rest.
    }
  }
}

/** Whether a process runs: an exited one may linger as a zombie until its parent reaps it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The load helper.

type Load = {
  ready: LoadReady;
  stats(): Promise<LoadStats | undefined>;
  exited(): boolean;
  stop(): Promise<void>;
};

async function startLoad(options: Options): Promise<Load> {
  const lifetimeMs = (options.minutes + 5) * 60_000;
  const child: ChildProcess = fork(
    path.join(root, 'bench/soak-load.ts'),
    [String(options.rate), '5', '2500', String(lifetimeMs)],
    {cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']},
  );
  child.on('error', () => {}); // a failed send shows as missing figures, not as a crash
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  const ready = await new Promise<LoadReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load helper did not start')), 30_000);
    child.once('exit', () => reject(new Error('the load helper exited while starting')));
    child.on('message', (message: LoadReady | LoadStats) => {
      if (message.kind !== 'ready') return;
      clearTimeout(timer);
      resolve(message);
    });
  });
  return {
    ready,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stats() {
      if (!child.connected) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(undefined), 5000);
        const onMessage = (message: LoadReady | LoadStats) => {
          if (message.kind === 'stats') finish(message);
        };
        const finish = (stats: LoadStats | undefined) => {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(stats);
        };
        child.on('message', onMessage);
        child.send({kind: 'stats'});
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The built bin in a private tmux server.

type Screen = {
  events: number | undefined;
  sockets: number | undefined;
  effectiveMs: number | undefined;
  internalError: string | undefined;
};

function parseScreen(text: string): Screen {
  const toMs = (value: string, unit: string) => Number(value) * (unit === 's' ? 1000 : 1);
  const every = /every ([\d.]+)(ms|s)(?:, stretched to ([\d.]+)(ms|s))?/.exec(text);
  const effectiveMs = every
    ? every[3] && every[4]
      ? toMs(every[3], every[4])
      : toMs(every[1]!, every[2]!)
    : undefined;
  const events = /(\d+) events?, newest first/.exec(text);
  const sockets = /(\d+) sockets/.exec(text);
  const internalError = /internal error \(kept running\)[^\n]*/.exec(text);
  return {
    events: events ? Number(events[1]) : undefined,
    sockets: sockets ? Number(sockets[1]) : undefined,
    effectiveMs,
    internalError: internalError?.[0].trim(),
  };
}

type TerminalDashboard = {
  pid: number;
  press(key: string): Promise<boolean>;
  screen(): Promise<string | undefined>;
  quit(): Promise<boolean>;
};

async function startTerminalDashboard(
  options: Options,
  url: string,
  home: string,
): Promise<TerminalDashboard> {
  const server = `porthole-soak-${process.pid}`;
  const tmux = (args: string[]) =>
    new Promise<string | undefined>((resolve) => {
      execFile('tmux', ['-L', server, ...args], {timeout: 5000}, (error, stdout) =>
        resolve(error ? undefined : stdout),
      );
    });
  const command = [
    'env',
    `XDG_STATE_HOME=${path.join(home, 'state')}`,
    `XDG_CONFIG_HOME=${path.join(home, 'config')}`,
    process.execPath,
    path.join(root, 'dist/cli.js'),
    '--interval',
    `${options.intervalMs}ms`,
    '--url',
    url,
  ];
  cleanups.push(() => {
    spawnSync('tmux', ['-L', server, 'kill-server'], {stdio: 'ignore', timeout: 5000});
    // tmux leaves its socket file behind; it is this soak's own, named after its pid.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, server), {force: true});
  });
  // A list of arguments is run without a shell; `env` execs node, so the pane's pid is porthole's.
  const started = spawnSync(
    'tmux',
    [
      ...['-L', server, '-f', '/dev/null', 'start-server', ';'],
      ...['set-option', '-g', 'remain-on-exit', 'on', ';'],
      ...['new-session', '-d', '-s', 'soak', '-x', String(columns), '-y', String(rows)],
      ...command,
    ],
    {encoding: 'utf8', timeout: 10_000},
  );
  if (started.status !== 0) {
    const reason = started.error?.message ?? started.stderr?.trim() ?? `status ${started.status}`;
    throw new Error(`tmux did not start: ${reason}`);
  }
  const pid = Number((await tmux(['display-message', '-p', '-t', 'soak', '#{pane_pid}']))?.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no pid for the dashboard in tmux');
  cleanups.push(() => {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
  });

  const dashboard: TerminalDashboard = {
    pid,
    press: async (key) => (await tmux(['send-keys', '-t', 'soak', key])) !== undefined,
    screen: () => tmux(['capture-pane', '-p', '-t', 'soak']),
    async quit() {
      await dashboard.press('q');
      for (let i = 0; i < 50 && alive(dashboard.pid); i++) await sleep(100);
      return !alive(dashboard.pid);
    },
  };

  // Wait for the first frame, then switch the Sockets pane to its events view and come back to
  // the Request pane (it has the focus when started with --url): Tab Tab e Tab.
  const waitFor = async (test: (text: string) => boolean, what: string) => {
    for (let i = 0; i < 100; i++) {
      const text = await dashboard.screen();
      if (text !== undefined && test(text)) return;
      await sleep(100);
    }
    throw new Error(`the dashboard in tmux did not show ${what}`);
  };
  await waitFor((text) => text.includes('▶ Request'), 'its first frame');
  for (const key of ['Tab', 'Tab', 'e', 'Tab']) {
    await dashboard.press(key);
    await sleep(200);
  }
  await waitFor(
    (text) => text.includes('newest first') && text.includes('▶ Request'),
    'the events view with the Request pane focused',
  );
  return dashboard;
}

// ---------------------------------------------------------------------------------------------
// The same dashboard assembled in this process.

type Twin = {
  press(key: string): void;
  observed: {
    maxEvents: number;
    events: number;
    newSockets: number;
    sockets: number;
    answered: number;
    failed: number;
    firstFailure: string | undefined;
    collectorErrors: number;
    firstCollectorError: string | undefined;
    frames: number;
    renderMs: number;
    outputBytes: number;
  };
  effectiveMs(): number;
  stop(): Promise<void>;
};

async function startTwin(options: Options, url: string, home: string): Promise<Twin> {
  // A terminal of the same size as the tmux window whose output is counted and dropped.
  const observed: Twin['observed'] = {
    maxEvents: 0,
    events: 0,
    newSockets: 0,
    sockets: 0,
    answered: 0,
    failed: 0,
    firstFailure: undefined,
    collectorErrors: 0,
    firstCollectorError: undefined,
    frames: 0,
    renderMs: 0,
    outputBytes: 0,
  };
  const {stdout, stdin, keys} = terminalSink(columns, rows, (chunk) => {
    observed.outputBytes += chunk.length;
  });

  // The bundle is built with process.env.NODE_ENV defined as "production", which selects React's
  // production build; the twin loads the same build. (React's development build retained about
  // 30 MiB more heap a minute here, which is not what a person runs.) Hence these late imports.
  process.env.NODE_ENV = 'production';
  const [{render}, {createElement}, {App}, {createTheme}] = await Promise.all([
    import('ink'),
    import('react'),
    import('../source/ui/app.js'),
    import('../source/ui/theme.js'),
  ]);

  const store = createPortholeStore({host: os.hostname(), intervalMs: options.intervalMs});
  const requests = createRequestController(store, {
    historyPath: path.join(home, 'state', 'porthole', 'history.jsonl'),
    copy: () => {},
  });
  openRequest(store, url);
  const poller = createLocalFeed({
    sink: hostSink(store, 'local'),
    intervalMs: options.intervalMs,
    onStretch: (effectiveIntervalMs) => store.setState({effectiveIntervalMs}),
  });

  const unsubscribe = store.subscribe((state, previous) => {
    const host = hostOf(state);
    const before = hostOf(previous);
    const tracker = host.socketChanges;
    if (tracker && tracker !== before.socketChanges) {
      observed.events = tracker.events.length;
      observed.maxEvents = Math.max(observed.maxEvents, tracker.events.length);
      observed.sockets = host.sockets.length;
      if (before.socketChanges) {
        for (const seen of tracker.listing.seen) if (seen === tracker.at) observed.newSockets++;
      }
    }
    const result = state.request.result;
    if (result && result !== previous.request.result) {
      if (result.response) observed.answered++;
      else {
        observed.failed++;
        observed.firstFailure ??= result.error?.message;
      }
    }
    for (const name of ['interfaces', 'traffic', 'sockets'] as const) {
      const health = host.health[name];
      if (health?.error !== undefined && health !== before.health[name]) {
        observed.collectorErrors++;
        observed.firstCollectorError ??= `${name}: ${health.error}`;
      }
    }
  });

  // As cli.tsx: the first frame waits briefly for the interfaces, not for the sockets.
  const first = poller.start();
  await Promise.race([first, sleep(20)]);
  const instance = render(
    createElement(App, {
      store,
      requests,
      keymap: createKeymap(),
      theme: createTheme(true),
    }),
    {
      stdout,
      stdin,
      exitOnCtrlC: false,
      maxFps: 20,
      patchConsole: false,
      onRender({renderTime}) {
        observed.frames++;
        observed.renderMs += renderTime;
      },
    },
  );
  void requests.loadHistory();
  await sleep(100); // Ink subscribes to input on its first effects
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    instance.unmount();
    void poller.stop();
    unsubscribe();
  };
  cleanups.push(stop);
  return {
    press: (key) => keys.write(key),
    observed,
    effectiveMs: () => store.getState().effectiveIntervalMs,
    async stop() {
      stop();
      await requests.settled();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The run.

type Minute = {
  minute: number;
  binRss: number | undefined;
  twinRss: number | undefined;
  twinHeap: number;
  opensPerSecond: number | undefined;
};

async function soak(options: Options): Promise<number> {
  let rejections = 0;
  let firstRejection: string | undefined;
  let uncaught = 0;
  let firstUncaught: string | undefined;
  const describe = (reason: unknown) =>
    reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.on('unhandledRejection', (reason) => {
    rejections++;
    firstRejection ??= describe(reason);
  });
  process.on('uncaughtException', (error) => {
    uncaught++;
    firstUncaught ??= describe(error);
  });

  if (!existsSync(path.join(root, 'dist/cli.js'))) {
    throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first');
  }
  const cap = eventsCap();
  const home = mkdtempSync(path.join(os.tmpdir(), 'porthole-soak-'));
  cleanups.push(() => rmSync(home, {recursive: true, force: true}));

  const load = await startLoad(options);
  const base = `http://127.0.0.1:${load.ready.httpPort}`;
  const bin = await startTerminalDashboard(options, `${base}/terminal`, path.join(home, 'bin'));
  const twin = await startTwin(options, `${base}/in-process`, path.join(home, 'twin'));
  console.log(
    `soak: ${options.minutes} min at ${options.intervalMs} ms, ${options.rate} connections/s; ` +
      `porthole pid ${bin.pid} in tmux, in-process twin pid ${process.pid}; events cap ${cap}`,
  );

  const startStats = await load.stats();
  const loadAverage = [os.loadavg()[0] ?? 0];
  loopDelay.enable();
  const binCpuStart = cpuSeconds(bin.pid) ?? 0;
  const twinCpuStart = process.cpuUsage();
  const binRss: number[] = [];
  const twinRss: number[] = [];
  const twinEffective: number[] = [];
  const binEffective: number[] = [];
  const minutes: Minute[] = [];
  let binSent = 0;
  let twinSent = 0;
  let binMaxEvents: number | undefined;
  let binEvents: number | undefined;
  let binSockets: number | undefined;
  let binNotices = 0;
  let lastNotice: string | undefined;
  let lastStats = startStats;
  let stoppedEarly: string | undefined;
  let lastScreen = '';
  const machineSockets: number[] = [];
  const samples = [
    'second,rss_mib,twin_rss_mib,twin_heap_used,twin_heap_total,twin_external,events,twin_events,sockets,interval_ms,twin_interval_ms',
  ];
  const startedAt = performance.now();

  for (let second = 1; second <= options.minutes * 60; second++) {
    await sleep(Math.max(0, startedAt + second * 1000 - performance.now()));
    if (interrupted) {
      stoppedEarly = 'interrupted';
      break;
    }
    if (!alive(bin.pid)) {
      stoppedEarly = `porthole (pid ${bin.pid}) exited at second ${second}`;
      break;
    }
    if (load.exited()) {
      stoppedEarly = `the load helper exited at second ${second}`;
      break;
    }
    twin.press('\r');
    twinSent++;
    if (await bin.press('Enter')) binSent++;
    const rssBin = rssMiB(bin.pid);
    const rssTwin = rssMiB(process.pid);
    if (rssBin !== undefined) binRss.push(rssBin);
    if (rssTwin !== undefined) twinRss.push(rssTwin);
    twinEffective.push(twin.effectiveMs());
    machineSockets.push(twin.observed.sockets); // 0 until its first socket reading

    if (second % 2 === 0) {
      const text = await bin.screen();
      if (text !== undefined) {
        lastScreen = text;
        const screen = parseScreen(text);
        if (screen.events !== undefined) {
          binEvents = screen.events;
          binMaxEvents = Math.max(binMaxEvents ?? 0, screen.events);
        }
        if (screen.sockets !== undefined) binSockets = screen.sockets;
        if (screen.effectiveMs !== undefined) binEffective.push(screen.effectiveMs);
        if (screen.internalError !== undefined && screen.internalError !== lastNotice) binNotices++;
        lastNotice = screen.internalError;
      }
    }

    const memory = process.memoryUsage();
    samples.push(
      [
        second,
        rssBin?.toFixed(1),
        rssTwin?.toFixed(1),
        ...[memory.heapUsed, memory.heapTotal, memory.external].map((bytes) =>
          (bytes / 1024 / 1024).toFixed(1),
        ),
        binEvents,
        twin.observed.events,
        twin.observed.sockets,
        binEffective.at(-1),
        twin.effectiveMs(),
      ].join(','),
    );

    if (second % 60 === 0) {
      const stats = await load.stats();
      const opensPerSecond =
        stats && lastStats
          ? ((stats.opened - lastStats.opened) * 1000) / (stats.elapsedMs - lastStats.elapsedMs)
          : undefined;
      lastStats = stats ?? lastStats;
      const minute = second / 60;
      const twinHeap = retainedHeapMiB();
      loadAverage.push(os.loadavg()[0] ?? 0);
      minutes.push({minute, binRss: rssBin, twinRss: rssTwin, twinHeap, opensPerSecond});
      const o = twin.observed;
      console.log(
        [
          `min ${String(minute).padStart(2)}`,
          `RSS ${mib(rssBin)} MiB (twin ${mib(rssTwin)}, heap kept ${mib(twinHeap)})`,
          `sockets ${binSockets ?? '—'} (twin ${o.sockets}, ${o.newSockets} appeared)`,
          `events ${binEvents ?? '—'}/${cap} (twin ${o.events}, max ${o.maxEvents})`,
          `requests ${binSent}/${stats?.answered['/terminal'] ?? '—'} (twin ${twinSent}/${o.answered})`,
          `interval ${median(binEffective.slice(-30)) ?? '—'} ms (twin ${twin.effectiveMs()})`,
          `churn ${opensPerSecond?.toFixed(0) ?? '—'}/s`,
          `rejections ${rejections}`,
        ].join(' · '),
      );
    }
  }

  // Final figures, then a clean shutdown of everything started.
  const endStats = await load.stats();
  const elapsedS = (performance.now() - startedAt) / 1000;
  const binCpu = ((cpuSeconds(bin.pid) ?? binCpuStart) - binCpuStart) / elapsedS;
  const twinCpuUsage = process.cpuUsage(twinCpuStart);
  const twinCpu = (twinCpuUsage.user + twinCpuUsage.system) / 1e6 / elapsedS;
  const binDiedScreen = alive(bin.pid) ? undefined : lastScreen;
  const binQuit = alive(bin.pid) ? await bin.quit() : false;
  await twin.stop();
  await load.stop();
  cleanUp();
  await sleep(50);
  if (options.csv) writeFileSync(options.csv, samples.join('\n') + '\n');

  // RSS after minute 1 and at the end: medians of `rssWindow` one-second readings (see there).
  const binFirst = median(binRss.slice(60 - rssWindow, 60));
  const binEnd = median(binRss.slice(-rssWindow));
  const twinFirst = median(twinRss.slice(60 - rssWindow, 60));
  const twinEnd = median(twinRss.slice(-rssWindow));
  const change = (from: number | undefined, to: number | undefined) =>
    from !== undefined && to !== undefined ? (to - from) / from : undefined;
  const binChange = change(binFirst, binEnd);
  const twinChange = change(twinFirst, twinEnd);
  const percent = (value: number | undefined) =>
    value === undefined ? '—' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
  const churn =
    endStats && startStats
      ? ((endStats.opened - startStats.opened) * 1000) / (endStats.elapsedMs - startStats.elapsedMs)
      : undefined;
  const o = twin.observed;

  const rssPass =
    stoppedEarly === undefined && binChange !== undefined && Math.abs(binChange) <= rssTolerance;
  const eventsPass = o.maxEvents <= cap && (binMaxEvents ?? 0) <= cap;
  const rejectionsPass = rejections === 0 && uncaught === 0 && binNotices === 0;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

  const row = (name: string, bin: string, twin: string) =>
    console.log(`${name.padEnd(40)}${bin.padEnd(32)}${twin}`);
  console.log('');
  row('', 'porthole (dist/cli.js, tmux)', 'in-process twin');
  row(`RSS after minute 1 (MiB, median ${rssWindow} s)`, mib(binFirst), mib(twinFirst));
  row(`RSS at end (MiB, median ${rssWindow} s)`, mib(binEnd), mib(twinEnd));
  row('RSS change', percent(binChange), `${percent(twinChange)} (reference only)`);
  const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : undefined);
  const min = (values: number[]) => (values.length > 0 ? Math.min(...values) : undefined);
  const read = (values: number[]) => values.filter((count) => count > 0);
  row('RSS max (MiB)', mib(max(binRss)), mib(max(twinRss)));
  const heapFirst = minutes[0]?.twinHeap;
  const heapEnd = minutes.at(-1)?.twinHeap;
  row(
    'heap kept after full GC (MiB)',
    '—',
    `${mib(heapFirst)} -> ${mib(heapEnd)} (${percent(change(heapFirst, heapEnd))}; not judged)`,
  );
  row(
    'events length max / cap',
    `${binMaxEvents ?? '—'} / ${cap} (from its screen)`,
    `${o.maxEvents} / ${cap} (end ${o.events})`,
  );
  row(
    'requests sent / answered',
    `${binSent} / ${endStats?.answered['/terminal'] ?? '—'} (server count)`,
    `${twinSent} / ${o.answered} (${o.failed} failed, server ${endStats?.answered['/in-process'] ?? '—'})`,
  );
  row(
    'unhandled rejections',
    `${binNotices} internal-error notices seen`,
    `${rejections} (uncaught exceptions ${uncaught})`,
  );
  row(
    'poll interval, median / max (ms)',
    `${median(binEffective) ?? '—'} / ${max(binEffective) ?? '—'}`,
    `${median(twinEffective) ?? '—'} / ${max(twinEffective) ?? '—'}`,
  );
  row(
    'sockets listed at end',
    String(binSockets ?? '—'),
    `${o.sockets} (${o.newSockets} appeared during the run)`,
  );
  row(
    'CPU, share of one core',
    `${(binCpu * 100).toFixed(1)}%`,
    `${(twinCpu * 100).toFixed(1)}% (with the soak itself)`,
  );
  row(
    'frames / avg render',
    '—',
    `${o.frames} / ${(o.renderMs / Math.max(1, o.frames)).toFixed(1)} ms`,
  );
  const delayMs = (ns: number) => (ns / 1e6).toFixed(0);
  row(
    'event loop delay p99 / max (ms)',
    '—',
    `${delayMs(loopDelay.percentile(99))} / ${delayMs(loopDelay.max)}`,
  );
  row('collector errors', '—', String(o.collectorErrors));
  row('quit on q', binQuit ? 'yes' : 'no', '—');
  console.log(
    `machine: sockets ${min(read(machineSockets)) ?? '—'}-${max(read(machineSockets)) ?? '—'}, ` +
      `load average ${loadAverage.map((value) => value.toFixed(1)).join(' ')} (start, each minute)`,
  );
  console.log(
    `connection churn: ${churn?.toFixed(1) ?? '—'} opens/s achieved (asked ${options.rate}), ` +
      `${endStats ? endStats.opened - (startStats?.opened ?? 0) : '—'} opened, ` +
      `${endStats?.failed ?? '—'} failed${endStats?.firstError ? ` (${endStats.firstError})` : ''}; ` +
      `listeners opened ${endStats?.listenersOpened ?? '—'}`,
  );
  for (const minute of minutes) {
    console.log(
      `  minute ${String(minute.minute).padStart(2)}: RSS ${mib(minute.binRss)} MiB ` +
        `(twin ${mib(minute.twinRss)}, heap kept ${mib(minute.twinHeap)}), ` +
        `churn ${minute.opensPerSecond?.toFixed(0) ?? '—'}/s`,
    );
  }
  if (firstRejection) console.log(`first unhandled rejection: ${firstRejection}`);
  if (firstUncaught) console.log(`first uncaught exception: ${firstUncaught}`);
  if (o.firstCollectorError) console.log(`first collector error (twin): ${o.firstCollectorError}`);
  if (o.firstFailure) console.log(`first failed request (twin): ${o.firstFailure}`);
  if (lastNotice) console.log(`porthole notice: ${lastNotice}`);
  if (stoppedEarly) console.log(`stopped early: ${stoppedEarly}`);
  if (binDiedScreen) console.log(`porthole's last screen:\n${binDiedScreen.trimEnd()}`);
  console.log('');
  console.log(
    `${verdict(rssPass)}  RSS at end within ${rssTolerance * 100}% of RSS after minute 1 (porthole)`,
  );
  // Every socket on the machine is a row the dashboards hold: RSS follows the machine's count.
  const socketsFirst = median(read(machineSockets.slice(60 - rssWindow, 60)));
  const socketsEnd = median(read(machineSockets.slice(-rssWindow)));
  if (socketsFirst && socketsEnd && Math.abs(socketsEnd - socketsFirst) / socketsFirst > 0.25) {
    console.log(
      `      not like for like: sockets on this machine went from ${socketsFirst} ` +
        `(minute 1) to ${socketsEnd} (end); something else opened or closed connections`,
    );
  }
  console.log(`${verdict(eventsPass)}  events list never beyond its cap of ${cap}`);
  console.log(`${verdict(rejectionsPass)}  no unhandled rejection`);
  if (interrupted) return 130;
  return rssPass && eventsPass && rejectionsPass ? 0 : 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      // A second signal: stop waiting for the figures.
      cleanUp();
      process.exit(130);
    }
    interrupted = true;
    console.log(`\n${signal}: stopping; cleaning up`);
  });
}
process.on('exit', cleanUp);

try {
  process.exitCode = await soak(parseOptions(process.argv.slice(2)));
} catch (error) {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  cleanUp();
}
// Ink or a socket left behind must not keep the soak from ending.
setTimeout(() => process.exit(), 1000).unref();
