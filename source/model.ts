/** The things porthole shows, as plain data: what collectors produce and the JSON snapshot holds. */
import type {AddressKind} from './net/classify.js';

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
};

/** Where socket rows came from. */
export type SocketSource = 'proc' | 'systeminformation';

export type SocketEvent = {
  at: number;
  change: 'opened' | 'closed';
  socket: Socket;
};
