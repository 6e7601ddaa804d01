/**
 * porthole's reader on an SSH host: a small program of its own (bundled alone, CommonJS, nothing of
 * Ink or React) that the stream feed (stream-feed.ts) sends over ssh and runs there with the host's
 * Node, as `node FILE --interval MS`. It reads with porthole's own readers (the socket tables with
 * cached owners, /sys/class/net, /proc/net/dev) and writes one JSON line per reading to stdout:
 *
 *   {"hello":1,"node":"20.x","uid":0,"pid":123}                          first, once
 *   {"r":1,"name":…,"interfaces":[…],"counters":{…},"listing":…,…}     a full reading
 *   {"r":2,"counters":{…},"listing":…}                                  then only what changed
 *   {"r":3,"ms":1.2}                                                    nothing moved
 *
 * The socket listing goes as a difference from the last one sent (listing-codec.ts): the reader
 * hands back an unchanged row as the same object, so an unchanged socket costs a run, not a row.
 * A row carries what the reader's enrichers add on the host (a listener's backlog and dual-stack
 * from the host's ss, an owner's container, where a published port leads) where they know it.
 * Control comes on stdin, a line each: `interval MS`, `pause` (answered `{"paused":1}` once the read
 * in flight has ended), `resume`, `ping N` (answered `{"pong":N}` at once). The program ends when
 * stdin ends or stdout breaks, which is what the ssh session going away does, and it removes its
 * own file at start, so nothing of it stays on the host. A read that outlasts the interval (a host
 * of 100k sockets) says `{"busy":1}` each interval meanwhile, so the feed does not take it for a
 * stalled stream.
 */
import fs from 'node:fs';
import os from 'node:os';
import type {InterfaceCounters, Socket} from '../model.js';
import {createSocketsReader} from '../collect/sockets/index.js';
import {readInterfacesLinux} from '../collect/interfaces.js';
import {readCountersLinux} from '../collect/traffic.js';
import {createListingEncoder} from './listing-codec.js';
import {
  minimumNodeMajor,
  oldNodeExitCode,
  type HostHello,
  type HostLine,
} from './host-reader-protocol.js';

function line(value: HostLine): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function countersObject(
  counters: Map<string, InterfaceCounters>,
): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [name, {rx, tx}] of counters) out[name] = [rx, tx];
  return out;
}

function sameCounters(a: Record<string, [number, number]>, b: Record<string, [number, number]>) {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => b[name]?.[0] === a[name]![0] && b[name]?.[1] === a[name]![1]);
}

/** A socket as sent: the reader's row without its uid (which nothing here shows). */
function sent(socket: Socket & {uid?: number}): Socket {
  const rest = {...socket};
  delete rest.uid;
  return rest;
}

function main(): void {
  const major = Number(process.versions.node.split('.', 1)[0]);
  const hello: HostHello = {
    hello: 1,
    node: process.versions.node,
    uid: process.getuid?.() ?? -1,
    pid: process.pid,
  };
  const file = process.argv[1];
  if (file !== undefined && process.argv.includes('--remove-self')) fs.rmSync(file, {force: true});
  if (major < minimumNodeMajor) {
    line({
      ...hello,
      unsupported: `node ${process.versions.node} is older than ${minimumNodeMajor}`,
    });
    process.exit(oldNodeExitCode);
  }
  line(hello);

  const flag = process.argv.indexOf('--interval');
  let intervalMs = Math.max(50, Number(process.argv[flag + 1]) || 1000);
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;
  const sockets = createSocketsReader({source: 'proc', owners: 'cached'});
  const encoder = createListingEncoder();
  let first = true;
  let name: string | undefined;
  let interfacesText: string | undefined;
  let counters: Record<string, [number, number]> | undefined;
  let ownersHidden: boolean | undefined;
  let lastSockets: readonly Socket[] | undefined;
  let lastListed: Socket[] | undefined;
  const owners = hello.uid === 0 ? 'root' : 'user';
  // The rows the reader returned -> the rows sent, so an unchanged row stays the same object.
  let sentRows = new Map<Socket, Socket>();

  const end = () => process.exit(0);
  process.stdout.on('error', end);
  process.stdin.on('end', end);
  process.stdin.on('error', end);

  async function readOnce(): Promise<void> {
    const started = performance.now();
    const out: Extract<HostLine, {r: 1 | 2 | 3}> = {r: first ? 1 : 2};
    const errors: string[] = [];
    const hostName = os.hostname();
    if (hostName !== name) out.name = name = hostName;
    try {
      const interfaces = readInterfacesLinux();
      const text = JSON.stringify(interfaces);
      if (text !== interfacesText) {
        interfacesText = text;
        out.interfaces = interfaces;
      }
    } catch (error) {
      errors.push(`interfaces: ${(error as Error).message}`);
    }
    try {
      const next = countersObject(readCountersLinux('/proc'));
      if (!counters || !sameCounters(counters, next)) out.counters = counters = next;
    } catch (error) {
      errors.push(`traffic: ${(error as Error).message}`);
    }
    try {
      const result = await sockets.read();
      if (result.sockets !== lastSockets) {
        lastSockets = result.sockets;
        const rows = new Map<Socket, Socket>();
        const listed = result.sockets.map((socket) => {
          const row = sentRows.get(socket) ?? sent(socket);
          rows.set(socket, row);
          return row;
        });
        sentRows = rows;
        // Unchanged rows in the same order: nothing to send (the encoder is not asked, so the
        // next difference is based on the listing the dashboard has).
        const same =
          lastListed !== undefined &&
          lastListed.length === listed.length &&
          listed.every((row, at) => lastListed![at] === row);
        if (!same) {
          lastListed = listed;
          // Keys and first-seen times are the dashboard's to make: only identity is compared here.
          const encoded = encoder.encode({sockets: listed, keys: [], seen: []});
          out.listing = {
            base: encoded.base,
            sequence: encoded.sequence,
            runs: Array.from(encoded.runs),
            added: encoded.added,
          };
        }
      }
      if (result.ownersHidden !== ownersHidden)
        out.ownersHidden = ownersHidden = result.ownersHidden;
    } catch (error) {
      errors.push(`sockets: ${(error as Error).message}`);
    }
    if (first) out.owners = owners;
    if (errors.length > 0) out.error = errors.join('; ').split('\n', 1)[0];
    out.ms = Math.round((performance.now() - started) * 10) / 10;
    if (!first && Object.keys(out).length === 2) {
      line({r: 3, ms: out.ms});
    } else {
      line(out);
    }
    first = false;
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    if (paused) return;
    // Reads fall on whole multiples of the interval of the host's clock: hosts whose clocks agree
    // read at the same moments, so a fleet's readings arrive together, as one round.
    timer = setTimeout(tick, intervalMs - (Date.now() % intervalMs));
  }

  function tick(): void {
    timer = undefined;
    if (paused || reading) return;
    // A read longer than the interval (a large host) says it is still at it, so it is not stalled.
    const busy = setInterval(() => line({busy: 1}), intervalMs);
    reading = readOnce()
      .catch((error: unknown) => line({r: 3, error: String((error as Error)?.message ?? error)}))
      .finally(() => {
        clearInterval(busy);
        reading = undefined;
        schedule();
      });
  }

  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const [word, value] = buffered.slice(0, newline).trim().split(/\s+/);
      buffered = buffered.slice(newline + 1);
      if (word === 'ping') line({pong: Number(value) || 0});
      else if (word === 'interval' && Number(value) > 0) {
        intervalMs = Math.max(50, Number(value));
        if (!reading && !paused) schedule();
      } else if (word === 'pause') {
        paused = true;
        clearTimeout(timer);
        timer = undefined;
        void Promise.resolve(reading).then(() => line({paused: 1}));
      } else if (word === 'resume') {
        if (!paused) continue;
        paused = false;
        if (!reading) schedule();
      }
    }
    if (buffered.length > 4096) buffered = '';
  });
  tick();
}

main();
