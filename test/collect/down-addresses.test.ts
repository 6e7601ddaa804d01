/**
 * Addresses on a link that is down: `ip addr show` lists them, the OS's interface list does not.
 * Read in a namespace the test makes (a veth pair, one end down with an address on it), removed
 * after, also on failure.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import type {NetworkInterface} from '../../source/model.js';
import {createDownAddresses} from '../../source/collect/interfaces.js';

const namespace = `porthole-down-${process.pid}`;
const possible =
  process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0;

const link = (name: string, up: boolean): NetworkInterface => ({
  name,
  up,
  mac: null,
  mtu: 1500,
  speed: null,
  defaultRoute: false,
  addresses: [],
});

describe('addresses on links that are down', () => {
  test('asks only while a link is down without addresses, again when that changes or after 30 s', async () => {
    let asks = 0;
    let clock = 0;
    const withDown = createDownAddresses(
      () => {
        asks++;
        return Promise.resolve(
          '3: eth1    inet 198.18.5.2/24 brd 198.18.5.255 scope global eth1\n',
        );
      },
      () => clock,
    );
    expect(await withDown([link('eth0', true)])).toEqual([link('eth0', true)]);
    expect(asks).toBe(0);
    const [, eth1] = await withDown([link('eth0', true), link('eth1', false)]);
    expect(eth1?.addresses).toEqual([
      {address: '198.18.5.2', family: 4, prefixLength: 24, kind: 'reserved'},
    ]);
    await withDown([link('eth0', true), link('eth1', false)]);
    expect(asks).toBe(1);
    clock = 30_000;
    await withDown([link('eth0', true), link('eth1', false)]);
    expect(asks).toBe(2);
    await withDown([link('eth0', true), link('eth1', false), link('eth2', false)]);
    expect(asks).toBe(3);
  });

  test('no ip, or one that fails: the link stays without addresses', async () => {
    const withDown = createDownAddresses(() => Promise.reject(new Error('spawn ip ENOENT')));
    expect(await withDown([link('eth1', false)])).toEqual([link('eth1', false)]);
  });

  describe.skipIf(!possible)('in a namespace', () => {
    beforeAll(() => {
      execFileSync('ip', ['netns', 'add', namespace]);
      const ip = (...args: string[]) => execFileSync('ip', ['-n', namespace, ...args]);
      ip('link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'down0');
      ip('address', 'add', '198.18.6.2/24', 'dev', 'up0');
      ip('address', 'add', '198.18.7.2/24', 'dev', 'down0');
      ip('link', 'set', 'up0', 'up');
    });

    afterAll(() => {
      spawnSync('ip', ['netns', 'delete', namespace], {stdio: 'ignore'});
    });

    test('the reader lists a down link with its address, as ip addr show does', () => {
      const program = `
        import {createInterfacesReader} from './source/collect/interfaces.ts';
        console.log(JSON.stringify(await createInterfacesReader().read()));
      `;
      const output = execFileSync(
        'ip',
        [
          'netns',
          'exec',
          namespace,
          process.execPath,
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          program,
        ],
        {cwd: process.cwd(), encoding: 'utf8', timeout: 20_000},
      );
      const interfaces = JSON.parse(output.trim().split('\n').at(-1) ?? '[]') as NetworkInterface[];
      const down = interfaces.find((iface) => iface.name === 'down0');
      expect(down?.up).toBe(false);
      expect(down?.addresses.map((address) => address.address)).toEqual(['198.18.7.2']);
    });
  });
});
