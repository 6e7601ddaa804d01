/**
 * The one-shot owner scan finds the same owners on one thread and on two: this process's own
 * sockets among them, by inode.
 */
import {readdirSync, readlinkSync} from 'node:fs';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {ownerWorkerFromSockets, startOwnerScan} from '../../source/collect/sockets/owner-scan.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** The inodes of this process's open sockets, as its fd links name them. */
function ownSocketInodes(): number[] {
  const inodes: number[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.push(Number(link.slice(8, -1)));
    } catch {
      // closed since the listing
    }
  }
  return inodes;
}

describe.skipIf(process.platform !== 'linux')('the one-shot owner scan', () => {
  it('finds this process as the owner of its sockets, on one thread and with a worker', async () => {
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const inodes = ownSocketInodes();
    expect(inodes.length).toBeGreaterThan(0);
    const here = await startOwnerScan('/proc', 0).finish();
    const both = await startOwnerScan('/proc', ownerWorkerFromSockets).finish();
    for (const scan of [here, both]) {
      for (const inode of inodes)
        expect(scan.owners.get(inode), `inode ${inode}`).toBe(process.pid);
      expect(scan.names.get(process.pid)).toBeTruthy();
    }
  });

  it('reads nothing, without failing, from a /proc that is not there', async () => {
    for (const sockets of [0, ownerWorkerFromSockets]) {
      const scan = await startOwnerScan('/nonexistent-proc', sockets).finish();
      expect(scan.owners.size).toBe(0);
    }
  });
});
