/** The built command line, spawned as a user or a script would run it (needs `npm run build`). */
import {execFile} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {schema} from '../helpers/snapshot-schema.js';
import {hasTmux, openTerminal} from '../helpers/tmux.js';
import type {Server} from 'node:http';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-cli-'));
const env = {...process.env, CI: 'false', XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch};

async function porthole(args: string[], options: {cwd?: string; file?: string} = {}) {
  try {
    const {stdout, stderr} = await run(process.execPath, [options.file ?? cli, ...args], {
      env,
      cwd: options.cwd ?? root,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'buffer',
    });
    return {code: 0, stdout: stdout.toString(), stderr: stderr.toString(), raw: stdout};
  } catch (error) {
    const failed = error as {code: number; stdout: Buffer; stderr: Buffer};
    return {
      code: failed.code,
      stdout: failed.stdout.toString(),
      stderr: failed.stderr.toString(),
      raw: failed.stdout,
    };
  }
}

/** Real curl, the reference for what `porthole request` prints. */
async function curlRun(args: string[]) {
  try {
    const {stdout} = await run('curl', args, {env});
    return {code: 0, stdout};
  } catch (error) {
    const failed = error as {code: number; stdout: string};
    return {code: failed.code, stdout: failed.stdout};
  }
}

const escapeCodes = /\u001B|[\u0080-\u009f]/;

const nullableNumber = (value: unknown) => value === null || typeof value === 'number';
const nullableString = (value: unknown) => value === null || typeof value === 'string';

function checkSnapshot(snap: Record<string, unknown>) {
  expect(Object.keys(snap)).toEqual(schema.top);
  expect(typeof snap.host).toBe('string');
  expect(new Date(snap.takenAt as string).toISOString()).toBe(snap.takenAt);
  expect(['proc', 'systeminformation']).toContain(snap.source);
  for (const iface of snap.interfaces as Array<Record<string, unknown>>) {
    expect(Object.keys(iface)).toEqual(schema.interface);
    expect(typeof iface.name).toBe('string');
    expect(typeof iface.up).toBe('boolean');
    expect(typeof iface.defaultRoute).toBe('boolean');
    expect(nullableString(iface.mac)).toBe(true);
    for (const field of ['mtu', 'speed', 'rx', 'tx'])
      expect(nullableNumber(iface[field])).toBe(true);
    for (const address of iface.addresses as Array<Record<string, unknown>>) {
      expect(Object.keys(address)).toEqual(schema.address);
      expect([4, 6]).toContain(address.family);
      expect(typeof address.prefixLength).toBe('number');
      expect([
        'loopback',
        'private',
        'link-local',
        'cgnat',
        'multicast',
        'unspecified',
        'reserved',
        'public',
      ]).toContain(address.kind);
    }
  }
  for (const socket of snap.sockets as Array<Record<string, unknown>>) {
    expect(Object.keys(socket)).toEqual(schema.socket);
    expect(['tcp', 'udp']).toContain(socket.protocol);
    expect([4, 6]).toContain(socket.family);
    expect(typeof socket.state).toBe('string');
    for (const field of ['localPort', 'peerPort', 'recvQ', 'sendQ'])
      expect(typeof socket[field]).toBe('number');
    expect(nullableNumber(socket.pid)).toBe(true);
    expect(nullableString(socket.process)).toBe(true);
    expect(['all-interfaces', 'loopback', 'address']).toContain(socket.exposure);
    expect([true, false, null]).toContain(socket.dualStack);
    const listening =
      socket.protocol === 'tcp'
        ? socket.state === 'LISTEN'
        : socket.state === 'UNCONN' && socket.peerPort === 0;
    if (listening) {
      expect(['internet', 'network', 'this host']).toContain(socket.reach);
      for (const reached of socket.reachAddresses as Array<Record<string, unknown>>) {
        expect(Object.keys(reached)).toEqual(schema.reachAddress);
      }
      const firewall = socket.firewall as {state: string} | null;
      if (socket.reach === 'this host') expect(firewall).toBeNull();
      else expect(['not-checked', 'undecided', 'allowed', 'filtered']).toContain(firewall?.state);
    } else {
      expect(socket.reach).toBeNull();
      expect(socket.reachAddresses).toBeNull();
      expect(socket.firewall).toBeNull();
    }
    if (socket.container !== null) {
      expect(Object.keys(socket.container as object)).toEqual(['engine', 'id', 'name']);
    }
    if (socket.published !== null) {
      expect(Object.keys(socket.published as object)).toEqual([
        'containerAddress',
        'containerPort',
        'container',
      ]);
    }
  }
}

let server: Loopback<Server>;
let authSeen = 0;
let listener: net.Server;
let listenerPort = 0;

beforeAll(async () => {
  server = await httpServer((request, response) => {
    if (request.url === '/binary')
      return response.end(Buffer.from([0, 1, 2, 0x1b, 0x5d, 0xff, 0x9b]));
    if (request.url === '/auth') {
      authSeen += 1;
      return response.end(String(request.headers.authorization));
    }
    if (request.url === '/missing') {
      response.statusCode = 404;
      return response.end('not here\n');
    }
    response.setHeader('Content-Type', 'text/plain');
    response.end(`you sent ${request.method} ${String(request.headers['x-test'] ?? '')}\n`);
  });
  listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => listener.close(resolve));
  rmSync(scratch, {recursive: true, force: true});
});

describe('porthole --json', () => {
  it('prints one snapshot in the documented shape, this test listener in it, and exits 0', async () => {
    const {code, stdout, stderr} = await porthole(['--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const snap = JSON.parse(stdout) as Record<string, unknown>;
    checkSnapshot(snap);
    const sockets = snap.sockets as Array<Record<string, unknown>>;
    const mine = sockets.find((s) => s.localPort === listenerPort && s.state === 'LISTEN');
    expect(mine).toMatchObject({
      protocol: 'tcp',
      family: 4,
      localAddress: '127.0.0.1',
      exposure: 'loopback',
      pid: process.pid,
    });
    const interfaces = snap.interfaces as Array<{
      addresses: Array<{address: string; kind: string}>;
    }>;
    expect(interfaces.flatMap((i) => i.addresses)).toContainEqual(
      expect.objectContaining({address: '127.0.0.1', kind: 'loopback'}),
    );
  });

  it('runs from the single bundle copied alone into an empty folder', async () => {
    const lonely = mkdtempSync(path.join(scratch, 'server-'));
    copyFileSync(path.join(root, 'dist/porthole.mjs'), path.join(lonely, 'porthole.mjs'));
    const {code, stdout} = await porthole(['--json'], {
      cwd: lonely,
      file: path.join(lonely, 'porthole.mjs'),
    });
    expect(code).toBe(0);
    checkSnapshot(JSON.parse(stdout) as Record<string, unknown>);
    const version = await porthole(['--version'], {
      cwd: lonely,
      file: path.join(lonely, 'porthole.mjs'),
    });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string})
        .version,
    );
  });

  it('works with the systeminformation fallback too', async () => {
    const {code, stdout} = await porthole(['--json', '--source', 'systeminformation']);
    expect(code).toBe(0);
    const snap = JSON.parse(stdout) as Record<string, unknown>;
    checkSnapshot(snap);
    expect(snap.source).toBe('systeminformation');
  });
});

describe('without a terminal', () => {
  it('prints plain aligned tables, no escape codes, and exits 0 instead of waiting for keys', async () => {
    const {code, stdout} = await porthole([]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(escapeCodes);
    expect(stdout).toMatch(/^INTERFACE\s+STATE\s+ADDRESS\s+KIND/m);
    expect(stdout).toMatch(/127\.0\.0\.1\/8\s+loopback/);
    expect(stdout).toMatch(
      new RegExp(`tcp\\s+LISTEN\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${listenerPort}\\s.*this host`),
    );
    expect(stdout).not.toMatch(/TIME-WAIT|ESTAB/);
    const header = stdout.split('\n').find((line) => line.startsWith('PROTO')) ?? '';
    const row = stdout.split('\n').find((line) => line.includes(`:${listenerPort} `)) ?? '';
    expect(row.indexOf('127.0.0.1')).toBe(header.indexOf('LOCAL ADDRESS'));
  });

  it('stops quietly when the reader closes the pipe early', async () => {
    for (const args of ['--all', '--json']) {
      const {stdout, stderr} = await run(
        'bash',
        [
          '-c',
          `set -o pipefail; "${process.execPath}" "${cli}" ${args} | head -c 20; echo " exit=$?"`,
        ],
        {env},
      );
      expect(stderr).toBe('');
      expect(stdout).toMatch(/ exit=0\n$/);
    }
  });

  it('lists every state with --all', async () => {
    const {stdout} = await porthole(['--all']);
    expect(stdout).toContain('all sockets:');
  });
});

describe('flags', () => {
  it('prints --help and --version and exits 0', async () => {
    const help = await porthole(['--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--interval',
      '--json',
      '--all',
      '--url',
      '--no-color',
      'porthole request [curl options] URL',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect((await porthole(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [['--interval', '50ms'], /^porthole: --interval: at least 100ms, got "50ms"\n$/],
    [
      ['--interval', 'soon'],
      /^porthole: --interval: expected a duration like 500ms or 2s, got "soon"\n$/,
    ],
    [['--source', 'guess'], /^porthole: --source: expected auto, proc or systeminformation/],
    [['launch'], /^porthole: unknown command "launch" \(try --help\)\n$/],
    [['request'], /^porthole: no URL/],
    [
      ['request', '--frobnicate', 'http://127.0.0.1:1/'],
      /^porthole: unsupported curl option --frobnicate\n$/,
    ],
    [['request', 'http://127.0.0.1:1/', '-X'], /^porthole: curl option -X needs a value/],
    [['--timeout', 'x'], /^porthole: --timeout: expected a number of seconds/],
    [['--interval', '1s', '--interval', '2s'], /^porthole: --interval can only be given once\n$/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const {code, stderr, stdout} = await porthole(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('refuses an unknown flag with exit code 2', async () => {
    const {code, stderr} = await porthole(['--frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toBe("porthole: Unknown option '--frobnicate'\n");
  });
});

describe('porthole request', () => {
  it('prints the body alone into a pipe, and the transcript and timings with -v', async () => {
    const quiet = await porthole([
      'request',
      '-X',
      'PUT',
      '-H',
      'X-Test: yes',
      `${server.origin}/`,
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('you sent PUT yes\n');
    expect(quiet.stderr).toBe('');
    const {code, stdout, stderr} = await porthole([
      'request',
      `${server.origin}/`,
      '-v',
      '-X',
      'PUT',
      '-H',
      'X-Test: yes',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('you sent PUT yes\n');
    expect(stderr).toContain('> PUT / HTTP/1.1');
    expect(stderr).toContain('> X-Test: yes');
    expect(stderr).toContain('< HTTP/1.1 200 OK');
    expect(stderr).toMatch(/connect [\d.]+ ms .*total [\d.]+ ms/);
  });

  it('exits 0 for any HTTP status, because a response arrived', async () => {
    const {code, stdout} = await porthole(['request', `${server.origin}/missing`]);
    expect(code).toBe(0);
    expect(stdout).toBe('not here\n');
  });

  it('writes a binary body byte for byte into a pipe', async () => {
    const {code, raw} = await porthole(['request', `${server.origin}/binary`]);
    expect(code).toBe(0);
    expect([...raw]).toEqual([0, 1, 2, 0x1b, 0x5d, 0xff, 0x9b]);
  });

  it.each([
    [['-s', '-w', '%{http_code} %{content_type}\\n', '-o', '/dev/null']],
    [['-si']],
    [['-o', '-', '-s']],
    [['-sf', '-w', '%{http_code}\\n']],
  ])('prints what curl prints for %j, with its exit code', async (args) => {
    for (const where of ['/', '/missing']) {
      const url = `${server.origin}${where}`;
      const ours = await porthole(['request', ...args, url]);
      const theirs = await curlRun([...args, url]);
      // Date differs between the two answers; everything else is the same.
      const undated = (text: string) => text.replace(/^Date: .*\r\n/m, '');
      expect(undated(ours.stdout)).toBe(undated(theirs.stdout));
      expect(ours.code).toBe(theirs.code);
    }
  });

  it('ends a transport error with exactly one line and a non-zero code', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const {port} = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const {code, stdout, stderr} = await porthole(['request', `http://127.0.0.1:${port}/`]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`porthole: connection refused by 127.0.0.1:${port}\n`);
  });

  it('refuses a bad header line in one line', async () => {
    const {code, stderr} = await porthole(['request', `${server.origin}/`, '-H', 'no colon here']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses -o into a folder that does not exist, creating nothing', async () => {
    const file = path.join(scratch, 'missing-folder', 'out.txt');
    const {code, stderr} = await porthole(['request', '-o', file, `${server.origin}/`]);
    expect(code).toBe(2);
    expect(stderr).toBe(`porthole: cannot write ${file}: no such directory\n`);
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('lists the curl options with request --help', async () => {
    const {code, stdout} = await porthole(['request', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('porthole request [curl options] URL');
    expect(stdout).toContain('-w, --write-out');
  });

  it('reads the password of -u NAME from stdin without a terminal, as curl', async () => {
    const args = ['-s', '-u', 'bob', `${server.origin}/auth`];
    // setsid: no controlling terminal, so neither can ask.
    const fed = async (command: string[], input: string) => {
      const running = run('setsid', ['-w', ...command, ...args], {env});
      running.child.stdin?.end(input);
      return running;
    };
    for (const [input, password] of [
      ['', ''],
      ['pw\n', 'pw'],
    ] as const) {
      const ours = await fed([process.execPath, cli, 'request'], input);
      const theirs = await fed(['curl'], input);
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stdout).toBe(`Basic ${Buffer.from(`bob:${password}`).toString('base64')}`);
      expect(ours.stderr).toBe("Enter host password for user 'bob':\n");
    }
  });

  it.skipIf(!hasTmux())(
    'asks for the password on the terminal, echo off; Ctrl-C exits 130, sending nothing',
    async () => {
      const terminal = openTerminal(100, 24);
      const before = authSeen;
      const shell = `${process.execPath} ${cli} request -u bob ${server.origin}/auth; echo " exit=$?"`;
      const count = (text: string, line: RegExp) => text.match(line)?.length ?? 0;
      const exited = /^ exit=\d+$/gm;
      try {
        terminal.type(shell);
        terminal.keys('Enter');
        await terminal.waitForScreen(
          (screen) => screen.includes("Enter host password for user 'bob':"),
          'the prompt',
        );
        terminal.type('secret');
        terminal.keys('C-c');
        const cancelled = await terminal.waitForScreen(
          (screen) => count(screen, exited) === 1,
          'the exit',
        );
        expect(cancelled).toContain('porthole: no password given; nothing was sent');
        expect(cancelled).toContain(' exit=130');
        expect(cancelled).not.toContain('secret');
        expect(authSeen).toBe(before);

        terminal.type(shell);
        terminal.keys('Enter');
        await terminal.waitForScreen(
          (screen) => count(screen, /^Enter host password/gm) === 2,
          'the second prompt',
        );
        terminal.type('pw');
        terminal.keys('Enter');
        const sent = await terminal.waitForScreen(
          (screen) => count(screen, exited) === 2,
          'the second exit',
        );
        expect(sent).toContain(`Basic ${Buffer.from('bob:pw').toString('base64')}`);
        expect(sent).toContain(' exit=0');
        expect(sent).not.toMatch(/'bob':\s*pw/);
      } finally {
        terminal.close();
      }
    },
  );
});

describe('porthole --url', () => {
  it.skipIf(!hasTmux())(
    'fills the Request pane from a whole curl command, which Enter sends',
    async () => {
      const terminal = openTerminal(120, 40);
      try {
        // runCli puts the arguments in single quotes: the header is quoted with \" inside.
        terminal.runCli(`--url "curl -X PUT -H \\"X-Test: pane\\" ${server.origin}/"`, {
          XDG_STATE_HOME: scratch,
          XDG_CONFIG_HOME: scratch,
        });
        // Keys count once the dashboard is up (its sockets listed), not at the first frame.
        await terminal.waitForScreen(
          (screen) => screen.includes('X-Test: pane') && / of \d+(\s|$)/m.test(screen),
          'the form',
        );
        terminal.keys('Enter');
        // On a busy machine the send waits for a poll in progress to finish (it is timed alone).
        await terminal.waitForScreen(
          (screen) => screen.includes('you sent PUT pane'),
          'the response',
          20_000,
        );
      } finally {
        terminal.close();
      }
    },
    45_000,
  );
});

describe('library entry', () => {
  it('is importable as "porthole" with classifyAddress, snapshot and sendRequest', async () => {
    const script = `
      import {classifyAddress, snapshot, sendRequest} from 'porthole';
      const kinds = ['127.0.0.1', '10.1.2.3', '100.64.0.1', '::ffff:192.168.0.1', '8.8.8.8', '1.2.3', ''].map(classifyAddress);
      const snap = await snapshot();
      const result = await sendRequest({url: process.argv[1]});
      console.log(JSON.stringify({
        kinds,
        listening: snap.sockets.some((s) => s.state === 'LISTEN'),
        status: result.response?.status,
        body: Buffer.from(result.response?.body ?? []).toString(),
        phases: Object.keys(result.timings),
      }));
    `;
    const {stdout} = await run(
      process.execPath,
      ['--input-type=module', '-e', script, `${server.origin}/`],
      {cwd: root, env},
    );
    expect(JSON.parse(stdout)).toEqual({
      kinds: ['loopback', 'private', 'cgnat', 'private', 'public', 'invalid', 'invalid'],
      listening: true,
      status: 200,
      body: 'you sent GET \n',
      phases: ['dns', 'connect', 'tls', 'send', 'firstByte', 'download', 'total'],
    });
  });
});
