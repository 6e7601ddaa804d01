/**
 * What a poll's socket listing costs to cross from the feed's worker thread to the main thread:
 * the whole listing structured-cloned (what postMessage does: the worker serializes, the main
 * thread deserializes), against the difference from the last listing sent (listing-codec.ts),
 * when 10 of the sockets changed. Medians of 7.
 *
 * Run: node --import tsx bench/worker-message.ts
 */
import v8 from 'node:v8';
import {socketKey, baselineTime, type Listing} from '../source/collect/sockets/changes.js';
import {createListingDecoder, createListingEncoder} from '../source/fleet/listing-codec.js';
import type {Socket} from '../source/model.js';

function socket(at: number): Socket {
  return {
    protocol: 'tcp',
    family: 4,
    state: 'ESTAB',
    localAddress: '127.0.0.1',
    localPort: 10_000 + (at % 50_000),
    peerAddress: '127.0.0.1',
    peerPort: 40_000 + Math.floor(at / 50_000),
    recvQ: 0,
    sendQ: 0,
    pid: 1234,
    process: 'node',
    exposure: 'loopback',
    inode: 100_000 + at,
  };
}

const listingOf = (sockets: Socket[]): Listing => ({
  sockets,
  keys: sockets.map((row) => socketKey(row)),
  seen: sockets.map(() => baselineTime),
});

function median(run: () => number): number {
  const times = Array.from({length: 7}, run).sort((a, b) => a - b);
  return times[3]!;
}

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

for (const count of [10_000, 100_000]) {
  const sockets = Array.from({length: count}, (_, at) => socket(at));
  const listing = listingOf(sockets);
  const whole = {sockets, socketChanges: {listing}};
  let bytes = v8.serialize(whole);
  const send = median(() => timed(() => (bytes = v8.serialize(whole))));
  const receive = median(() => timed(() => void v8.deserialize(bytes)));
  const next = [...sockets];
  for (let change = 0; change < 10; change++) next[change * 997] = socket(count + change);
  const changed = listingOf(next);
  let diffBytes = 0;
  let encodeMs = 0;
  const decodeMs = median(() => {
    const encoder = createListingEncoder();
    const decoder = createListingDecoder();
    decoder.decode(encoder.encode(listing));
    let encoded: Buffer | undefined;
    encodeMs = timed(() => (encoded = v8.serialize(encoder.encode(changed))));
    diffBytes = encoded!.length;
    return timed(() => decoder.decode(v8.deserialize(encoded!) as never));
  });
  console.log(
    `${count} sockets: whole listing ${(bytes.length / 2 ** 20).toFixed(1)} MiB, ` +
      `worker ${send.toFixed(1)} ms to send, main thread ${receive.toFixed(1)} ms to receive; ` +
      `difference (10 changed) ${(diffBytes / 1024).toFixed(0)} KiB, worker ${encodeMs.toFixed(1)} ms, ` +
      `main thread ${decodeMs.toFixed(1)} ms`,
  );
}
