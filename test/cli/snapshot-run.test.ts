/**
 * `--json` and the plain snapshot as a script runs them: which sockets they list, and the config
 * file read there too, a broken one named though interval, theme and keys do not apply (needs
 * `npm run build`).
 */
import {execFile} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, describe, expect, it} from 'vitest';

const cli = path.resolve(import.meta.dirname, '../../dist/cli.js');
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-snapshot-config-'));
const file = path.join(scratch, 'porthole', 'config.json');
mkdirSync(path.dirname(file), {recursive: true});
afterAll(() => rmSync(scratch, {recursive: true, force: true}));

async function porthole(args: string[]) {
  const env = {...process.env, CI: 'false', XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch};
  const {stdout, stderr} = await run(process.execPath, [cli, ...args], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {stdout, stderr};
}

describe('the config file outside the dashboard', () => {
  it.each([
    ['--json', ['--json']],
    ['the plain snapshot', []],
  ])('%s names a broken config in one line and still prints', async (_name, args) => {
    writeFileSync(file, '{"interval": 2, "theme": "mono"');
    const {stdout, stderr} = await porthole(args);
    expect(stderr).toMatch(
      new RegExp(`^porthole: ${file}: not valid JSON \\(.*\\); using defaults\\n$`),
    );
    expect(stdout.length).toBeGreaterThan(0);
  });

  it('names a wrong field of an otherwise good file, and prints the same snapshot', async () => {
    writeFileSync(file, '{"interval": 2}');
    const {stdout, stderr} = await porthole(['--json']);
    expect(stderr).toBe(
      `porthole: ${file}: interval: 2 has no unit; write "2s" or "2ms"; using the default\n`,
    );
    expect(JSON.parse(stdout)).toHaveProperty('sockets');
  });

  it('says nothing about a good file', async () => {
    writeFileSync(file, '{"interval": "2s", "theme": "mono"}');
    expect((await porthole(['--json'])).stderr).toBe('');
  });
});

describe('which sockets a snapshot lists', () => {
  it('--json lists every state without --all; the plain snapshot lists listeners unless --all', async () => {
    writeFileSync(file, '{}');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const clientPort = client.localPort!;
    try {
      const snap = JSON.parse((await porthole(['--json'])).stdout) as {
        sockets: Array<{state: string; localPort: number; peerPort: number}>;
      };
      expect(snap.sockets).toContainEqual(
        expect.objectContaining({state: 'ESTAB', localPort: clientPort, peerPort: port}),
      );
      const connection = new RegExp(`127\\.0\\.0\\.1:${clientPort}\\s+127\\.0\\.0\\.1:${port}\\s`);
      expect((await porthole([])).stdout).not.toMatch(connection);
      expect((await porthole(['--all'])).stdout).toMatch(connection);
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
