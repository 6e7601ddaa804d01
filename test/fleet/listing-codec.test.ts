import {describe, expect, it} from 'vitest';
import {baselineTime, socketKey, type Listing} from '../../source/collect/sockets/changes.js';
import {createListingDecoder, createListingEncoder} from '../../source/fleet/listing-codec.js';
import type {Socket} from '../../source/model.js';

function socket(port: number, peerPort = 0): Socket {
  return {
    protocol: 'tcp',
    family: 4,
    state: peerPort ? 'ESTAB' : 'LISTEN',
    localAddress: '127.0.0.1',
    localPort: port,
    peerAddress: peerPort ? '127.0.0.1' : '0.0.0.0',
    peerPort,
    recvQ: 0,
    sendQ: 0,
    pid: 42,
    process: 'node',
    exposure: 'loopback',
    inode: port,
  };
}

function listingOf(sockets: Socket[], seen?: number[]): Listing {
  return {
    sockets,
    keys: sockets.map((row) => socketKey(row)),
    seen: seen ?? sockets.map((row) => (row.localPort % 3 === 0 ? baselineTime : row.localPort)),
  };
}

/** Sends `listings` one after another; what the receiving side rebuilt of each. */
function roundTrip(listings: Listing[]) {
  const encoder = createListingEncoder();
  const decoder = createListingDecoder();
  return listings.map((listing) => {
    const encoded = structuredClone(encoder.encode(listing));
    // How the listing was made from the last one is told beside it (`change`), checked apart.
    const {change, ...decoded} = decoder.decode(encoded);
    return {encoded, decoded, change};
  });
}

describe('listing codec', () => {
  it('rebuilds each listing equal to the one sent, keeping objects of unchanged sockets', () => {
    const first = Array.from({length: 50}, (_, at) => socket(1000 + at, at % 2 ? 2000 + at : 0));
    // Some removed, some added in the middle and at the end, one changed (a new object), order kept.
    const second = [
      ...first.slice(0, 10),
      socket(5000),
      ...first.slice(12, 30),
      {...first[30]!, recvQ: 7},
      ...first.slice(31),
      socket(5001),
      socket(5002),
    ];
    // Reordered: the tail first.
    const third = [...second.slice(40), ...second.slice(0, 40)];
    const listings = [listingOf(first), listingOf(second), listingOf(third)];
    const [a, b, c] = roundTrip(listings);

    expect(a!.decoded).toEqual(listings[0]);
    expect(a!.encoded.base).toBe(0);
    expect(b!.decoded).toEqual(listings[1]);
    expect(c!.decoded).toEqual(listings[2]);

    // Identity: unchanged sockets are the receiver's objects from the listing before.
    const before = new Set(a!.decoded.sockets);
    const kept = b!.decoded.sockets.filter((row) => before.has(row));
    expect(kept).toHaveLength(10 + 18 + 19);
    expect(b!.decoded.sockets[10]).not.toBe(a!.decoded.sockets[10]);
    expect(b!.decoded.sockets[29]).not.toBe(a!.decoded.sockets[30]);
    expect(b!.decoded.sockets[29]!.recvQ).toBe(7);
    expect(c!.decoded.sockets[0]).toBe(b!.decoded.sockets[40]);
    expect(c!.decoded.sockets.at(-1)).toBe(b!.decoded.sockets[39]);

    // Only what changed crosses whole; the rest is a few runs.
    expect(b!.encoded.added).toHaveLength(4);
    expect(b!.encoded.runs.length / 2).toBe(6);
    expect(c!.encoded.added).toHaveLength(0);
    expect(c!.encoded.runs.length / 2).toBe(2);
  });

  it('sends a same object under another key whole', () => {
    const rows = [socket(1), socket(2)];
    const first = listingOf(rows);
    const second: Listing = {...first, keys: [first.keys[0]!, `${first.keys[1]}#2`]};
    const [, b] = roundTrip([first, second]);
    expect(b!.decoded).toEqual(second);
    expect(b!.encoded.added).toHaveLength(1);
  });

  it('sends a same object first seen at another time whole', () => {
    const first = listingOf([socket(1), socket(2)], [baselineTime, 5]);
    const second = listingOf(first.sockets as Socket[], [baselineTime, 4]);
    const [, b] = roundTrip([first, second]);
    expect(b!.decoded).toEqual(second);
    expect(b!.encoded.added).toEqual([socket(2)]);
  });

  it('sends an unchanged listing as one run and its first-seen times', () => {
    const rows = Array.from({length: 10_000}, (_, at) => socket(at % 60_000, 1 + (at % 999)));
    const listing = listingOf(rows);
    const [a, b] = roundTrip([listing, {...listing}]);
    expect(b!.encoded.runs).toEqual(Int32Array.from([0, 10_000]));
    expect(b!.encoded.added).toHaveLength(0);
    expect(b!.decoded).toEqual(listing);
    // The receiver is told it is the last listing whole, as the rows memo patches from it.
    expect(a!.change).toBeUndefined();
    expect(b!.change!.runs).toEqual(Int32Array.from([0, 10_000]));
    expect(b!.change!.previous).toBe(a!.decoded.sockets);
  });

  it('refuses a listing based on one it never got', () => {
    const encoder = createListingEncoder();
    encoder.encode(listingOf([socket(1)]));
    const second = encoder.encode(listingOf([socket(1), socket(2)]));
    expect(() => createListingDecoder().decode(second)).toThrow(/based on 1, not 0/);
    // A run past the end of the base is refused too.
    const decoder = createListingDecoder();
    decoder.decode(createListingEncoder().encode(listingOf([socket(1)])));
    expect(() => decoder.decode({...second, base: 1, runs: Int32Array.from([0, 2])})).toThrow(
      /does not add up/,
    );
  });

  it('rebuilds an empty listing', () => {
    const [a, b] = roundTrip([listingOf([]), listingOf([socket(3)])]);
    expect(a!.decoded).toEqual({sockets: [], keys: [], seen: []});
    expect(b!.decoded.sockets).toEqual([socket(3)]);
  });
});
