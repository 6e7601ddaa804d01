/**
 * Real SSH hosts for the fleet tests: each one a network namespace joined to this machine by a
 * veth pair (a /30 from 198.18.0.0/15), with its own sshd and two HTTP listeners (one on
 * 127.0.0.1 inside the namespace only, one on 0.0.0.0). Keys, configs and known_hosts live in a
 * temp dir; `cleanup` ends only the processes inside the namespaces it made, deletes them and
 * the dir, and is safe on a half-made fleet and when called twice.
 */
import {execFile, execFileSync, spawn, spawnSync} from 'node:child_process';
import type {ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type TestHost = {
  /** ssh_config alias, e.g. `ph-a1b2c3-0`. */
  name: string;
  ns: string;
  /** The namespace's veth address, 198.18.X.2 (this machine's side is `hostAddress`). */
  address: string;
  hostAddress: string;
  /** This machine's end of the veth pair. */
  veth: string;
  /** An HTTP listener on 127.0.0.1 inside the namespace only; answers `loopback NAME`. */
  loopbackPort: number;
  /** An HTTP listener on 0.0.0.0 inside the namespace; answers `all NAME`. */
  allPort: number;
  /** The line the login shell prints before every command's output, if the host has one. */
  banner: string | undefined;
  /** The host's public key line (`ssh-ed25519 AAAA…`) as known_hosts holds it. */
  hostKey: string;
  /** Runs a command inside the namespace (`ip netns exec`). */
  exec(command: string[]): Promise<{stdout: string; stderr: string; code: number | null}>;
  /** Stops the listening sshd (sessions already open stay, as with a service stop) unless `sessions`. */
  stopSshd(options?: {sessions?: boolean}): Promise<void>;
  startSshd(): Promise<void>;
  /**
   * Drops the link: the namespace's end goes down, so this machine's end loses carrier and packets
   * to the host vanish (as with a pulled cable). Taking this machine's end down instead would
   * remove its route and send the packets towards the default gateway.
   */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  /** netem delay on this machine's veth end; undefined clears it. Throws unless `canDelay`. */
  delay(ms: number | undefined): Promise<void>;
};

export type TestFleet = {
  hosts: TestHost[];
  /** An ssh_config naming every host (alias, HostName, User root, Port 22, the test's key and known_hosts). */
  sshConfig: string;
  /** Temp dir with keys, configs and known_hosts. */
  dir: string;
  /** The client's private key and the known_hosts file the config names. */
  identityFile: string;
  knownHosts: string;
  cleanup(): Promise<void>;
};

function canMake(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!fs.existsSync('/usr/sbin/sshd')) return false;
  for (const tool of ['ssh', 'ssh-keygen']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'}).status !== 0) return false;
  }
  return spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0;
}

/** Root, `ip` with namespaces, sshd and the ssh client: else the tests skip. */
export const canMakeHosts: boolean = canMake();
/**
 * Whether `delay` works: it needs the kernel's netem qdisc, which some kernels are built without
 * (tests of delay skip then; linkDown still works).
 */
export const canDelay: boolean = canMakeHosts && probeNetem();

function probeNetem(): boolean {
  const name = `phq${process.pid % 100_000}`;
  if (
    spawnSync('ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]).status !== 0
  ) {
    return false;
  }
  const status = spawnSync('tc', [
    'qdisc',
    'add',
    'dev',
    name,
    'root',
    'netem',
    'delay',
    '1ms',
  ]).status;
  spawnSync('ip', ['link', 'delete', name]);
  return status === 0;
}

export const cannotMakeHostsReason = canMakeHosts
  ? ''
  : 'needs root, `ip netns`, /usr/sbin/sshd, ssh and ssh-keygen';

type Run = {stdout: string; stderr: string; code: number | null};

function run(file: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {encoding: 'utf8', timeout: 15_000},
      (error, stdout, stderr) => {
        const code =
          error === null
            ? 0
            : typeof error.code === 'number'
              ? error.code
              : (child.exitCode ?? null);
        resolve({stdout, stderr, code});
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function must(file: string, args: string[]): Promise<string> {
  const result = await run(file, args);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Held /24s of 198.18.0.0/15: a lock file each, made with O_EXCL so parallel test files never share one. */
const lockDir = path.join(os.tmpdir(), 'porthole-test-nets');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what test processes that died before their cleanup left (a worker killed mid-run): each
 * lock whose owner is gone, the namespace it names with whatever still runs in it, and its dir.
 */
export function sweepStaleHosts(): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(lockDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const lock = path.join(lockDir, entry);
    let text: string;
    try {
      text = fs.readFileSync(lock, 'utf8');
    } catch {
      continue;
    }
    // Empty: another process is writing the lock it just made.
    if (text.trim() === '') continue;
    const [pidText, ns, dir] = text.trim().split(' ');
    const owner = Number(pidText);
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    if (ns !== undefined && /^ph-[0-9a-f]{6}-\d+$/.test(ns)) {
      killAll(namespacePids(ns));
      spawnSync('ip', ['netns', 'delete', ns], {stdio: 'ignore'});
    }
    if (
      dir !== undefined &&
      path.dirname(dir) === os.tmpdir() &&
      /^ph-[0-9a-f]{6}-/.test(path.basename(dir))
    ) {
      fs.rmSync(dir, {recursive: true, force: true});
    }
    fs.rmSync(lock, {force: true});
  }
}

/** Claims a /24 of 198.18.0.0/15 for namespace `ns`. */
function claimSubnet(inUse: Set<string>, ns: string, dir: string): {third: string; lock: string} {
  fs.mkdirSync(lockDir, {recursive: true});
  for (let attempt = 0; attempt < 200; attempt++) {
    const second = 18 + (attempt % 2);
    const third = `198.${second}.${randomBytes(1)[0]!}`;
    if (inUse.has(third)) continue;
    const lock = path.join(lockDir, third);
    try {
      fs.writeFileSync(lock, `${process.pid} ${ns} ${dir}`, {flag: 'wx'});
      return {third, lock};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error('no free /24 in 198.18.0.0/15 for a test host');
}

/** The /24s of 198.18.0.0/15 this machine already has an address in. */
function subnetsInUse(): Set<string> {
  const out = spawnSync('ip', ['-4', '-o', 'addr', 'show'], {encoding: 'utf8'}).stdout ?? '';
  const used = new Set<string>();
  for (const match of out.matchAll(/inet (198\.1[89]\.\d+)\.\d+/g)) used.add(match[1]!);
  return used;
}

const listenerScript = `
const http = require('node:http');
const [host, label] = process.argv.slice(1);
const server = http.createServer((request, response) => {
  response.writeHead(200, {'content-type': 'text/plain'});
  response.end(label + '\\n');
});
server.listen(0, host, () => console.log(String(server.address().port)));
`;

/** Spawns a long-running child; resolves once `ready` matches its output (stdout or stderr). */
function startChild(
  file: string,
  args: string[],
  ready: RegExp,
  what: string,
): Promise<{child: ChildProcess; match: RegExpMatchArray}> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe']});
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start: ${seen.trim().slice(-400)}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      if (seen.length < 16_384) seen += chunk.toString('utf8');
      const match = ready.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({child, match});
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${seen.trim().slice(-400)}`));
    });
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Every pid inside a namespace: all of them were started by the fleet that made it. */
function namespacePids(ns: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', ns], {encoding: 'utf8'}).stdout ?? '';
  return out
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
}

function commandName(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

type Made = {namespaces: string[]; veths: string[]; locks: string[]; dir: string; done: boolean};

/** Removes what a fleet made, synchronously (also used from the exit hook). */
function removeSync(made: Made): void {
  if (made.done) return;
  made.done = true;
  for (const ns of made.namespaces) {
    killAll(namespacePids(ns));
    spawnSync('ip', ['netns', 'delete', ns], {stdio: 'ignore'});
  }
  // A namespace goes (and its veth with it) only once its last process has been reaped; deleting
  // this machine's end takes the pair away at once.
  for (const veth of made.veths) spawnSync('ip', ['link', 'delete', veth], {stdio: 'ignore'});
  for (const lock of made.locks) fs.rmSync(lock, {force: true});
  fs.rmSync(made.dir, {recursive: true, force: true});
}

const live = new Set<Made>();
let exitHooked = false;

function sshdConfig(dir: string, index: number, address: string): string {
  return [
    `ListenAddress ${address}`,
    'Port 22',
    `HostKey ${dir}/host${index}`,
    `AuthorizedKeysFile ${dir}/authorized_keys${index}`,
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'MaxSessions 64',
    'MaxStartups 64',
    // bash reads ~/.bashrc for a command over ssh only at shell level 1; this machine's root
    // ~/.bashrc is the machine's, not the test host's, and would add its start-up to every command.
    'SetEnv SHLVL=1',
    '',
  ].join('\n');
}

/** Makes `count` hosts; `banner[i]` makes host i's login shell print a line before every command. */
export async function createTestFleet(
  count: number,
  options: {banner?: boolean[]} = {},
): Promise<TestFleet> {
  if (!canMakeHosts) throw new Error(`cannot make test hosts: ${cannotMakeHostsReason}`);
  const suffix = randomBytes(3).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ph-${suffix}-`));
  const made: Made = {namespaces: [], veths: [], locks: [], dir, done: false};
  live.add(made);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const fleet of live) removeSync(fleet);
    });
  }
  const sshd = new Map<number, ChildProcess>();
  const cleanup = async (): Promise<void> => {
    live.delete(made);
    const exits = [...sshd.values()].map(waitExit);
    removeSync(made);
    await Promise.all(exits);
  };
  try {
    fs.mkdirSync('/run/sshd', {recursive: true});
    const identityFile = path.join(dir, 'id');
    const knownHosts = path.join(dir, 'known_hosts');
    const keygens = [
      must('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        'porthole-test',
        '-f',
        identityFile,
      ]),
      ...Array.from({length: count}, (_, index) =>
        must('ssh-keygen', [
          '-q',
          '-t',
          'ed25519',
          '-N',
          '',
          '-C',
          '',
          '-f',
          `${dir}/host${index}`,
        ]),
      ),
    ];
    sweepStaleHosts();
    const inUse = subnetsInUse();
    const nets = Array.from({length: count}, (_, index) => {
      const net = claimSubnet(inUse, `ph-${suffix}-${index}`, dir);
      made.locks.push(net.lock);
      inUse.add(net.third);
      return net;
    });
    await Promise.all(keygens);
    const clientKey = fs.readFileSync(`${identityFile}.pub`, 'utf8').trim();

    const hosts = await Promise.all(
      nets.map(async ({third}, index): Promise<TestHost> => {
        const name = `ph-${suffix}-${index}`;
        const ns = name;
        const veth = `ph${suffix}h${index}`;
        const peer = `ph${suffix}n${index}`;
        const hostAddress = `${third}.1`;
        const address = `${third}.2`;
        const banner = options.banner?.[index] ? `WELCOME to ${name}` : undefined;
        const hostKey = fs
          .readFileSync(`${dir}/host${index}.pub`, 'utf8')
          .trim()
          .split(' ')
          .slice(0, 2)
          .join(' ');
        const forced = banner
          ? `command="echo ${banner}; exec /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\"" `
          : '';
        fs.writeFileSync(`${dir}/authorized_keys${index}`, `${forced}${clientKey}\n`);
        const config = `${dir}/sshd${index}.conf`;
        fs.writeFileSync(config, sshdConfig(dir, index, address));

        await must('ip', ['netns', 'add', ns]);
        made.namespaces.push(ns);
        await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer, 'netns', ns]);
        made.veths.push(veth);
        await Promise.all([
          must('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', veth]),
          must('ip', ['-n', ns, 'addr', 'add', `${address}/30`, 'dev', peer]),
          must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']),
        ]);
        await Promise.all([
          must('ip', ['link', 'set', veth, 'up']),
          must('ip', ['-n', ns, 'link', 'set', peer, 'up']),
        ]);
        await must('ip', ['-n', ns, 'route', 'add', 'default', 'via', hostAddress]);

        const startSshd = async (): Promise<void> => {
          const running = sshd.get(index);
          if (running && running.exitCode === null && running.signalCode === null) return;
          const {child} = await startChild(
            'ip',
            ['netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-e', '-f', config],
            /Server listening on/,
            `sshd of ${name}`,
          );
          sshd.set(index, child);
        };
        const listener = async (bind: string, label: string): Promise<number> => {
          const {match} = await startChild(
            'ip',
            ['netns', 'exec', ns, process.execPath, '-e', listenerScript, bind, `${label} ${name}`],
            /^(\d+)\n/m,
            `listener of ${name}`,
          );
          return Number(match[1]);
        };
        const [, loopbackPort, allPort] = await Promise.all([
          startSshd(),
          listener('127.0.0.1', 'loopback'),
          listener('0.0.0.0', 'all'),
        ]);

        return {
          name,
          ns,
          address,
          hostAddress,
          veth,
          loopbackPort,
          allPort,
          banner,
          hostKey,
          exec: (command) => run('ip', ['netns', 'exec', ns, ...command]),
          async stopSshd(stopOptions = {}) {
            const child = sshd.get(index);
            if (child) {
              child.kill('SIGTERM');
              await waitExit(child);
              sshd.delete(index);
            }
            if (stopOptions.sessions) {
              killAll(namespacePids(ns).filter((pid) => commandName(pid) === 'sshd'));
            }
          },
          startSshd,
          async linkDown() {
            await must('ip', ['-n', ns, 'link', 'set', peer, 'down']);
          },
          async linkUp() {
            await must('ip', ['-n', ns, 'link', 'set', peer, 'up']);
            await must('ip', ['-n', ns, 'route', 'replace', 'default', 'via', hostAddress]);
          },
          async delay(ms) {
            if (!canDelay) throw new Error('delay needs the netem qdisc, which this kernel lacks');
            if (ms === undefined) {
              await run('tc', ['qdisc', 'del', 'dev', veth, 'root']);
            } else {
              await must('tc', [
                'qdisc',
                'replace',
                'dev',
                veth,
                'root',
                'netem',
                'delay',
                `${ms}ms`,
              ]);
            }
          },
        };
      }),
    );

    fs.writeFileSync(knownHosts, hosts.map((host) => `${host.address} ${host.hostKey}\n`).join(''));
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(
      sshConfig,
      hosts
        .map((host) =>
          [
            `Host ${host.name}`,
            `  HostName ${host.address}`,
            '  User root',
            '  Port 22',
            `  IdentityFile ${identityFile}`,
            '  IdentitiesOnly yes',
            `  UserKnownHostsFile ${knownHosts}`,
            '  GlobalKnownHostsFile /dev/null',
            '  StrictHostKeyChecking yes',
            '  UpdateHostKeys no',
            '',
          ].join('\n'),
        )
        .join('\n'),
    );
    return {hosts, sshConfig, dir, identityFile, knownHosts, cleanup};
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Sync check for tests: is a namespace of this name still there? */
export function namespaceExists(ns: string): boolean {
  return execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'})
    .split('\n')
    .some((line) => line.split(' ')[0] === ns);
}
