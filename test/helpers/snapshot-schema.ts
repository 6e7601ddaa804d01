/** The documented shape of `porthole --json` (README, "JSON snapshot"). */
export const schema = {
  top: ['host', 'takenAt', 'source', 'interfaces', 'sockets'],
  interface: ['name', 'up', 'mac', 'mtu', 'speed', 'defaultRoute', 'rx', 'tx', 'addresses'],
  address: ['address', 'family', 'prefixLength', 'kind'],
  socket: [
    'protocol',
    'family',
    'state',
    'localAddress',
    'localPort',
    'peerAddress',
    'peerPort',
    'recvQ',
    'sendQ',
    'pid',
    'process',
    'exposure',
  ],
};
