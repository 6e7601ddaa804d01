/**
 * The built CLI where the environment is against it: /proc missing or unreadable, no ss on the
 * PATH, no right to see other users' processes, a tiny terminal, no terminal for keys, TERM=dumb.
 */
import {spawn} from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

const ready = hasTmux() && existsSync(cliPath);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-environment-'));
const cliEnv = {XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch};
const nobody = {uid: 65534, gid: 65534};
const nobodyCli = path.join(scratch, 'porthole.mjs');
const isRoot = process.getuid?.() === 0;

let terminal: Terminal | undefined;
let listener: net.Server;
let listenerPort = 0;

beforeAll(async () => {
  if (!ready) throw new Error('end-to-end tests need tmux and dist/cli.js (npm run build)');
  // Others must be able to read the scratch directory (the CLI runs as nobody below), and the
  // checkout may sit where nobody cannot reach it: nobody runs a copy of the one-file bundle.
  chmodSync(scratch, 0o755);
  copyFileSync(path.join(path.dirname(cliPath), 'porthole.mjs'), nobodyCli);
  chmodSync(nobodyCli, 0o644);
  listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as net.AddressInfo).port;
});

afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  rmSync(scratch, {recursive: true, force: true});
});

type Run = {code: number | null; stdout: string; stderr: string};

/** Runs the built CLI to its end; `detached` leaves it without a controlling terminal. */
function porthole(
  args: string[],
  options: {env?: Record<string, string>; uid?: number; gid?: number; detached?: boolean} = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const cli = options.uid === undefined ? cliPath : nobodyCli;
    const child = spawn(process.execPath, [cli, ...args], {
      env: {...process.env, CI: 'false', ...cliEnv, ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
      detached: options.detached,
      cwd: scratch,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stdout, stderr});
    });
  });
}

type JsonSocket = {localPort: number; state: string; pid: number | null; process: string | null};
const socketsOf = (run: Run) => (JSON.parse(run.stdout) as {sockets: JsonSocket[]}).sockets;

const tableHeader =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
/** 0.0.0.0:4242 (0x1092) listening, as /proc/net/tcp spells it. */
const fixtureListener =
  '   0: 00000000:1092 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0';

/** A /proc with only net/tcp (one listener) and a /sys with only a loopback link. */
function fakeRoots(name: string) {
  const procRoot = path.join(scratch, name, 'proc');
  const sysRoot = path.join(scratch, name, 'sys');
  mkdirSync(path.join(procRoot, 'net'), {recursive: true});
  writeFileSync(path.join(procRoot, 'net', 'tcp'), `${tableHeader}\n${fixtureListener}\n`);
  const lo = path.join(sysRoot, 'class', 'net', 'lo');
  mkdirSync(lo, {recursive: true});
  for (const [file, text] of Object.entries({flags: '0x9', operstate: 'unknown', mtu: '65536'})) {
    writeFileSync(path.join(lo, file), `${text}\n`);
  }
  return {procRoot, sysRoot, tcp: path.join(procRoot, 'net', 'tcp')};
}

/** Runs a shell line in the terminal, then `echo EXITED $?`. */
function shell(term: Terminal, line: string) {
  term.type(`${line}; echo EXITED $?`);
  term.keys('Enter');
}

const envWords = Object.entries({CI: 'false', ...cliEnv})
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

async function quitsAndRestores(term: Terminal) {
  term.type('q');
  await term.waitForScreen((s) => s.includes('EXITED 0'), 'q to quit');
  expect(term.format('#{alternate_on}')).toBe('0');
  expect(term.format('#{cursor_flag}')).toBe('1');
}

describe.runIf(process.platform === 'linux')('/proc and /sys missing or unreadable', () => {
  it('--json with an empty --proc-root fails in one line instead of reading another /proc', async () => {
    const empty = path.join(scratch, 'empty');
    mkdirSync(empty, {recursive: true});
    const run = await porthole(['--json', '--proc-root', empty, '--sys-root', empty]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`porthole: cannot read ${empty}/net/tcp: ENOENT\n`);
  });

  it('--json degrades to the tables that can be read, and names an unreadable one', async () => {
    const roots = fakeRoots('partial');
    const run = await porthole([
      '--json',
      '--proc-root',
      roots.procRoot,
      '--sys-root',
      roots.sysRoot,
    ]);
    expect(run.code).toBe(0);
    const snap = JSON.parse(run.stdout) as {source: string; interfaces: Array<{name: string}>};
    expect(snap.source).toBe('proc');
    expect(snap.interfaces.map((iface) => iface.name)).toEqual(['lo']);
    expect(socketsOf(run)).toEqual([
      expect.objectContaining({localPort: 4242, state: 'LISTEN', pid: null, process: null}),
    ]);

    // A table that is there but cannot be read (a directory in its place) is named in one line.
    rmSync(roots.tcp);
    mkdirSync(roots.tcp);
    const broken = await porthole(['--json', '--proc-root', roots.procRoot]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(`porthole: cannot read ${roots.tcp}: EISDIR\n`);
  });

  it('the dashboard marks the Sockets pane stale while /proc fails, and the rest works on', async () => {
    const roots = fakeRoots('dashboard');
    const aside = `${roots.tcp}.aside`;
    renameSync(roots.tcp, aside);
    // Wide enough for the whole path in the stale note.
    terminal = openTerminal(200, 30);
    terminal.runCli(
      `--interval 200ms --proc-root ${roots.procRoot} --sys-root ${roots.sysRoot}`,
      cliEnv,
    );
    const failing = await terminal.waitForScreen(
      (s) => s.includes(`stale: cannot read ${roots.procRoot}/net/tcp: ENOENT`),
      'the Sockets pane stale',
    );
    expect(failing).toMatch(/^\s+Sockets .*stale: cannot read/m);
    expect(failing).toMatch(/^lo\s+up\s/m);

    renameSync(aside, roots.tcp);
    await terminal.waitForScreen(
      (s) => /0\.0\.0\.0:4242\s.*this host/.test(s) && !s.includes('stale:'),
      'the listener once /proc/net/tcp is back',
    );
    rmSync(roots.tcp);
    const stale = await terminal.waitForScreen(
      (s) => s.includes('stale: cannot read'),
      'stale again',
    );
    // The last good reading stays on screen, and keys still work.
    expect(stale).toMatch(/0\.0\.0\.0:4242\s.*this host/);
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => /^▶ Sockets/m.test(s), 'Tab to focus the Sockets pane');
    await quitsAndRestores(terminal);
  });
});

describe.runIf(process.platform === 'linux')('tools and rights missing', () => {
  it('needs no ss: a PATH without it changes nothing', async () => {
    const run = await porthole(['--json'], {env: {PATH: path.join(scratch, 'no-tools')}});
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({source: 'proc'});
    expect(socketsOf(run)).toContainEqual(
      expect.objectContaining({localPort: listenerPort, pid: process.pid}),
    );
  });

  it.runIf(isRoot)('as nobody, lists root’s listener without an owner', async () => {
    const run = await porthole(['--json'], {...nobody});
    expect(run.code, run.stderr).toBe(0);
    const mine = socketsOf(run).find((socket) => socket.localPort === listenerPort);
    expect(mine).toMatchObject({state: 'LISTEN', pid: null, process: null});
  });

  // The dashboard's footer said so; the piped snapshot did not.
  it.runIf(isRoot)(
    'as nobody, the plain snapshot says in one line that owners are hidden',
    async () => {
      const hidden = 'some owners hidden: run as root to see all (as ss -p)';
      const run = await porthole([], {...nobody});
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${listenerPort}\\s.*this host\\s+-`));
      expect(run.stdout.split('\n').filter((line) => line === hidden)).toHaveLength(1);
      expect((await porthole([])).stdout).not.toContain(hidden);
    },
  );

  it.runIf(isRoot)('as nobody, the dashboard says that root sees all owners', async () => {
    terminal = openTerminal(120, 30);
    shell(
      terminal,
      `setpriv --reuid 65534 --regid 65534 --clear-groups env ${envWords} node ${nobodyCli} --interval 300ms`,
    );
    await terminal.waitForScreen(
      (s) => s.includes('some owners hidden: run as root to see all'),
      'the footer about owners',
    );
    // On a busy host the listener may sit below the pane's last row: filter to it.
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Sockets'), 'the Sockets pane');
    terminal.type('/');
    terminal.type(`:${listenerPort}`);
    await terminal.waitForScreen((s) => s.includes(`/:${listenerPort}`), 'the filter typed');
    terminal.keys('Enter');
    await terminal.waitForScreen(
      (s) =>
        new RegExp(`127\\.0\\.0\\.1:${listenerPort}\\s.*this host\\s+-`).test(s) &&
        s.includes('/ filter'),
      'root’s listener without an owner, the filter kept',
    );
    await quitsAndRestores(terminal);
  });
});

describe.runIf(process.platform === 'linux')('the terminal', () => {
  it('at 20x5 shows one line asking for more room, and q still quits and restores', async () => {
    terminal = openTerminal(20, 5);
    terminal.runCli('--interval 300ms', cliEnv);
    const screen = await terminal.waitForScreen(
      (s) => s.includes('need 40x10'),
      'the too-small message',
    );
    expect(screen.split('\n').filter((line) => line.trim() !== '')).toEqual(['need 40x10']);
    expect(terminal.format('#{alternate_on}')).toBe('1');
    await quitsAndRestores(terminal);
  });

  it('reads keys from the terminal when stdin is a pipe', async () => {
    terminal = openTerminal(100, 30);
    shell(terminal, `true | env ${envWords} node ${cliPath} --interval 300ms`);
    await terminal.waitForScreen((s) => s.includes('▶ Addresses'), 'the dashboard');
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Sockets'), 'Tab read from the terminal');
    await quitsAndRestores(terminal);
  });

  it('without a terminal at all, prints the plain snapshot and exits', async () => {
    const run = await porthole([], {detached: true});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^INTERFACE\s+STATE\s+ADDRESS/m);
    expect(run.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${listenerPort}\\s`));
    expect(run.stdout).not.toMatch(/\u001B/);

    // Output to the terminal but no terminal to read keys from (a new session, no /dev/tty).
    terminal = openTerminal(120, 40);
    shell(terminal, `setsid -w env ${envWords} node ${cliPath} < /dev/null`);
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the snapshot');
    // A busy host's snapshot is taller than the terminal: read what scrolled off too.
    const printed = terminal.scrollback();
    expect(printed).toContain(
      'porthole: no terminal to read keys from; printing a snapshot instead',
    );
    expect(printed).toMatch(/^PROTO\s+STATE/m);
    expect(terminal.format('#{alternate_on}')).toBe('0');
  });

  it('with TERM=dumb prints the plain snapshot with a one-line note, and no escape codes', async () => {
    terminal = openTerminal(120, 40);
    const written = path.join(scratch, 'dumb-output');
    terminal.tmux('pipe-pane', '-t', 'main', '-o', `cat > ${written}`);
    shell(terminal, `env ${envWords} TERM=dumb node ${cliPath}`);
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the snapshot');
    const printed = terminal.scrollback();
    expect(printed).toContain(
      'porthole: TERM=dumb cannot draw the dashboard; printing a snapshot instead',
    );
    expect(printed).toMatch(/^INTERFACE\s+STATE/m);
    terminal.tmux('pipe-pane', '-t', 'main');
    const bytes = readFileSync(written, 'latin1');
    expect(bytes).toContain('INTERFACE');
    expect(bytes).not.toContain('\u001B');
    expect(terminal.format('#{alternate_on}')).toBe('0');
  });
});
