/**
 * Who can reach each listener, on a network the test makes: a namespace whose interfaces carry
 * addresses from the benchmarking range 198.18.0.0/15 (and 2001:2::/48 for IPv6), which
 * `PORTHOLE_TEST_RANGES` makes stand in for a public, a private (LAN) and a CGNAT (tailnet) network;
 * one range is left as it is (reserved). Listeners on each, on loopback, and a dual-stack and an
 * IPv6-only `::` on the same machine; `porthole --json` run inside the namespace says each reach.
 * The namespace and its processes are removed after, also on failure.
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath} from '../helpers/tmux.js';

const namespace = `porthole-reach-${process.pid}`;
const possible =
  process.getuid?.() === 0 &&
  spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0 &&
  existsSync(cliPath);

const hasNft = spawnSync('nft', ['--version'], {stdio: 'ignore'}).status === 0;
/** A rule set that drops one port and lets the rest through. */
const ruleset = `table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 7002 drop
  }
}
`;
const ranges = '198.18.0.0/24=public,198.18.1.0/24=private,198.18.2.0/24=cgnat';
const ip = (...args: string[]) => execFileSync('ip', ['-n', namespace, ...args]);

type Reached = {address: string; interface: string; kind: string};
type JsonSocket = {
  protocol: string;
  state: string;
  localAddress: string;
  localPort: number;
  dualStack: boolean | null;
  reach: string | null;
  reachAddresses: Reached[] | null;
  firewall: {state: string; rule?: string; why?: string} | null;
};

let listeners: ChildProcess | undefined;
let scratch = '';
let sockets: JsonSocket[] = [];

const listenerScript = `
  import net from 'node:net';
  import dgram from 'node:dgram';
  const binds = [
    {port: 7001, host: '0.0.0.0'},
    {port: 7002, host: '198.18.1.2'},
    {port: 7003, host: '198.18.2.2'},
    {port: 7004, host: '127.0.0.1'},
    {port: 7005, host: '::', ipv6Only: false},
    {port: 7006, host: '::', ipv6Only: true},
    {port: 7008, host: '198.18.3.2'},
  ];
  for (const bind of binds) {
    await new Promise((resolve) => net.createServer().listen(bind, resolve));
  }
  const udp = dgram.createSocket('udp4');
  await new Promise((resolve) => udp.bind(7007, '0.0.0.0', resolve));
  console.log('ready');
`;

function find(port: number, protocol = 'tcp'): JsonSocket {
  const socket = sockets.find(
    (candidate) =>
      candidate.localPort === port &&
      candidate.protocol === protocol &&
      (candidate.state === 'LISTEN' || candidate.state === 'UNCONN'),
  );
  if (!socket) throw new Error(`no ${protocol} listener on port ${port} in the snapshot`);
  return socket;
}

describe.skipIf(!possible)('reach on a network the test made', () => {
  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', namespace]);
    ip('link', 'set', 'lo', 'up');
    // Two veth pairs with both ends in the namespace: four interfaces, four networks.
    ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'lan0');
    ip('link', 'add', 'tailscale0', 'type', 'veth', 'peer', 'name', 'lab0');
    const addresses: Array<[string, string]> = [
      ['wan0', '198.18.0.2/24'],
      ['lan0', '198.18.1.2/24'],
      ['tailscale0', '198.18.2.2/24'],
      ['lab0', '198.18.3.2/24'],
    ];
    for (const [name, address] of addresses) {
      ip('address', 'add', address, 'dev', name);
      ip('link', 'set', name, 'up');
    }
    ip('-6', 'address', 'add', '2001:2::2/64', 'dev', 'lab0', 'nodad');
    if (hasNft) {
      execFileSync('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], {input: ruleset});
    }
    listeners = spawn(
      'ip',
      ['netns', 'exec', namespace, process.execPath, '--input-type=module', '-e', listenerScript],
      {stdio: ['ignore', 'pipe', 'inherit']},
    );
    await new Promise<void>((resolve, reject) => {
      listeners!.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      listeners!.once('exit', (code) => reject(new Error(`the listeners exited (${code})`)));
    });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-reach-'));
    const output = execFileSync(
      'ip',
      ['netns', 'exec', namespace, process.execPath, cliPath, '--json'],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          ...process.env,
          CI: 'false',
          XDG_STATE_HOME: scratch,
          XDG_CONFIG_HOME: scratch,
          PORTHOLE_TEST_RANGES: ranges,
        },
      },
    );
    sockets = (JSON.parse(output) as {sockets: JsonSocket[]}).sockets;
  }, 60_000);

  afterAll(() => {
    if (listeners?.pid !== undefined && listeners.exitCode === null) listeners.kill();
    spawnSync('ip', ['netns', 'delete', namespace], {stdio: 'ignore'});
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  test('a wildcard bind reaches the internet where a public address is, and lists every address', () => {
    const all = find(7001);
    expect(all.reach).toBe('internet');
    expect(all.reachAddresses?.[0]).toEqual({
      address: '198.18.0.2',
      interface: 'wan0',
      kind: 'public',
    });
    expect(all.reachAddresses).toEqual(
      expect.arrayContaining([
        {address: '198.18.1.2', interface: 'lan0', kind: 'private'},
        {address: '198.18.2.2', interface: 'tailscale0', kind: 'cgnat'},
        {address: '198.18.3.2', interface: 'lab0', kind: 'reserved'},
        {address: '127.0.0.1', interface: 'lo', kind: 'loopback'},
      ]),
    );
    expect(find(7007, 'udp').reach).toBe('internet');
  });

  test('a bind to one address reaches that network only; loopback is this host', () => {
    expect(find(7002)).toMatchObject({
      reach: 'network',
      reachAddresses: [{address: '198.18.1.2', interface: 'lan0', kind: 'private'}],
    });
    expect(find(7003)).toMatchObject({
      reach: 'network',
      reachAddresses: [{address: '198.18.2.2', interface: 'tailscale0', kind: 'cgnat'}],
    });
    expect(find(7008).reach).toBe('network');
    expect(find(7004)).toMatchObject({
      reach: 'this host',
      reachAddresses: [{address: '127.0.0.1', interface: 'lo', kind: 'loopback'}],
    });
  });

  test('a dual-stack [::] answers on the IPv4 addresses too; an IPv6-only one does not', () => {
    const dual = find(7005);
    expect(dual.dualStack).toBe(true);
    expect(dual.reach).toBe('internet');
    expect(dual.reachAddresses?.map((reached) => reached.address)).toContain('198.18.0.2');
    const only6 = find(7006);
    expect(only6.dualStack).toBe(false);
    expect(only6.reach).toBe('network');
    expect(only6.reachAddresses?.every((reached) => reached.address.includes(':'))).toBe(true);
    expect(only6.reachAddresses?.map((reached) => reached.address)).toContain('2001:2::2');
  });

  test.runIf(hasNft)(
    'the firewall of the namespace: the port it drops is filtered, by that rule',
    () => {
      expect(find(7002).firewall).toEqual({state: 'filtered', rule: 'tcp dport 7002 drop'});
      expect(find(7001).firewall?.state).toBe('allowed');
      // The filter stands between hosts: a listener only this host reaches is not judged.
      expect(find(7004).firewall).toBeNull();
      // The plain snapshot says it too.
      const plain = execFileSync('ip', ['netns', 'exec', namespace, process.execPath, cliPath], {
        encoding: 'utf8',
        timeout: 30_000,
        env: {...process.env, CI: 'false', XDG_STATE_HOME: scratch, PORTHOLE_TEST_RANGES: ranges},
      });
      expect(plain).toMatch(/198\.18\.1\.2:7002\s.*LAN 198\.18\.1\.2 · filtered/);
      expect(plain).toMatch(/\*:7005\s.*internet/);
    },
  );

  test('a connection is not a listener: it has no reach', () => {
    for (const socket of sockets.filter((each) => each.state === 'ESTAB')) {
      expect(socket.reach).toBeNull();
    }
  });
});
