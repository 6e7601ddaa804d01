import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {countSockets, feedThread, workerFromSockets} from '../../source/fleet/local-host-feed.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function procWith(sockstat: string, sockstat6?: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'porthole-sockstat-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'net'));
  writeFileSync(path.join(root, 'net', 'sockstat'), sockstat);
  if (sockstat6 !== undefined) writeFileSync(path.join(root, 'net', 'sockstat6'), sockstat6);
  return root;
}

describe("where this machine's feed runs", () => {
  it('counts TCP in use and in TIME-WAIT and UDP, IPv4 and IPv6, from sockstat', () => {
    const root = procWith(
      'sockets: used 90\nTCP: inuse 40 orphan 0 tw 25 alloc 41 mem 3\nUDP: inuse 5 mem 1\nUDPLITE: inuse 0\nRAW: inuse 9\n',
      'TCP6: inuse 7\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 1\n',
    );
    expect(countSockets(root)).toBe(40 + 25 + 5 + 7 + 2);
    expect(countSockets(path.join(root, 'absent'))).toBeUndefined();
  });

  it('in the main thread on an ordinary machine, in a worker from many sockets on', () => {
    expect(feedThread(120)).toBe('main');
    expect(feedThread(undefined)).toBe('main');
    expect(feedThread(workerFromSockets - 1)).toBe('main');
    expect(feedThread(workerFromSockets)).toBe('worker');
    // This machine: read for real, and a decision either way.
    expect(['main', 'worker']).toContain(feedThread(countSockets()));
  });
});
