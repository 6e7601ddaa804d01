/**
 * Parses the kernel's socket tables, `/proc/net/{tcp,tcp6,udp,udp6}`, into socket rows that read
 * like `ss -tuan`: states in ss's words, addresses as `inet_ntop` prints them.
 *
 * Queues: for most rows `recvQ` is the kernel's rx_queue and `sendQ` its tx_queue, as in ss. A
 * LISTEN row differs: ss shows Recv-Q = connections waiting in the accept queue and Send-Q = the
 * configured backlog. The kernel prints the accept queue as rx_queue here too, so `recvQ` matches
 * ss, but it does not print the configured backlog anywhere in these files, so `sendQ` is 0 for
 * LISTEN rows (what tx_queue holds for a listener) until listener-details.ts sets it from ss.
 *
 * The parser reads fixed columns by offset instead of splitting or matching each line: it runs on
 * every poll over up to 100k lines, and decoded addresses are cached by their hex spelling.
 */
import {endianness} from 'node:os';
import type {Exposure, Family, Protocol, Socket, SocketState} from '../../model.js';
import {classifyAddress} from '../../net/classify.js';

export type ProcNetTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export const procNetTables: readonly ProcNetTable[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** A socket row as /proc gives it: the owner is filled in later, the uid is the socket's. */
export type ProcSocket = Socket & {uid: number};

/**
 * The rows of the previous reading of a table, in its order, to hand back unchanged ones instead
 * of allocating them again: the kernel keeps the order of sockets that stay, so at 100k sockets
 * a steady poll allocates almost nothing (and promotes nothing into the old space).
 */
export type PreviousRows = {rows: readonly ProcSocket[]; next: number};

// How far ahead in the previous rows to look for the same socket.
const reuseLookahead = 8;

function reusable(
  previous: PreviousRows,
  inode: number,
  localAddress: string,
  localPort: number,
  peerAddress: string,
  peerPort: number,
  state: SocketState,
  recvQ: number,
  sendQ: number,
): ProcSocket | undefined {
  const {rows} = previous;
  const end = Math.min(rows.length, previous.next + reuseLookahead);
  for (let index = previous.next; index < end; index++) {
    const row = rows[index]!;
    if (
      row.inode === inode &&
      row.localPort === localPort &&
      row.peerPort === peerPort &&
      row.localAddress === localAddress &&
      row.peerAddress === peerAddress
    ) {
      previous.next = index + 1;
      // A listener's sendQ is its backlog, set from ss (listener-details.ts); the table's is 0.
      return row.state === state &&
        row.recvQ === recvQ &&
        (row.sendQ === sendQ || state === 'LISTEN')
        ? row
        : undefined;
    }
  }
  return undefined;
}

const tcpStates: readonly SocketState[] = [
  'UNKNOWN',
  'ESTAB', // 01 TCP_ESTABLISHED
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN', // 07 TCP_CLOSE
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV', // 0C
];

/** The ss word for a state code of /proc/net/{tcp,udp}. UDP uses only 01 (connected) and 07. */
export function stateOfCode(code: number, protocol: Protocol): SocketState {
  if (protocol === 'udp') return code === 1 ? 'ESTAB' : code === 7 ? 'UNCONN' : 'UNKNOWN';
  return tcpStates[code] ?? 'UNKNOWN';
}

/** Who can reach a socket bound to `address`: every interface, this machine, or one address. */
export function exposureOf(address: string): Exposure {
  const kind = classifyAddress(address);
  return kind === 'unspecified' ? 'all-interfaces' : kind === 'loopback' ? 'loopback' : 'address';
}

type Decoded = {text: string; exposure: Exposure};

// Distinct addresses are few next to sockets; the cap keeps a scan of many peers from growing it.
const cacheLimit = 65_536;
const decodedV4 = new Map<number, Decoded>();
const decodedV6 = new Map<string, Decoded>();

// The kernel prints each 32-bit word of an address in host byte order.
const littleEndian = endianness() === 'LE';

function hexDigit(code: number): number {
  // '0'-'9' -> 0-9, 'A'-'F' / 'a'-'f' -> 10-15; anything else yields a value > 15.
  return code <= 57 ? code - 48 : (code | 32) - 87;
}

/** Reads `length` hex digits at `start`; -1 if any of them is not a hex digit. */
function readHex(text: Buffer, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = hexDigit(text[i]!);
    if (digit < 0 || digit > 15) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function word4Bytes(word: number): [number, number, number, number] {
  return littleEndian
    ? [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24]
    : [word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255];
}

function decodeV4(word: number): Decoded {
  let decoded = decodedV4.get(word);
  if (decoded === undefined) {
    const text = word4Bytes(word).join('.');
    decoded = {text, exposure: exposureOf(text)};
    if (decodedV4.size >= cacheLimit) decodedV4.clear();
    decodedV4.set(word, decoded);
  }
  return decoded;
}

/** Formats 16 network-order bytes as glibc's inet_ntop does (RFC 5952 style, v4 tails kept). */
export function formatIpv6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestBase = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && words[end] === 0) end++;
    if (end - i > bestLength) {
      bestBase = i;
      bestLength = end - i;
    }
    i = end;
  }
  if (bestLength < 2) bestBase = -1;
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    // ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 tail, as ss prints them.
    if (
      i === 6 &&
      bestBase === 0 &&
      (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))
    ) {
      return text + bytes.slice(12, 16).join('.');
    }
    text += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) text += ':';
  return text;
}

function decodeV6(text: Buffer, start: number): Decoded | undefined {
  const hex = text.toString('latin1', start, start + 32);
  let decoded = decodedV6.get(hex);
  if (decoded === undefined) {
    const bytes: number[] = [];
    for (let w = 0; w < 4; w++) {
      const word = readHex(text, start + w * 8, 8);
      if (word < 0) return undefined;
      bytes.push(...word4Bytes(word));
    }
    const address = formatIpv6(bytes);
    decoded = {text: address, exposure: exposureOf(address)};
    if (decodedV6.size >= cacheLimit) decodedV6.clear();
    decodedV6.set(hex, decoded);
  }
  return decoded;
}

function decodeAddress(text: Buffer, start: number, hexLength: number): Decoded | undefined {
  if (hexLength === 8) {
    const word = readHex(text, start, 8);
    return word < 0 ? undefined : decodeV4(word);
  }
  return decodeV6(text, start);
}

function skipSpaces(text: Buffer, index: number, end: number): number {
  while (index < end && text[index] === 32) index++;
  return index;
}

// Where the last readDecimal stopped; a module variable instead of a returned tuple saves an
// allocation per column on the hot path.
let cursor = 0;

/** Reads a decimal number at `index` (after spaces) and moves `cursor` past it; -1 if none. */
function readDecimal(text: Buffer, index: number, end: number): number {
  index = skipSpaces(text, index, end);
  const start = index;
  let value = 0;
  for (; index < end; index++) {
    const digit = text[index]! - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  cursor = index;
  return index === start ? -1 : value;
}

/**
 * Parses one line: `sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ...`. The columns
 * between the slot number and uid have fixed widths; uid, timeout and inode do not.
 */
function parseLine(
  text: Buffer,
  start: number,
  end: number,
  protocol: Protocol,
  family: Family,
  previous: PreviousRows | undefined,
): ProcSocket | undefined {
  const colon = text.indexOf(58, start); // ':'
  if (colon < 0 || colon >= end) return undefined;
  const hexLength = family === 4 ? 8 : 32;
  const local = skipSpaces(text, colon + 1, end);
  const peer = local + hexLength + 6; // address ":" port(4) " "
  const state = peer + hexLength + 6;
  const queues = state + 3; // tx(8) ":" rx(8)
  const timer = queues + 18; // tr(2) ":" when(8)
  if (
    timer + 21 > end ||
    text[local + hexLength] !== 58 ||
    text[peer + hexLength] !== 58 ||
    text[queues + 8] !== 58
  ) {
    return undefined;
  }
  const localAddress = decodeAddress(text, local, hexLength);
  const peerAddress = decodeAddress(text, peer, hexLength);
  const localPort = readHex(text, local + hexLength + 1, 4);
  const peerPort = readHex(text, peer + hexLength + 1, 4);
  const code = readHex(text, state, 2);
  const sendQ = readHex(text, queues, 8);
  const recvQ = readHex(text, queues + 9, 8);
  if (!localAddress || !peerAddress || localPort < 0 || peerPort < 0 || code < 0) return undefined;
  const uid = readDecimal(text, timer + 21, end); // after "tr:when retrnsmt "
  // timeout may be negative in some kernels' TIME-WAIT rows; only its end matters.
  let index = skipSpaces(text, cursor, end);
  while (index < end && text[index] !== 32) index++;
  const inode = readDecimal(text, index, end);
  if (uid < 0 || inode < 0) return undefined;
  const stateWord = stateOfCode(code, protocol);
  const recv = Math.max(0, recvQ);
  const send = stateWord === 'LISTEN' ? 0 : Math.max(0, sendQ);
  if (previous) {
    const same = reusable(
      previous,
      inode,
      localAddress.text,
      localPort,
      peerAddress.text,
      peerPort,
      stateWord,
      recv,
      send,
    );
    if (same) return same;
  }
  return {
    protocol,
    family,
    state: stateWord,
    localAddress: localAddress.text,
    localPort,
    peerAddress: peerAddress.text,
    peerPort,
    recvQ: recv,
    sendQ: send,
    pid: null,
    process: null,
    exposure: localAddress.exposure,
    inode,
    uid,
  };
}

/**
 * Parses the contents of one /proc/net table, skipping its header and any line it cannot read.
 * Bytes are parsed as they come from the file, without decoding them to a string first. Rows are
 * appended to `into` (one array for all four tables saves copies) and returned.
 */
export function parseProcNet(
  content: Buffer | string,
  table: ProcNetTable,
  into: ProcSocket[] = [],
  previous?: PreviousRows,
): ProcSocket[] {
  // Buffer's native indexOf finds line ends several times faster than a typed-array loop.
  const text = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  const start = text.indexOf(10) + 1; // the header
  if (start === 0) return into;
  return parseProcNetLines(text, start, text.length, table, into, previous);
}

/** Parses the whole lines between `start` and `end` of a table's text (no header among them). */
export function parseProcNetLines(
  text: Buffer,
  start: number,
  end: number,
  table: ProcNetTable,
  into: ProcSocket[],
  previous?: PreviousRows,
): ProcSocket[] {
  const protocol: Protocol = table === 'tcp' || table === 'tcp6' ? 'tcp' : 'udp';
  const family: Family = table === 'tcp6' || table === 'udp6' ? 6 : 4;
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = text.indexOf(10, lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const row = parseLine(text, lineStart, lineEnd, protocol, family, previous);
    if (row) into.push(row);
    lineStart = lineEnd + 1;
  }
  return into;
}
