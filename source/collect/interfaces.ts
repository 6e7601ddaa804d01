/**
 * Interfaces and their addresses, what `ip addr show` tells. On Linux the facts come from
 * /sys/class/net and the routing tables in /proc (microseconds); elsewhere from systeminformation,
 * whose networkInterfaces() costs ~80 ms a call and so is read rarely.
 */
import {execFile} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import {parseIpAddrLines} from '../fleet/remote-addresses.js';
import {classifyAddress} from '../net/classify.js';
import type {InterfaceAddress, NetworkInterface} from '../model.js';

export type SystemRoots = {procRoot: string; sysRoot: string};
export const defaultRoots: SystemRoots = {procRoot: '/proc', sysRoot: '/sys'};

type OsAddresses = ReturnType<typeof os.networkInterfaces>;

const IFF_UP = 0x1;
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | null {
  const text = readText(path);
  if (text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** Addresses per interface name from the OS, classified; scope ids become `%zone` suffixes no more. */
export function addressesByName(osAddresses: OsAddresses): Map<string, InterfaceAddress[]> {
  const byName = new Map<string, InterfaceAddress[]>();
  for (const [name, entries] of Object.entries(osAddresses)) {
    const addresses = (entries ?? []).map((entry) => {
      const prefix = Number(entry.cidr?.split('/')[1]);
      return {
        address: entry.address,
        family: entry.family === 'IPv6' ? 6 : 4,
        prefixLength: Number.isFinite(prefix) ? prefix : entry.family === 'IPv6' ? 128 : 32,
        kind: classifyAddress(entry.address),
      } as InterfaceAddress;
    });
    byName.set(name, addresses);
  }
  return byName;
}

function macOf(osAddresses: OsAddresses, name: string): string | null {
  const mac = osAddresses[name]?.[0]?.mac;
  return mac && mac !== '00:00:00:00:00:00' ? mac : null;
}

/** Interface names that carry a default route, from /proc/net/route and /proc/net/ipv6_route. */
export function defaultRouteInterfaces(procRoot: string): Set<string> {
  return parseDefaultRoutes(
    readText(`${procRoot}/net/route`) ?? '',
    readText(`${procRoot}/net/ipv6_route`) ?? '',
  );
}

/** The same from the two files' text (route with its header line). */
export function parseDefaultRoutes(route: string, ipv6Route: string): Set<string> {
  const names = new Set<string>();
  for (const line of route.split('\n').slice(1)) {
    const [iface, destination, , flags, , , , mask] = line.trim().split(/\s+/);
    if (iface && destination === '00000000' && mask === '00000000') {
      if (Number.parseInt(flags ?? '0', 16) & RTF_UP) names.add(iface);
    }
  }
  for (const line of ipv6Route.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const flags = Number.parseInt(fields[8] ?? '0', 16);
    const iface = fields[9];
    if (iface && /^0{32}$/.test(fields[0] ?? '') && fields[1] === '00') {
      if (flags & RTF_UP && !(flags & RTF_REJECT)) names.add(iface);
    }
  }
  return names;
}

/** Whether a link counts as up, from its /sys/class/net flags (hex text) and operstate. */
export function linkUp(flags: string | undefined, operstate: string | undefined): boolean {
  // Loopback and many virtual links report operstate "unknown" while working.
  return (
    Boolean(Number.parseInt(flags ?? '0', 16) & IFF_UP) &&
    (operstate === 'up' || operstate === 'unknown')
  );
}

/** Every interface the kernel knows, down ones and ones without addresses included. */
export function readInterfacesLinux(roots: SystemRoots = defaultRoots): NetworkInterface[] {
  const names = readdirSync(`${roots.sysRoot}/class/net`).sort();
  const osAddresses = os.networkInterfaces();
  const addresses = addressesByName(osAddresses);
  const defaults = defaultRouteInterfaces(roots.procRoot);
  return names.map((name) => {
    const dir = `${roots.sysRoot}/class/net/${name}`;
    const mac = readText(`${dir}/address`);
    return {
      name,
      up: linkUp(readText(`${dir}/flags`), readText(`${dir}/operstate`)),
      mac: mac && mac !== '00:00:00:00:00:00' ? mac : macOf(osAddresses, name),
      mtu: readNumber(`${dir}/mtu`),
      speed: readNumber(`${dir}/speed`),
      defaultRoute: defaults.has(name),
      addresses: addresses.get(name) ?? [],
    };
  });
}

/** Anywhere without /sys: systeminformation for link facts, the OS for addresses. */
export async function readInterfacesPortable(): Promise<NetworkInterface[]> {
  const si = await import('systeminformation');
  const [links, defaultName] = await Promise.all([
    si.networkInterfaces(),
    si.networkInterfaceDefault(),
  ]);
  const osAddresses = os.networkInterfaces();
  const addresses = addressesByName(osAddresses);
  const list = Array.isArray(links) ? links : [links];
  const names = new Set([...list.map((link) => link.iface), ...addresses.keys()]);
  return [...names].sort().map((name) => {
    const link = list.find((candidate) => candidate.iface === name);
    const speed = link?.speed;
    return {
      name,
      up: link ? link.operstate === 'up' || link.internal : true,
      mac: link?.mac || macOf(osAddresses, name),
      mtu: link?.mtu ?? null,
      speed: typeof speed === 'number' && speed > 0 ? speed : null,
      defaultRoute: name === defaultName,
      addresses: addresses.get(name) ?? [],
    };
  });
}

export type InterfacesReader = {
  readonly portable: boolean;
  read(): Promise<NetworkInterface[]>;
};

/** Picks the Linux reader where /sys/class/net can be listed, the portable one elsewhere. */
export function createInterfacesReader(roots: SystemRoots = defaultRoots): InterfacesReader {
  let portable = process.platform !== 'linux';
  if (!portable) {
    try {
      readdirSync(`${roots.sysRoot}/class/net`);
    } catch {
      portable = true;
    }
  }
  if (portable) return {portable, read: readInterfacesPortable};
  // Down links' addresses are this system's only: a /sys of a test fixture has no netlink beside it.
  const withDown = roots.sysRoot === defaultRoots.sysRoot ? createDownAddresses() : undefined;
  return {
    portable,
    read: () => {
      const interfaces = readInterfacesLinux(roots);
      return withDown ? withDown(interfaces) : Promise.resolve(interfaces);
    },
  };
}

type AskAddresses = () => Promise<string>;

const askIp: AskAddresses = () =>
  new Promise((resolve, reject) => {
    execFile('ip', ['-o', 'addr', 'show'], {timeout: 1000}, (error, stdout) => {
      if (error) reject(new Error(error.message));
      else resolve(stdout);
    });
  });

/**
 * The addresses of interfaces that are down, which the OS's list leaves out (libuv skips links
 * that are not up and running, and a down link's routes leave fib_trie): `ip -o addr show` asks
 * netlink, as `ip addr show` does. Asked only while some interface is down with no address, and
 * again when that set changes or after 30 s; no `ip`, or one that fails, leaves them empty.
 */
export function createDownAddresses(
  ask: AskAddresses = askIp,
  now: () => number = Date.now,
): (interfaces: NetworkInterface[]) => Promise<NetworkInterface[]> {
  let asked = '';
  let askedAt = -Infinity;
  let known = new Map<string, InterfaceAddress[]>();
  return async (interfaces) => {
    const bare = (iface: NetworkInterface) => !iface.up && iface.addresses.length === 0;
    const down = interfaces.filter(bare).map((iface) => iface.name);
    if (down.length === 0) return interfaces;
    const key = down.join(' ');
    if (key !== asked || now() - askedAt >= 30_000) {
      asked = key;
      askedAt = now();
      known = await ask().then(parseIpAddrLines, () => new Map());
    }
    return interfaces.map((iface) => {
      const addresses = bare(iface) ? known.get(iface.name) : undefined;
      return addresses ? {...iface, addresses} : iface;
    });
  };
}
