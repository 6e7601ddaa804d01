/**
 * The single executable (dist/porthole-linux-<arch>, built by `npm run build`) as a person runs it
 * on a server with no Node: copied into an empty folder, started with no `node` on PATH, no HOME,
 * as an unprivileged user, every mode; and the faults: a read-only disk, a damaged or cut copy.
 */
import {execFile, execFileSync, spawnSync} from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {hasTmux, openTerminal} from '../helpers/tmux.js';

const root = path.resolve(import.meta.dirname, '../..');
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const built = path.join(root, 'dist', `porthole-linux-${arch}`);
const version = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}
).version;
const isRoot = process.getuid?.() === 0;
const run = promisify(execFile);
/** util-linux's setpriv, by its path: the runs' PATH has only the tools porthole asks for. */
const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], {encoding: 'utf8'}).stdout.trim();

let scratch = '';
/** The executable, copied where an unprivileged user can run it. */
let executable = '';
/** An empty folder the runs start in. */
let empty = '';
/** A PATH with the tools porthole asks (ss, ip, nft), and no node. */
let tools = '';

/** As the user `nobody` when the tests run as root (any other user is unprivileged already). */
function asUser(file: string, args: string[]): [string, string[]] {
  return isRoot
    ? [setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', '--', file, ...args]]
    : [file, args];
}

type Run = {code: number | null; signal: string | null; stdout: string; stderr: string};

/** Runs the copied executable with nothing of this process's environment but a node-less PATH. */
async function runExecutable(
  args: string[],
  options: {file?: string; env?: Record<string, string>; unprivileged?: boolean} = {},
): Promise<Run> {
  const target = options.file ?? executable;
  const [file, argv] = options.unprivileged === false ? [target, args] : asUser(target, args);
  try {
    const {stdout, stderr} = await run(file, argv, {
      cwd: empty,
      env: {PATH: tools, ...options.env},
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return {code: 0, signal: null, stdout, stderr};
  } catch (error) {
    const failed = error as {
      code: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
    };
    return {code: failed.code, signal: failed.signal, stdout: failed.stdout, stderr: failed.stderr};
  }
}

const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('the single executable', () => {
  beforeAll(() => {
    expect(existsSync(built), `${built} (npm run build writes it)`).toBe(true);
    scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-executable-'));
    chmodSync(scratch, 0o755);
    executable = path.join(scratch, 'porthole');
    copyFileSync(built, executable);
    chmodSync(executable, 0o755);
    empty = path.join(scratch, 'empty');
    mkdirSync(empty, {mode: 0o777});
    chmodSync(empty, 0o777);
    tools = path.join(scratch, 'tools');
    mkdirSync(tools, {mode: 0o755});
    for (const tool of ['ss', 'ip', 'nft']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).stdout.trim();
      if (found) symlinkSync(found, path.join(tools, tool));
    }
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  it('has no node on the PATH it runs with', () => {
    const found = spawnSync('sh', ['-c', 'command -v node'], {env: {PATH: tools}});
    expect(found.status).not.toBe(0);
  });

  it('prints its version, with no HOME, from an empty folder, unprivileged', async () => {
    const result = await runExecutable(['--version']);
    expect(result).toMatchObject({code: 0, stdout: `${version}\n`, stderr: ''});
  });

  it('lists a listener this test opened in --json', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const {port} = server.address() as net.AddressInfo;
      const result = await runExecutable(['--json']);
      expect(result.code, result.stderr).toBe(0);
      const snapshot = JSON.parse(result.stdout) as {
        sockets: Array<{protocol: string; state: string; localAddress: string; localPort: number}>;
      };
      expect(snapshot.sockets).toContainEqual(
        expect.objectContaining({
          protocol: 'tcp',
          state: 'LISTEN',
          localAddress: '127.0.0.1',
          localPort: port,
        }),
      );
    } finally {
      server.close();
    }
  });

  it('makes a request with porthole request and says what a status means with explain', async () => {
    const server = http.createServer((request, response) => {
      response.setHeader('content-type', 'text/plain');
      response.end(`hello ${request.headers['user-agent']}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const {port} = server.address() as net.AddressInfo;
      const result = await runExecutable([
        'request',
        '-s',
        '-w',
        '\\n%{http_code}\\n',
        `http://127.0.0.1:${port}/`,
      ]);
      expect(result).toMatchObject({code: 0, stdout: `hello porthole/${version}\n200\n`});
    } finally {
      server.close();
    }
    const explained = await runExecutable(['explain', '429']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^429 Too Many Requests\n/);
  });

  it.skipIf(!hasTmux())('draws the dashboard in a terminal and quits on q', async () => {
    const terminal = openTerminal(100, 30);
    try {
      const [file, argv] = asUser(executable, []);
      terminal.type(
        `cd ${empty} && env -i PATH=${tools} TERM=xterm-256color ${file} ${argv.join(' ')}; echo EXITED $?`,
      );
      terminal.keys('Enter');
      await terminal.waitForScreen(
        (screen) => screen.includes('Addresses') && screen.includes('Sockets'),
        'the first frame',
        15_000,
      );
      terminal.keys('q');
      await terminal.waitForScreen((screen) => /^EXITED 0$/m.test(screen), 'porthole to quit');
      expect(terminal.format('#{alternate_on}')).toBe('0');
    } finally {
      terminal.close();
    }
  });

  it.skipIf(!isRoot)('runs from a read-only filesystem with HOME on it', () => {
    // A private mount namespace: a tmpfs of its own, the executable copied in, then made read-only.
    const script = [
      'set -e',
      `mount -t tmpfs -o size=200m tmpfs "$1"`,
      `cp "$2" "$1/porthole"`,
      `mount -o remount,ro "$1"`,
      `cd "$1"`,
      `env -i PATH="$3" HOME="$1" ./porthole --version`,
      `env -i PATH="$3" HOME="$1" ./porthole --json > /dev/null`,
      'echo read-only: ok',
    ].join('\n');
    const mountPoint = path.join(scratch, 'ro');
    mkdirSync(mountPoint);
    const result = spawnSync(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'sh',
        mountPoint,
        executable,
        tools,
      ],
      {encoding: 'utf8', timeout: 60_000},
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${version}\nread-only: ok\n`);
    expect(result.status).toBe(0);
  });

  it('takes the code cache it was built with', async () => {
    // V8 refuses a cache made under other flags or another Node; the start would compile it all.
    const result = await runExecutable(['--version'], {env: {PORTHOLE_CODE_CACHE_REPORT: '1'}});
    expect(result.stderr).toBe('porthole: code cache accepted\n');
  });

  it('says in one line that a damaged copy is damaged', async () => {
    const damaged = path.join(scratch, 'damaged');
    const bytes = readFileSync(executable);
    // A byte inside the bundle's code, which is in the file as text.
    const at = bytes.indexOf('(async function (require, __portholeModuleUrl) {');
    expect(at).toBeGreaterThan(0);
    bytes[at + 1000] = bytes[at + 1000] === 0x41 ? 0x42 : 0x41;
    writeFileSync(damaged, bytes, {mode: 0o755});
    const result = await runExecutable(['--version'], {file: damaged, unprivileged: false});
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'porthole: this executable is damaged (its code does not match its checksum); download it again\n',
    );
    expect(result.code).toBe(70);
  });

  it('says in one line that a damaged code cache is damaged', async () => {
    // The program as the single file holds it (the same text the executable holds): where it is in
    // the executable, so that a byte of the code cache beside it, and not of it, is changed.
    const single = readFileSync(path.join(root, 'dist/porthole.mjs'), 'latin1');
    const program = single
      .slice(single.indexOf('\n//#porthole-program\n') + 21, -1)
      .replace(/^\/\//gm, '');
    const bytes = readFileSync(executable);
    const start = bytes.indexOf(program.slice(0, 200));
    expect(start).toBeGreaterThan(0);
    const end = start + program.length;
    let at = bytes.indexOf('no request yet');
    while (at >= start && at < end) at = bytes.indexOf('no request yet', at + 1);
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at]! ^ 0x01;
    const damaged = path.join(scratch, 'damaged-cache');
    writeFileSync(damaged, bytes, {mode: 0o755});
    const result = await runExecutable(['--version'], {file: damaged, unprivileged: false});
    expect(result).toMatchObject({
      code: 70,
      stdout: '',
      stderr:
        'porthole: this executable is damaged (its code cache does not match its checksum); download it again\n',
    });
  });

  it('ships checksums that tell a cut copy from a whole one', () => {
    for (const file of [built, `${built}.tar.gz`]) {
      const whole = spawnSync('sha256sum', ['-c', `${path.basename(file)}.sha256`], {
        cwd: path.dirname(file),
        encoding: 'utf8',
      });
      expect(whole.stdout).toBe(`${path.basename(file)}: OK\n`);
    }
    // A download cut short: the checksum says so, and so does gzip for the archive.
    const cut = path.join(scratch, 'cut');
    mkdirSync(cut);
    const archive = readFileSync(`${built}.tar.gz`);
    writeFileSync(
      path.join(cut, path.basename(`${built}.tar.gz`)),
      archive.subarray(0, archive.length >> 1),
    );
    copyFileSync(`${built}.tar.gz.sha256`, path.join(cut, path.basename(`${built}.tar.gz.sha256`)));
    const checked = spawnSync('sha256sum', ['-c', path.basename(`${built}.tar.gz.sha256`)], {
      cwd: cut,
      encoding: 'utf8',
    });
    expect(checked.status).not.toBe(0);
    expect(checked.stdout).toContain('FAILED');
    const unpacked = spawnSync('tar', ['-xzf', path.basename(`${built}.tar.gz`)], {
      cwd: cut,
      encoding: 'utf8',
    });
    expect(unpacked.status).not.toBe(0);
    expect(unpacked.stderr).toMatch(/unexpected end of file/);
  });

  it('holds the executable in its .tar.gz, runnable by anyone', () => {
    const listing = execFileSync('tar', ['-tvzf', `${built}.tar.gz`], {encoding: 'utf8'});
    expect(listing).toMatch(new RegExp(`^-rwxr-xr-x .* porthole-linux-${arch}\\n$`));
  });

  it('is the size the README says, within half a MiB', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const row = new RegExp(
      `^\\| \`porthole-linux-${arch}\`\\s+\\| ([\\d.]+) MiB \\| ([\\d.]+) MiB \\|$`,
      'm',
    ).exec(readme);
    expect(row, 'the README size table row').not.toBeNull();
    const mib = (file: string) => statSync(file).size / 2 ** 20;
    expect(Math.abs(mib(built) - Number(row![1]))).toBeLessThan(0.5);
    expect(Math.abs(mib(`${built}.tar.gz`) - Number(row![2]))).toBeLessThan(0.5);
  });

  it('needs the glibc the README states, and no newer', () => {
    // The versions of glibc the dynamic linker must find are named in the file's dynamic strings.
    const text = readFileSync(built).toString('latin1');
    const needed = [...new Set(text.match(/GLIBC_2\.\d+/g) ?? [])]
      .map((name) => Number(name.slice('GLIBC_2.'.length)))
      .sort((a, b) => a - b);
    const newest = needed.at(-1);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`glibc 2.${newest} or newer`);
  });

  it.skipIf(process.arch !== 'x64' || !existsSync(path.join(root, 'dist/porthole-linux-arm64')))(
    'has an arm64 build holding the same bundle',
    () => {
      const arm = readFileSync(path.join(root, 'dist/porthole-linux-arm64'));
      // ELF, 64-bit, e_machine 183 (AArch64).
      expect(arm.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(arm.readUInt16LE(18)).toBe(183);
      expect(arm.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true);
      expect(arm.includes('(async function (require, __portholeModuleUrl) {')).toBe(true);
      expect(arm.includes('porthole request [curl options] URL')).toBe(true);
    },
  );
});
