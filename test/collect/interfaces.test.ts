import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {
  createInterfacesReader,
  defaultRouteInterfaces,
  readInterfacesLinux,
} from '../../source/collect/interfaces.js';
import {nextTraffic, parseNetDev} from '../../source/collect/traffic.js';

const linux = process.platform === 'linux';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-sys-'));
afterAll(() => rmSync(scratch, {recursive: true, force: true}));

describe.runIf(linux)('interfaces on the real system', () => {
  it('finds the loopback interface with 127.0.0.1 labelled loopback', async () => {
    const interfaces = await createInterfacesReader().read();
    const lo = interfaces.find((iface) => iface.addresses.some((a) => a.address === '127.0.0.1'));
    expect(lo).toBeDefined();
    expect(lo?.up).toBe(true);
    const address = lo?.addresses.find((a) => a.address === '127.0.0.1');
    expect(address).toMatchObject({family: 4, prefixLength: 8, kind: 'loopback'});
    expect(lo?.mtu).toBeGreaterThan(0);
  });

  it('marks the interface that carries the default route, as ip route says', async () => {
    const {execFileSync} = await import('node:child_process');
    let expected: string | undefined;
    try {
      expected = /dev (\S+)/.exec(
        execFileSync('ip', ['route', 'show', 'default'], {encoding: 'utf8'}),
      )?.[1];
    } catch {
      return; // no ip tool: nothing to compare with
    }
    const marked = readInterfacesLinux()
      .filter((iface) => iface.defaultRoute)
      .map((iface) => iface.name);
    if (expected) expect(marked).toContain(expected);
  });
});

describe('interfaces from injected /sys and /proc roots', () => {
  const sysRoot = path.join(scratch, 'sys');
  const procRoot = path.join(scratch, 'proc');
  const link = (name: string, files: Record<string, string>) => {
    mkdirSync(path.join(sysRoot, 'class/net', name), {recursive: true});
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(path.join(sysRoot, 'class/net', name, file), text + '\n');
    }
  };
  link('down0', {flags: '0x1002', operstate: 'down', mtu: '1500', address: '02:00:00:00:00:01'});
  link('wan0', {
    flags: '0x1003',
    operstate: 'up',
    mtu: '9000',
    address: '02:00:00:00:00:02',
    speed: '10000',
  });
  link('\u001B]0;evil\u0007', {flags: '0x1003', operstate: 'up', mtu: 'garbage'});
  mkdirSync(path.join(procRoot, 'net'), {recursive: true});
  writeFileSync(
    path.join(procRoot, 'net/route'),
    'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n' +
      'wan0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'down0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n',
  );
  writeFileSync(
    path.join(procRoot, 'net/ipv6_route'),
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n',
  );

  it('lists every link with its state, MTU and speed, garbage read as unknown', () => {
    const interfaces = readInterfacesLinux({sysRoot, procRoot});
    const byName = new Map(interfaces.map((iface) => [iface.name, iface]));
    expect(byName.get('down0')).toMatchObject({
      up: false,
      mtu: 1500,
      speed: null,
      defaultRoute: false,
    });
    expect(byName.get('wan0')).toMatchObject({
      up: true,
      mtu: 9000,
      speed: 10000,
      defaultRoute: true,
      mac: '02:00:00:00:00:02',
    });
    expect(byName.get('\u001B]0;evil\u0007')).toMatchObject({mtu: null});
  });

  it('ignores the IPv6 reject route on lo when looking for the default', () => {
    expect([...defaultRouteInterfaces(procRoot)]).toEqual(['wan0']);
  });

  it('fails with a clear error when /sys/class/net cannot be listed', () => {
    expect(() => readInterfacesLinux({sysRoot: path.join(scratch, 'missing'), procRoot})).toThrow(
      /ENOENT/,
    );
  });
});

describe('traffic', () => {
  const netDev = (lo: number, eth: number) =>
    'Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n' +
    `    lo: ${lo} 1 0 0 0 0 0 0 ${lo} 1 0 0 0 0 0 0\n` +
    `  eth0: ${eth} 9 0 0 0 0 0 0 ${eth * 2} 4 0 0 0 0 0 0\n`;

  it('parses /proc/net/dev counters', () => {
    expect(parseNetDev(netDev(100, 2000)).get('eth0')).toEqual({rx: 2000, tx: 4000});
  });

  it('shows no rate on the first sample, then bytes per second, and caps the history', () => {
    const first = nextTraffic({}, undefined, {at: 0, counters: parseNetDev(netDev(0, 0))}, 3);
    expect(first.eth0?.rxRate).toBeUndefined();
    let last = {at: 0, counters: parseNetDev(netDev(0, 0))};
    let traffic = first;
    for (let second = 1; second <= 5; second++) {
      const sample = {at: second * 1000, counters: parseNetDev(netDev(0, second * 1000))};
      traffic = nextTraffic(traffic, last, sample, 3);
      last = sample;
    }
    expect(traffic.eth0?.rxRate).toBe(1000);
    expect(traffic.eth0?.txRate).toBe(2000);
    expect(traffic.eth0?.rxHistory).toEqual([1000, 1000, 1000]);
  });

  it('shows no rate when a counter goes backwards (the interface was re-created)', () => {
    const before = {at: 0, counters: parseNetDev(netDev(0, 5000))};
    const after = {at: 1000, counters: parseNetDev(netDev(0, 10))};
    expect(nextTraffic({}, before, after, 10).eth0?.rxRate).toBeUndefined();
  });
});
