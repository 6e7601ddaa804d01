/**
 * Which container a socket's owner runs in, and where a port published by docker-proxy leads.
 *
 * The container comes from `/proc/<pid>/cgroup`: every engine puts a container's processes in a
 * cgroup named after its id (see parseCgroup). The file is read once per owning pid and again
 * every `recheckMs` (30 s: a pid's cgroup rarely changes, but it can be moved or the pid reused);
 * a pid that owns no socket any more is forgotten. A file that cannot be read means no container.
 *
 * A docker-proxy listener's arguments (`-host-port 8080 -container-ip 172.17.0.2
 * -container-port 80`, from `/proc/<pid>/cmdline`) say where its port leads.
 *
 * Names come from the engines' CLIs, asked in the background (container-engines.ts). Each
 * container and published port is one object, kept while nothing about it changes, since the
 * change tracker tells a changed row by identity; a changed row is a new row object, as with
 * owners, for rows may be last poll's, still on screen.
 */
import {readFileSync} from 'node:fs';
import {isIP} from 'node:net';
import type {Container, PublishedPort} from '../../model.js';
import {
  createEngineNames,
  crictlCli,
  psCli,
  type EngineNames,
  type RunCommand,
} from './container-engines.js';
import type {Enricher} from './enrich.js';
import type {ProcSocket} from './proc-net.js';

export type ContainerRef = {engine: Container['engine']; id: string};

const hex64 = '[0-9a-f]{64}';
/** cgroup directory names that hold one container, by engine (systemd and cgroupfs drivers). */
const scopes: Array<[RegExp, Container['engine']]> = [
  [new RegExp(`^docker-(${hex64})\\.scope$`), 'docker'],
  // `libpod-conmon-<id>.scope` holds podman's monitor, not the container: no match.
  [new RegExp(`^libpod-(${hex64})(?:\\.scope)?$`), 'podman'],
  [new RegExp(`^cri-containerd-(${hex64})\\.scope$`), 'containerd'],
  [new RegExp(`^nerdctl-(${hex64})\\.scope$`), 'containerd'],
  // CRI-O runs containers for Kubernetes only.
  [new RegExp(`^crio-(${hex64})\\.scope$`), 'kubernetes'],
];
const bareId = new RegExp(`^${hex64}$`);
const lxcName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The container a cgroup path names; the innermost wins (Docker in LXC, Docker in Docker). */
function containerOfPath(path: string): ContainerRef | null {
  const segments = path.split('/');
  let found: ContainerRef | null = null;
  let kubepods = false;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    const parent = segments[index - 1];
    if (segment.startsWith('kubepods')) kubepods = true;
    let match: ContainerRef | null = null;
    for (const [pattern, engine] of scopes) {
      const id = pattern.exec(segment)?.[1];
      if (id) match = {engine, id};
    }
    if (!match && bareId.test(segment)) {
      // cgroupfs drivers: /docker/<id>, /kubepods/<qos>/pod<uid>/<id>, /libpod_parent/libpod-<id>.
      if (parent === 'docker') match = {engine: 'docker', id: segment};
      else if (kubepods) match = {engine: 'kubernetes', id: segment};
    }
    if (!match) {
      const name = segment.startsWith('lxc.payload.')
        ? segment.slice('lxc.payload.'.length)
        : parent === 'lxc'
          ? segment
          : undefined;
      if (name !== undefined && lxcName.test(name)) match = {engine: 'lxc', id: name};
    }
    // Under kubepods, whichever runtime made the scope, the container is a pod's.
    if (match)
      found = kubepods && match.engine !== 'lxc' ? {...match, engine: 'kubernetes'} : match;
  }
  return found;
}

/**
 * The container a `/proc/<pid>/cgroup` file places a process in: cgroup v2's `0::/path` line or
 * any v1 `N:controllers:/path` line, the first that names one. Null: none (the host itself).
 */
export function parseCgroup(text: string): ContainerRef | null {
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const found = containerOfPath(line.slice(second + 1));
    if (found) return found;
  }
  return null;
}

export type ProxyArgs = {
  protocol: 'tcp' | 'udp';
  hostPort: number;
  containerAddress: string;
  containerPort: number;
};

function port(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= 65535 ? value : null;
}

/** docker-proxy's arguments, from its NUL-separated `/proc/<pid>/cmdline`; null when not whole. */
export function parseProxyArgs(cmdline: string): ProxyArgs | null {
  const flags = new Map<string, string>();
  const args = cmdline.split('\0');
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const flag = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!flag) continue;
    const value = flag[2] ?? args[index + 1];
    if (value === undefined) continue;
    flags.set(flag[1]!, value);
    if (flag[2] === undefined) index++;
  }
  const proto = flags.get('proto') ?? 'tcp';
  const hostPort = port(flags.get('host-port'));
  const containerPort = port(flags.get('container-port'));
  const containerAddress = flags.get('container-ip') ?? '';
  if ((proto !== 'tcp' && proto !== 'udp') || !hostPort || !containerPort) return null;
  if (!isIP(containerAddress)) return null;
  return {protocol: proto, hostPort, containerAddress, containerPort};
}

export type ContainerEnricherOptions = {
  procRoot: string;
  /** Ask the engines' CLIs for names; only meaningful for this machine's own /proc. */
  askEngines?: boolean;
  run?: RunCommand;
  now?: () => number;
  recheckMs?: number;
  askTimeoutMs?: number;
};

type PidEntry = {
  ref: ContainerRef | null;
  checkedAt: number;
  seen: number;
  /** docker-proxy's arguments, read with the cgroup; undefined until read. */
  proxy?: ProxyArgs | null;
};

const shortId = (id: string) => (bareId.test(id) ? id.slice(0, 12) : id);

export function createContainerEnricher(options: ContainerEnricherOptions): Enricher {
  const {procRoot} = options;
  const now = options.now ?? Date.now;
  const recheckMs = options.recheckMs ?? 30_000;
  const askEngines = options.askEngines ?? procRoot === '/proc';
  const engineOptions = {run: options.run, now, timeoutMs: options.askTimeoutMs};
  const docker = createEngineNames({...engineOptions, cli: psCli('docker')});
  const podman = createEngineNames({...engineOptions, cli: psCli('podman')});
  const crictl = createEngineNames({...engineOptions, cli: crictlCli});
  const namers: Record<Container['engine'], EngineNames | null> = {
    docker,
    podman,
    containerd: crictl,
    kubernetes: crictl,
    lxc: null,
    other: null,
  };

  const pids = new Map<number, PidEntry>();
  const containers = new Map<string, Container>();
  const published = new Map<string, PublishedPort>();
  let poll = 0;

  function readText(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  }

  function entryOf(pid: number, time: number): PidEntry {
    let entry = pids.get(pid);
    if (!entry || time - entry.checkedAt >= recheckMs) {
      const text = readText(`${procRoot}/${pid}/cgroup`);
      const ref = text === null ? null : parseCgroup(text);
      entry = {ref, checkedAt: time, seen: poll};
      pids.set(pid, entry);
    }
    entry.seen = poll;
    return entry;
  }

  function nameOf(ref: ContainerRef): string | null {
    if (ref.engine === 'lxc') return ref.id;
    return askEngines ? (namers[ref.engine]?.name(ref.id) ?? null) : null;
  }

  /** The one object for a container, new only when its name changed. */
  function containerFor(ref: ContainerRef, used: Set<string>): Container {
    const key = `${ref.engine}:${ref.id}`;
    used.add(key);
    const name = nameOf(ref);
    const known = containers.get(key);
    if (known && known.name === name) return known;
    const container: Container = {engine: ref.engine, id: ref.id, name};
    containers.set(key, container);
    return container;
  }

  function publishedFor(proxy: ProxyArgs, used: Set<string>): PublishedPort {
    const key = `${proxy.containerAddress} ${proxy.containerPort}`;
    used.add(key);
    const owner = askEngines ? docker.ownerOf(proxy.containerAddress) : null;
    const container = owner === null ? null : (docker.name(owner) ?? shortId(owner));
    const known = published.get(key);
    if (known && known.container === container) return known;
    const port: PublishedPort = {
      containerAddress: proxy.containerAddress,
      containerPort: proxy.containerPort,
      container,
    };
    published.set(key, port);
    return port;
  }

  function proxyOf(socket: ProcSocket, entry: PidEntry): ProxyArgs | null {
    if (socket.process !== 'docker-proxy') return null;
    if (entry.proxy === undefined) {
      const cmdline = readText(`${procRoot}/${socket.pid}/cmdline`);
      entry.proxy = cmdline === null ? null : parseProxyArgs(cmdline);
    }
    const proxy = entry.proxy;
    const listening =
      socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.peerPort === 0);
    return proxy &&
      listening &&
      proxy.protocol === socket.protocol &&
      proxy.hostPort === socket.localPort
      ? proxy
      : null;
  }

  return {
    apply(sockets) {
      poll++;
      const time = now();
      const usedContainers = new Set<string>();
      const usedPorts = new Set<string>();
      const unnamed = new Map<EngineNames, Set<string>>();
      const unowned = new Set<string>();
      for (let index = 0; index < sockets.length; index++) {
        const socket = sockets[index]!;
        if (socket.pid === null) {
          if (socket.container || socket.published) {
            sockets[index] = {...socket, container: null, published: null};
          }
          continue;
        }
        const entry = entryOf(socket.pid, time);
        const container = entry.ref ? containerFor(entry.ref, usedContainers) : null;
        if (container && container.name === null && entry.ref) {
          const namer = namers[entry.ref.engine];
          if (namer) {
            let ids = unnamed.get(namer);
            if (!ids) unnamed.set(namer, (ids = new Set()));
            ids.add(container.id);
          }
        }
        const proxy = proxyOf(socket, entry);
        const port = proxy ? publishedFor(proxy, usedPorts) : null;
        if (proxy && docker.ownerOf(proxy.containerAddress) === null) {
          unowned.add(proxy.containerAddress);
        }
        if ((socket.container ?? null) !== container || (socket.published ?? null) !== port) {
          sockets[index] = {...socket, container, published: port};
        }
      }
      for (const [pid, entry] of pids) if (entry.seen !== poll) pids.delete(pid);
      for (const key of containers.keys()) if (!usedContainers.has(key)) containers.delete(key);
      for (const key of published.keys()) if (!usedPorts.has(key)) published.delete(key);
      if (askEngines) {
        for (const namer of [docker, podman, crictl]) {
          namer.want(unnamed.get(namer) ?? [], namer === docker ? unowned : []);
        }
      }
      return Promise.resolve();
    },
    async settle() {
      const before = docker.version + podman.version + crictl.version;
      await Promise.all([docker.idle(), podman.idle(), crictl.idle()]);
      return docker.version + podman.version + crictl.version !== before;
    },
  };
}
