/**
 * The portable socket listing: `systeminformation.networkConnections()` (netstat or ss underneath)
 * mapped to the same rows as the /proc reader. It knows no queues (0), no inodes (0) and, on Linux,
 * leaves out UDP sockets that have no peer, because netstat prints no state for them.
 */
import type {Systeminformation} from 'systeminformation';
import type {Family, Protocol, Socket, SocketState} from '../../model.js';
import {exposureOf} from './proc-net.js';

// netstat's words (Linux, BSD, macOS, Windows once systeminformation has translated them) and ss's.
const stateWords: Readonly<Record<string, SocketState>> = {
  ESTABLISHED: 'ESTAB',
  ESTAB: 'ESTAB',
  SYN_SENT: 'SYN-SENT',
  'SYN-SENT': 'SYN-SENT',
  SYN_RECV: 'SYN-RECV',
  SYN_RECEIVED: 'SYN-RECV',
  'SYN-RECV': 'SYN-RECV',
  FIN_WAIT1: 'FIN-WAIT-1',
  FIN_WAIT_1: 'FIN-WAIT-1',
  'FIN-WAIT-1': 'FIN-WAIT-1',
  FIN_WAIT2: 'FIN-WAIT-2',
  FIN_WAIT_2: 'FIN-WAIT-2',
  'FIN-WAIT-2': 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  'TIME-WAIT': 'TIME-WAIT',
  CLOSE: 'UNCONN',
  CLOSED: 'UNCONN',
  UNCONN: 'UNCONN',
  CLOSE_WAIT: 'CLOSE-WAIT',
  'CLOSE-WAIT': 'CLOSE-WAIT',
  LAST_ACK: 'LAST-ACK',
  'LAST-ACK': 'LAST-ACK',
  LISTEN: 'LISTEN',
  LISTENING: 'LISTEN',
  CLOSING: 'CLOSING',
  NEW_SYN_RECV: 'NEW-SYN-RECV',
  'NEW-SYN-RECV': 'NEW-SYN-RECV',
};

function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function port(text: string): number {
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65_535 ? value : 0;
}

/** Maps one row of `networkConnections()`; undefined for rows that are not TCP or UDP. */
export function socketFromConnection(
  connection: Systeminformation.NetworkConnectionsData,
): Socket | undefined {
  const protocolText = String(connection.protocol).toLowerCase();
  const protocol: Protocol | undefined = protocolText.startsWith('tcp')
    ? 'tcp'
    : protocolText.startsWith('udp')
      ? 'udp'
      : undefined;
  if (!protocol) return undefined;
  let localAddress = unbracket(String(connection.localAddress));
  let peerAddress = unbracket(String(connection.peerAddress));
  // tcp6 / udp6 (Linux), tcp46 (macOS dual-stack) or a colon in the address: an IPv6 socket.
  const family: Family =
    protocolText.includes('6') || localAddress.includes(':') || peerAddress.includes(':') ? 6 : 4;
  const wildcard = family === 6 ? '::' : '0.0.0.0';
  if (localAddress === '*' || localAddress === '') localAddress = wildcard;
  if (peerAddress === '*' || peerAddress === '') peerAddress = wildcard;
  const peerPort = port(connection.peerPort);
  const stateText = String(connection.state).toUpperCase();
  const state: SocketState =
    stateWords[stateText] ??
    // A UDP row without a state (Windows) is connected exactly when it has a peer.
    (protocol === 'udp' && stateText === ''
      ? peerPort === 0 && exposureOf(peerAddress) === 'all-interfaces'
        ? 'UNCONN'
        : 'ESTAB'
      : 'UNKNOWN');
  const pid = Number.isInteger(connection.pid) && connection.pid > 0 ? connection.pid : null;
  return {
    protocol,
    family,
    state,
    localAddress,
    localPort: port(connection.localPort),
    peerAddress,
    peerPort,
    recvQ: 0,
    sendQ: 0,
    pid,
    process: pid !== null && connection.process ? connection.process : null,
    exposure: exposureOf(localAddress),
    inode: 0,
  };
}

export type FallbackReading = {sockets: Socket[]; ownersHidden: boolean};

/** Lists sockets through systeminformation, loaded on first use so start-up does not pay for it. */
export async function readFallbackSockets(): Promise<FallbackReading> {
  const {networkConnections} = await import('systeminformation');
  const connections = await networkConnections();
  const sockets: Socket[] = [];
  for (const connection of connections) {
    const socket = socketFromConnection(connection);
    if (socket) sockets.push(socket);
  }
  // Without root, netstat cannot name other users' processes and prints no pid for their sockets.
  const root = process.getuid?.() === 0;
  const ownersHidden =
    !root && sockets.some((socket) => socket.pid === null && socket.state !== 'TIME-WAIT');
  return {sockets, ownersHidden};
}
