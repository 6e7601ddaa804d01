import {describe, expect, test} from 'vitest';
import type {Socket} from '../../source/model.js';
import {initialSocketsView} from '../../source/store/sockets-view-state.js';
import {createRowsMemo} from '../../source/ui/sockets/sockets-view.js';

const rowsOf = createRowsMemo();

const socket = (localPort: number, peerPort: number, process: string | null): Socket => ({
  protocol: 'tcp',
  family: 4,
  state: 'ESTAB',
  localAddress: '127.0.0.1',
  localPort,
  peerAddress: '127.0.0.1',
  peerPort,
  recvQ: 0,
  sendQ: 0,
  pid: process === null ? null : 4242,
  process,
  exposure: 'loopback',
  inode: 1,
});

const ours = socket(51630, 8443, 'node');
const theirs = socket(51700, 8443, 'curl');
const sockets = [ours, theirs];
const ownConnections = [
  {
    id: 3,
    protocol: 'h2',
    localAddress: '127.0.0.1',
    localPort: 51630,
    remoteAddress: '127.0.0.1',
    remotePort: 8443,
    openedAt: 0,
  },
];

describe('the Sockets filter and porthole own connections', () => {
  test('porthole (or a part of it) finds exactly the Request pane own connections', () => {
    for (const filter of ['porthole', 'porth']) {
      const rows = rowsOf({
        sockets,
        socketsView: {...initialSocketsView, showAll: true, filter},
        ownConnections,
      });
      expect([...rows.order].map((index) => rows.sockets[index]?.localPort)).toEqual([51630]);
    }
  });

  test('without a filter, and for other words, the own connections change nothing', () => {
    const all = rowsOf({
      sockets,
      socketsView: {...initialSocketsView, showAll: true},
      ownConnections,
    });
    expect(all.order.length).toBe(2);
    const curl = rowsOf({
      sockets,
      socketsView: {...initialSocketsView, showAll: true, filter: 'curl'},
      ownConnections,
    });
    expect([...curl.order].map((index) => curl.sockets[index]?.localPort)).toEqual([51700]);
  });
});
