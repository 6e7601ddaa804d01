/** The things porthole shows, as plain data: what collectors produce and the JSON snapshot holds. */
import type {AddressKind} from './net/classify.js';

export type {AddressKind};

export type Family = 4 | 6;

export type InterfaceAddress = {
  address: string;
  family: Family;
  prefixLength: number;
  kind: AddressKind;
};

export type NetworkInterface = {
  name: string;
  up: boolean;
  mac: string | null;
  mtu: number | null;
  /** Link speed in Mbit/s, where the driver reports one. */
  speed: number | null;
  /** This interface carries the default route (IPv4 or IPv6). */
  defaultRoute: boolean;
  addresses: InterfaceAddress[];
};

/** Byte counters of one interface since it came up. */
export type InterfaceCounters = {rx: number; tx: number};

/** Live traffic of one interface: rates need two samples, so the first sample has none. */
export type Traffic = InterfaceCounters & {
  rxRate: number | undefined;
  txRate: number | undefined;
  /** Recent rates, oldest first, for the sparkline. */
  rxHistory: number[];
  txHistory: number[];
};

export type Protocol = 'tcp' | 'udp';

/** Socket states in the words `ss` uses. */
export type SocketState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'UNCONN'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW-SYN-RECV'
  | 'UNKNOWN';

/** Every SocketState, for code that goes through them all (the explain texts' check). */
export const socketStates: readonly SocketState[] = [
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV',
  'UNKNOWN',
];

/** Who can reach a socket: every interface, only this machine, or one address's interface. */
export type Exposure = 'all-interfaces' | 'loopback' | 'address';

export type Socket = {
  protocol: Protocol;
  family: Family;
  state: SocketState;
  localAddress: string;
  localPort: number;
  peerAddress: string;
  peerPort: number;
  recvQ: number;
  sendQ: number;
  pid: number | null;
  process: string | null;
  exposure: Exposure;
  /** Kernel socket inode; 0 where the kernel keeps none (TIME-WAIT). */
  inode: number;
  /**
   * For an IPv6 wildcard listener (`::`): true when it takes IPv4 too (dual-stack, `ss` writes
   * `*:PORT`), false when IPv6 only (`[::]:PORT`). Decided per socket (netlink through `ss`);
   * absent or null where unknown or not such a socket.
   */
  dualStack?: boolean | null;
  /** The container its owner runs in, from `/proc/<pid>/cgroup`; absent or null: none known. */
  container?: Container | null;
  /** A port a container engine published here (docker-proxy, a NAT rule): where it leads. */
  published?: PublishedPort | null;
};

/** A container, as its engine names it. */
export type Container = {
  engine: 'docker' | 'podman' | 'containerd' | 'kubernetes' | 'lxc' | 'other';
  /** The full id from the cgroup path (64 hex digits for Docker, Podman and containerd). */
  id: string;
  /** The engine's name for it, where the engine's CLI answered; else null (show the short id). */
  name: string | null;
};

/** A published port: this listener forwards to a container's address and port. */
export type PublishedPort = {
  containerAddress: string;
  containerPort: number;
  /** The container's name (or short id) where known. */
  container: string | null;
};

/**
 * Who can reach a listener, in words: `internet` (it answers on a public address), `network`
 * (only on private, CGNAT/tailnet, link-local or other non-loopback addresses) or `this host`.
 */
export type Reach = 'internet' | 'network' | 'this host';

/** One address a listener answers on, with its interface and kind. */
export type ReachAddress = {address: string; interface: string; kind: AddressKind};

/**
 * What the packet filter of a host says, as plain data: `checked` with the input chains it read
 * (nft or iptables), or not checked and why (not root, no nft/iptables, unreadable).
 */
export type FirewallReading =
  | {checked: false; why: string}
  | {checked: true; source: 'nft' | 'iptables'; chains: FirewallChain[]};

/** A base chain on the input hook: its policy and its rules in order, reduced to what decides a port. */
export type FirewallChain = {
  /** `ip`, `ip6` or `inet` (both); iptables' filter INPUT is `ip`, ip6tables' `ip6`. */
  family: 'ip' | 'ip6' | 'inet';
  table: string;
  name: string;
  policy: 'accept' | 'drop';
  rules: FirewallRule[];
};

/**
 * One rule reduced: what it matches (protocol and destination ports; null = any, empty = no new
 * connection from another host: ICMP, loopback, established traffic) and its verdict.
 * A rule that matches on anything else (source addresses, interfaces, conntrack state) is kept as
 * `other`: a port it touches cannot be decided plainly.
 */
export type FirewallRule = {
  protocol: Protocol | null;
  ports: readonly (number | readonly [from: number, to: number])[] | null;
  verdict: 'accept' | 'drop' | 'reject' | 'other';
  /** Matches on something besides protocol and port. */
  conditional: boolean;
  /** Only IPv4 (4) or only IPv6 (6) connections, in a chain that sees both; absent: either. */
  family?: Family;
  /** The rule as the tool prints it, one line, for "allowed by rule …". */
  text: string;
};

/** What the firewall says of one listener. */
export type FirewallVerdict =
  | {state: 'not-checked'; why: string}
  | {state: 'undecided'; why: string}
  | {state: 'allowed'; rule: string}
  | {state: 'filtered'; rule: string};

/** Where socket rows came from. */
export type SocketSource = 'proc' | 'systeminformation';

export type SocketEvent = {
  at: number;
  change: 'opened' | 'closed';
  socket: Socket;
};
