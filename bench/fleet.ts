/**
 * Figure 10, the fleet: 10 SSH hosts (network namespaces joined by veth pairs, each with its own
 * sshd and ~1,000 sockets held open), read every second by porthole's two methods — the shell
 * feed (remote-feed.ts: the script a poll) and the stream feed (stream-feed.ts: porthole's own
 * reader running on the host with Node, a line a reading) — beside a person's `ssh HOST ss -tuanp`
 * once a second per host, over the same multiplexed masters, in the same run: windows of each mode
 * in turns (shell, node, peer, floor, then the other way round, … so drift on a shared machine
 * falls on all).
 *
 * Run: node --import tsx bench/fleet.ts [seconds per mode] (root, sshd, ssh and `ip netns`).
 *
 * What is counted, per mode:
 * - CPU here: this process (`process.cpuUsage()`, the feeds' spawning, parsing and tracking), the
 *   ssh commands it started (reaped before each sample is taken, so they are in the cutime/cstime
 *   of /proc/self/stat), and the ssh masters (still running, so their own utime+stime). Samples are
 *   taken only while no command is in flight, so nothing is counted both live and reaped. For the
 *   peer the line is drawn twice: its ssh processes alone (what a shell running the loop would
 *   add is not counted: kinder to the peer), and with this process's own spawning and reading.
 * - CPU on the hosts: utime+stime+cutime+cstime of every process whose network namespace is a
 *   host's (the sshd sessions reap each command's shell, sed, ls, gzip or ss, so those are in the
 *   session's cutime).
 * - Bytes: rx+tx of this machine's end of each host's veth (the wire: SSH, TCP and IP included),
 *   per completed poll per host.
 * - Poll time (porthole): in each round (the nth poll of every host), first start to last end,
 *   beside the slowest host's own poll in that round. A streamed reading's start is its arrival
 *   less the time the read took on the host (the link's one-way time, under a millisecond on a
 *   veth, is not in it); the stream stays between its windows, paused, as in the dashboard.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {createRemoteFeed} from '../source/fleet/remote-feed.js';
import {createStreamFeed} from '../source/fleet/stream-feed.js';
import {remoteCommand, remoteScript, remoteScriptPlain} from '../source/fleet/remote-script.js';
import {createSshConnection, makeControlDir, type SshConnection} from '../source/fleet/ssh.js';
import {commandArgs, parseSshTarget, type SshSettings} from '../source/fleet/ssh-args.js';
import type {HostFeed, HostPatch, RemoteRunner} from '../source/fleet/types.js';
import {createTestFleet, type TestFleet, type TestHost} from '../test/helpers/ssh-hosts.js';
import {processCpuMs, ticksPerSecond} from './sockets.js';

export type FleetMode = {
  /** Completed polls over all hosts. */
  polls: number;
  /** Wall time of the mode's windows, s. */
  seconds: number;
  /** CPU here: this process + ssh processes, ms. */
  hereMs: number;
  /** Of hereMs, the ssh processes (commands and masters), ms. */
  sshMs: number;
  hostMs: number;
  /** Wire bytes per poll per host. */
  bytesPerPoll: number;
};

export type FleetResult = {
  hosts: number;
  /** Sockets one host's listing had (the last porthole poll of host 0). */
  sockets: number;
  /** The shell method (remote-feed.ts). */
  porthole: FleetMode;
  /** The stream method (stream-feed.ts): porthole's reader on the host, with Node. */
  node: FleetMode;
  peer: FleetMode;
  /** `ssh HOST true` the same way: what any command over the master costs, whatever it runs. */
  floor: FleetMode;
  /** Porthole polls that failed (none expected). */
  failures: number;
  /** Per round: first start to last end, and the slowest host's poll, ms (medians and worst). */
  roundMs: {median: number; p90: number};
  slowestMs: {median: number; p90: number};
  /** Host CPU of one run on host 0 alone (mean of several), ms: where a poll's cost on a host goes. */
  parts: {name: string; hostMs: number; bytes: number}[];
  /** Median over rounds of round / slowest. */
  roundRatio: number;
  rounds: number;
  /** The same for the stream method. */
  nodeRounds: {
    roundMs: {median: number; p90: number};
    slowestMs: {median: number; p90: number};
    roundRatio: number;
    rounds: number;
  };
  /** Node readings that failed (a stream down; none expected). */
  nodeFailures: number;
};

// Holds ~2 × pairs loopback sockets open in a host's namespace, plus a few listeners; ends when its
// stdin closes (the bench ending, by any path) or after 10 minutes.
const holderSource = `
const net = require('node:net');
const dgram = require('node:dgram');
const pairs = Number(process.argv[2]);
const kept = [];
const server = net.createServer((socket) => { kept.push(socket); socket.resume(); });
for (let i = 0; i < 3; i++) {
  const extra = net.createServer(() => {});
  extra.listen(0, i === 0 ? '0.0.0.0' : '127.0.0.1');
  kept.push(extra);
  const udp = dgram.createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  kept.push(udp);
}
function quit() {
  for (const socket of kept) if (socket.resetAndDestroy) socket.resetAndDestroy();
  process.exit(0);
}
server.listen(0, '127.0.0.1', 1024, async () => {
  const port = server.address().port;
  for (let done = 0; done < pairs; ) {
    const batch = Math.min(100, pairs - done);
    await Promise.all(Array.from({length: batch}, () => new Promise((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1', resolve);
      client.once('error', reject);
      kept.push(client);
    })));
    done += batch;
  }
  console.log('ready');
});
process.stdin.on('end', quit);
process.stdin.on('error', quit);
process.stdin.resume();
setTimeout(quit, 600000).unref();
`;

/** Spawns a long-running child; resolves once `ready` is in its output. */
function startChild(
  file: string,
  args: string[],
  ready: string,
  what: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {stdio: ['pipe', 'pipe', 'pipe']});
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start: ${seen.trim().slice(-300)}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      if (seen.length < 16_384) seen += chunk.toString('utf8');
      if (seen.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${seen.trim().slice(-300)}`));
    });
  });
}

/** The first child of `pid` (`unshare --fork` runs its command as one). */
async function firstChild(pid: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (text !== '') return Number(text.split(' ')[0]);
    await sleep(10);
  }
  throw new Error(`no child of ${pid}`);
}

/**
 * A host of its own: the test host's namespace shares this machine's process table, so an owner
 * scan there (ss -p as much as porthole's) would walk every process of this machine — tens of
 * thousands of fds on a busy one. Each host gets a second sshd, on port 2222, in a PID namespace
 * with its own /proc, and the socket holder inside it: the host's /proc holds its sshd, its
 * sessions and its holder, as a machine of its own would.
 */
async function ownHost(
  fleet: TestFleet,
  index: number,
  pairs: number,
  holderFile: string,
): Promise<{sshd: ChildProcess; holder: ChildProcess}> {
  const host = fleet.hosts[index]!;
  const sshd = await startChild(
    'ip',
    [
      'netns',
      'exec',
      host.ns,
      'unshare',
      '--pid',
      '--fork',
      '--mount-proc',
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-o',
      `Port=${port}`,
      '-f',
      path.join(fleet.dir, `sshd${index}.conf`),
    ],
    'Server listening',
    `sshd of ${host.name}`,
  );
  const inside = await firstChild(sshd.pid!);
  const holder = await startChild(
    'nsenter',
    ['-t', String(inside), '-p', '-m', '-n', '--', process.execPath, holderFile, String(pairs)],
    'ready',
    `socket holder of ${host.name}`,
  );
  return {sshd, holder};
}

/** An ssh_config and known_hosts for the hosts' second sshd (port 2222). */
function ownConfig(fleet: TestFleet): string {
  const knownHosts = path.join(fleet.dir, 'known_hosts_own');
  fs.writeFileSync(
    knownHosts,
    fleet.hosts.map((host) => `[${host.address}]:${port} ${host.hostKey}\n`).join(''),
  );
  const config = path.join(fleet.dir, 'ssh_config_own');
  fs.writeFileSync(
    config,
    fs
      .readFileSync(fleet.sshConfig, 'utf8')
      .replaceAll('  Port 22\n', `  Port ${port}\n`)
      .replaceAll(fleet.knownHosts, knownHosts),
  );
  return config;
}

const port = 2222;

/** The inode naming a namespace, as /proc/PID/ns/net links show it (`net:[INODE]`). */
function namespaceLink(ns: string): string {
  return `net:[${fs.statSync(`/run/netns/${ns}`).ino}]`;
}

/** CPU of every process in the given namespaces (their reaped children included), ms. */
function namespacesCpuMs(links: Set<string>): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!links.has(fs.readlinkSync(`/proc/${entry}/ns/net`))) continue;
      total += processCpuMs(Number(entry));
    } catch {
      // ended meanwhile: its time is in its parent's cutime
    }
  }
  return total;
}

/** The ssh processes this process started that still run (the masters, between windows), ms. */
function liveSshCpuMs(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm !== 'ssh' || Number(fields[1]) !== process.pid) continue;
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** Reaped children's CPU (cutime + cstime of /proc/self/stat), ms. */
function reapedCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function wireBytes(hosts: TestHost[]): number {
  let total = 0;
  for (const host of hosts) {
    for (const side of ['rx_bytes', 'tx_bytes']) {
      total += Number(fs.readFileSync(`/sys/class/net/${host.veth}/statistics/${side}`, 'utf8'));
    }
  }
  return total;
}

type Sample = {own: number; ssh: number; host: number; bytes: number; at: number};

function sample(hosts: TestHost[], links: Set<string>): Sample {
  return {
    own: ownCpuMs(),
    ssh: reapedCpuMs() + liveSshCpuMs(),
    host: namespacesCpuMs(links),
    bytes: wireBytes(hosts),
    at: performance.now(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** One host's `ssh HOST ss -tuanp` once a second until `until`, never overlapping; counts polls. */
async function peerLoop(
  host: TestHost,
  settings: SshSettings,
  command: string,
  until: number,
  seen: {polls: number; lines: number},
): Promise<void> {
  const args = commandArgs(parseSshTarget(host.name), settings, command);
  while (performance.now() < until) {
    const started = performance.now();
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn('ssh', args, {stdio: ['ignore', 'pipe', 'pipe']});
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`ssh ${host.name} ${command}: exit ${code}: ${stderr.trim()}`)),
      );
    });
    seen.lines += text.split('\n').length;
    seen.polls++;
    const left = Math.max(0, 1000 - (performance.now() - started));
    if (performance.now() + left >= until) break;
    await sleep(left);
  }
}

type PollTime = {start: number; end: number; window: number};

export async function fleetCost(
  options: {hosts?: number; pairs?: number; seconds?: number; windowSeconds?: number} = {},
): Promise<FleetResult> {
  const count = options.hosts ?? 10;
  const pairs = options.pairs ?? 500;
  const seconds = options.seconds ?? 20;
  const windowSeconds = options.windowSeconds ?? 10;
  const windows = Math.max(2, Math.round(seconds / windowSeconds));

  let fleet: TestFleet | undefined;
  const holders: ChildProcess[] = [];
  const connections: SshConnection[] = [];
  let controlDir: string | undefined;
  const feeds: HostFeed[] = [];
  const nodeFeeds: HostFeed[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await Promise.allSettled([...feeds, ...nodeFeeds].map((feed) => feed.stop()));
    await Promise.allSettled(connections.map((connection) => connection.close()));
    for (const holder of holders) {
      holder.stdin?.end();
      if (holder.pid !== undefined && holder.exitCode === null) holder.kill('SIGKILL');
    }
    if (controlDir) fs.rmSync(controlDir, {recursive: true, force: true});
    await fleet?.cleanup();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);

  try {
    fleet = await createTestFleet(count);
    const hosts = fleet.hosts;
    const holderFile = path.join(fleet.dir, 'holder.cjs');
    fs.writeFileSync(holderFile, holderSource);
    for (let index = 0; index < count; index++) {
      const own = await ownHost(fleet, index, pairs, holderFile);
      holders.push(own.holder, own.sshd);
    }
    const links = new Set(hosts.map((host) => namespaceLink(host.ns)));
    controlDir = await makeControlDir();
    const settings: SshSettings = {configFile: ownConfig(fleet), controlDir};
    for (const host of hosts)
      connections.push(createSshConnection(parseSshTarget(host.name), settings));
    await Promise.all(connections.map((connection) => connection.connect()));

    // The feeds, each with its own runner that records when its polls run; the connection is not
    // closed by a feed stopping (the peer uses the same masters).
    const times: PollTime[][] = hosts.map(() => []);
    let recording = false;
    /** Which porthole window a poll ran in: a round never spans two. */
    let window = 0;
    const last: (HostPatch | undefined)[] = hosts.map(() => undefined);
    let sockets = 0;
    let failures = 0;
    hosts.forEach((_, index) => {
      const connection = connections[index]!;
      const runner: RemoteRunner & {connect(): Promise<void>; readonly up: boolean} = {
        async run(command, runOptions) {
          const start = performance.now();
          const output = await connection.run(command, runOptions);
          if (recording) times[index]!.push({start, end: performance.now(), window});
          return output;
        },
        connect: () => connection.connect(),
        get up() {
          return connection.up;
        },
      };
      feeds.push(
        createRemoteFeed({
          id: hosts[index]!.name,
          runner,
          sink: (patch) => {
            last[index] = patch;
            if (index === 0 && patch.sockets) sockets = patch.sockets.length;
            if (patch.status?.state === 'down' && recording) failures++;
            if (patch.status?.state === 'down') {
              console.error(`  ${hosts[index]!.name}: ${patch.status.error}`);
            }
          },
          intervalMs: 1000,
          // The dashboard's default is 5 s; a loaded machine can take longer, and a poll that
          // fails would be counted as cost without a reading.
          timeoutMs: 15_000,
        }),
      );
    });
    // The stream feeds over the same masters (which they do not close).
    const nodeTimes: PollTime[][] = hosts.map(() => []);
    let nodeRecording = false;
    let nodeWindow = 0;
    let nodeFailures = 0;
    hosts.forEach((host, index) => {
      const connection = connections[index]!;
      nodeFeeds.push(
        createStreamFeed({
          id: host.name,
          connection: {
            connect: () => connection.connect(),
            spawnCommand: (command) => connection.spawnCommand(command),
            get up() {
              return connection.up;
            },
          },
          sink: (patch) => {
            if (patch.status?.state === 'down') {
              if (nodeRecording) nodeFailures++;
              console.error(`  ${host.name} (node): ${patch.status.error}`);
            }
          },
          onReading: (hostMs) => {
            const end = performance.now();
            if (nodeRecording)
              nodeTimes[index]!.push({start: end - hostMs, end, window: nodeWindow});
          },
          intervalMs: 1000,
        }),
      );
    });
    // Warm every way up (first reads, owner lists, JIT) before any window counts.
    await Promise.all([...feeds, ...nodeFeeds].map((feed) => feed.start()));
    await sleep(2000);
    await pauseAll([...feeds, ...nodeFeeds]);
    const warm = {polls: 0, lines: 0};
    const warmUntil = performance.now() + 2000;
    await Promise.all(hosts.map((host) => peerLoop(host, settings, 'ss -tuanp', warmUntil, warm)));

    const empty = () => ({polls: 0, seconds: 0, hereMs: 0, sshMs: 0, hostMs: 0, bytes: 0});
    const modes = {porthole: empty(), node: empty(), peer: empty(), floor: empty()};
    const order: (keyof typeof modes)[] = [];
    for (let index = 0; index < windows; index++) {
      order.push(
        ...(index % 2 === 0
          ? (['porthole', 'node', 'peer', 'floor'] as const)
          : (['floor', 'peer', 'node', 'porthole'] as const)),
      );
    }
    for (const mode of order) {
      const before = sample(hosts, links);
      let polls: number;
      if (mode === 'porthole') {
        const counts = times.map((list) => list.length);
        recording = true;
        window++;
        for (const feed of feeds) feed.control({paused: false});
        await sleep(windowSeconds * 1000);
        await pauseAll(feeds);
        recording = false;
        polls = times.reduce((sum, list, index) => sum + list.length - counts[index]!, 0);
      } else if (mode === 'node') {
        const counts = nodeTimes.map((list) => list.length);
        nodeRecording = true;
        nodeWindow++;
        for (const feed of nodeFeeds) feed.control({paused: false});
        await sleep(windowSeconds * 1000);
        await pauseAll(nodeFeeds);
        nodeRecording = false;
        polls = nodeTimes.reduce((sum, list, index) => sum + list.length - counts[index]!, 0);
      } else {
        const seen = {polls: 0, lines: 0};
        const until = performance.now() + windowSeconds * 1000;
        await Promise.all(
          hosts.map((host) =>
            peerLoop(host, settings, mode === 'peer' ? 'ss -tuanp' : 'true', until, seen),
          ),
        );
        polls = seen.polls;
      }
      const after = sample(hosts, links);
      const into = modes[mode];
      into.polls += polls;
      into.seconds += (after.at - before.at) / 1000;
      into.sshMs += after.ssh - before.ssh;
      into.hereMs += after.own - before.own + after.ssh - before.ssh;
      into.hostMs += after.host - before.host;
      into.bytes += after.bytes - before.bytes;
      console.log(
        `  ${mode.padEnd(8)} ${polls} polls in ${((after.at - before.at) / 1000).toFixed(1)} s: ` +
          `here ${(after.own - before.own + after.ssh - before.ssh).toFixed(0)} ms ` +
          `(ssh ${(after.ssh - before.ssh).toFixed(0)}), hosts ${(after.host - before.host).toFixed(0)} ms, ` +
          `${((after.bytes - before.bytes) / Math.max(1, polls)).toFixed(0)} B/poll`,
      );
    }

    const shellRounds = roundsOf(times, window);
    const streamRounds = roundsOf(nodeTimes, nodeWindow);
    const parts = await profileParts(connections[0]!, new Set([namespaceLink(hosts[0]!.ns)]));
    const finish = (mode: (typeof modes)['porthole']): FleetMode => ({
      polls: mode.polls,
      seconds: mode.seconds,
      hereMs: mode.hereMs,
      sshMs: mode.sshMs,
      hostMs: mode.hostMs,
      bytesPerPoll: mode.bytes / Math.max(1, mode.polls),
    });
    return {
      hosts: count,
      sockets,
      porthole: finish(modes.porthole),
      node: finish(modes.node),
      peer: finish(modes.peer),
      floor: finish(modes.floor),
      failures,
      ...shellRounds,
      nodeRounds: streamRounds,
      nodeFailures,
      parts,
    };
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
  }
}

/** Rounds: the nth poll of every host in a window (all start together when a window opens). */
function roundsOf(times: PollTime[][], windows: number): FleetResult['nodeRounds'] {
  const roundMs: number[] = [];
  const slowestMs: number[] = [];
  const ratios: number[] = [];
  for (let each = 1; each <= windows; each++) {
    const lists = times.map((list) => list.filter((poll) => poll.window === each));
    const rounds = Math.min(...lists.map((list) => list.length));
    for (let round = 0; round < rounds; round++) {
      const polls = lists.map((list) => list[round]!);
      const span =
        Math.max(...polls.map((poll) => poll.end)) - Math.min(...polls.map((poll) => poll.start));
      const slowest = Math.max(...polls.map((poll) => poll.end - poll.start));
      roundMs.push(span);
      slowestMs.push(slowest);
      ratios.push(span / slowest);
    }
  }
  return {
    roundMs: {median: quantile(roundMs, 0.5), p90: quantile(roundMs, 0.9)},
    slowestMs: {median: quantile(slowestMs, 0.5), p90: quantile(slowestMs, 0.9)},
    roundRatio: quantile(ratios, 0.5),
    rounds: roundMs.length,
  };
}

/**
 * The poll's parts, each run alone over host 0's master while nothing else polls: the whole script
 * (gzip and plain), the script without its owners part, the owners part alone, `ss -tuanp`, and
 * `true` (the session's own cost, in every line).
 */
async function profileParts(
  connection: SshConnection,
  links: Set<string>,
): Promise<{name: string; hostMs: number; bytes: number}[]> {
  const owners = /\nO='((?:[^']|'"'"')*)'\n/.exec(remoteScriptPlain)?.[1];
  const variants: [string, string][] = [
    ['`true`', 'true'],
    ['`ss -tuanp`', 'ss -tuanp'],
    ['script, gzip', remoteCommand(remoteScript)],
    ['script, plain', remoteCommand(remoteScriptPlain)],
  ];
  if (owners !== undefined) {
    variants.push(
      ['script, plain, no owners', remoteCommand(remoteScriptPlain.replace(owners, 'echo "d 0"'))],
      ['owners part alone', remoteCommand(owners.replaceAll(`'"'"'`, "'"))],
    );
  }
  const runs = 5;
  const found: {name: string; hostMs: number; bytes: number}[] = [];
  for (const [name, command] of variants) {
    await connection.run(command, {timeoutMs: 30_000});
    const before = namespacesCpuMs(links);
    let bytes = 0;
    for (let run = 0; run < runs; run++) {
      bytes += (await connection.run(command, {timeoutMs: 30_000})).stdout.length;
    }
    found.push({name, hostMs: (namespacesCpuMs(links) - before) / runs, bytes: bytes / runs});
  }
  return found;
}

/** Pauses every feed and waits for polls in flight to end. */
async function pauseAll(feeds: HostFeed[]): Promise<void> {
  for (const feed of feeds) feed.control({paused: true});
  const releases = await Promise.all(feeds.map((feed) => feed.quiet()));
  for (const release of releases) release();
}

/** One line: how many polls each mode took in how long, and failed polls. */
export function fleetSummary(result: FleetResult): string {
  const mode = (name: string, value: FleetMode) =>
    `${name} ${value.polls} polls in ${value.seconds.toFixed(1)} s`;
  const floorHere = result.floor.sshMs / Math.max(1, result.floor.polls);
  const floorHost = result.floor.hostMs / Math.max(1, result.floor.polls);
  return (
    `fleet: ${mode('porthole sh', result.porthole)}, ${mode('porthole node', result.node)}, ` +
    `${mode('peer', result.peer)}, ${mode('ssh HOST true', result.floor)}; ` +
    `${result.failures} sh polls and ${result.nodeFailures} node streams failed\n` +
    `ssh HOST true per poll of a host: ${floorHere.toFixed(0)} ms CPU here, ` +
    `${floorHost.toFixed(0)} ms on the host\n` +
    `one host alone, CPU there per run (and output bytes): ` +
    result.parts
      .map((part) => `${part.name} ${part.hostMs.toFixed(0)} ms (${Math.round(part.bytes)} B)`)
      .join(', ')
  );
}

/**
 * The README rows for figure 10: each cost per poll (per reading) of one host, each of porthole's
 * methods beside the peer: the stream with the host's Node (`node`) and the script a poll (`sh`).
 */
export function fleetRows(result: FleetResult): string[][] {
  const ms = (value: number) =>
    `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
  const bytes = (value: number) => `${Math.round(value).toLocaleString('en-US')} B`;
  const times = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '—');
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const {porthole, node, peer} = result;
  const per = (mode: FleetMode, value: number) => value / Math.max(1, mode.polls);
  // The peer's CPU here is its ssh processes alone: what a shell running the loop adds is not counted.
  const herePeer = per(peer, peer.sshMs);
  const hostPeer = per(peer, peer.hostMs);
  const peerName = '`ssh HOST ss -tuanp`';
  const methods = [
    ['node', node, result.nodeRounds],
    ['sh', porthole, result],
  ] as const;
  const rows: string[][] = [];
  for (const [name, mode] of methods) {
    const here = per(mode, mode.hereMs);
    rows.push([
      name === 'node'
        ? `10 ${result.hosts} SSH hosts, ~${result.sockets.toLocaleString('en-US')} sockets each, 1 s polls: CPU here per poll of a host, node`
        : '10 the same, sh',
      `${ms(here)} (ssh ${ms(per(mode, mode.sshMs))})`,
      `${peerName}: ${ms(herePeer)}`,
      times(here, herePeer),
      `≤ 0.5x: ${verdict(here <= herePeer / 2)}`,
    ]);
  }
  for (const [name, mode] of methods) {
    const host = per(mode, mode.hostMs);
    rows.push([
      `10 the same: CPU on the host per poll, ${name}`,
      ms(host),
      `${peerName}: ${ms(hostPeer)}`,
      times(host, hostPeer),
      `≤ 0.5x: ${verdict(host <= hostPeer / 2)}`,
    ]);
  }
  for (const [name, mode] of methods) {
    rows.push([
      `10 the same: bytes on the wire per poll of a host, ${name}`,
      bytes(mode.bytesPerPoll),
      `${peerName}: ${bytes(peer.bytesPerPoll)}`,
      times(mode.bytesPerPoll, peer.bytesPerPoll),
      `≤ 0.5x: ${verdict(mode.bytesPerPoll <= peer.bytesPerPoll / 2)}`,
    ]);
  }
  for (const [name, , rounds] of methods) {
    rows.push([
      `10 the same: a round of ${result.hosts} polls (${rounds.rounds} rounds), ${name}`,
      `${ms(rounds.roundMs.median)} median, ${ms(rounds.roundMs.p90)} p90`,
      `slowest host's poll: ${ms(rounds.slowestMs.median)}`,
      `${rounds.roundRatio.toFixed(2)}x`,
      `≤ 1.1x: ${verdict(rounds.roundRatio <= 1.1)}`,
    ]);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = process.argv[2] ? Number(process.argv[2]) : undefined;
  const result = await fleetCost({seconds});
  console.log(fleetSummary(result));
  console.log(
    fleetRows(result)
      .map((row) => `| ${row.join(' | ')} |`)
      .join('\n'),
  );
}
