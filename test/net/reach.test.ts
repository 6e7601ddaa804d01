import {describe, expect, test} from 'vitest';
import type {NetworkInterface, Socket} from '../../source/model.js';
import {reachOf, reachWords} from '../../source/net/reach.js';
import {initialSocketsView} from '../../source/store/sockets-view-state.js';
import {
  filterTerms,
  localEndpoint,
  matchesView,
  ownerLabel,
} from '../../source/ui/sockets/sockets-view.js';
import {classifyAddress} from '../../source/net/classify.js';

const iface = (
  name: string,
  addresses: Array<[string, 4 | 6, number]>,
  up = true,
): NetworkInterface => ({
  name,
  up,
  mac: null,
  mtu: 1500,
  speed: null,
  defaultRoute: false,
  addresses: addresses.map(([address, family, prefixLength]) => ({
    address,
    family,
    prefixLength,
    kind: classifyAddress(address) as NetworkInterface['addresses'][number]['kind'],
  })),
});

const lo = iface('lo', [
  ['127.0.0.1', 4, 8],
  ['::1', 6, 128],
]);
const lan = iface('eth0', [
  ['10.0.0.5', 4, 24],
  ['fe80::1', 6, 64],
]);
const tailnet = iface('tailscale0', [['100.101.1.2', 4, 32]]);
const wan = iface('eth1', [
  ['8.8.4.9', 4, 24],
  ['2a00:1450::5', 6, 64],
]);

const listener = (localAddress: string, family: 4 | 6, extra: Partial<Socket> = {}): Socket => ({
  protocol: 'tcp',
  family,
  state: 'LISTEN',
  localAddress,
  localPort: 8083,
  peerAddress: family === 4 ? '0.0.0.0' : '::',
  peerPort: 0,
  recvQ: 0,
  sendQ: 128,
  pid: 7,
  process: 'nginx',
  exposure:
    localAddress === '0.0.0.0' || localAddress === '::'
      ? 'all-interfaces'
      : classifyAddress(localAddress) === 'loopback'
        ? 'loopback'
        : 'address',
  inode: 1,
  ...extra,
});

describe('reach: who can reach a listener', () => {
  test('a wildcard bind on a host with a public address reaches the internet, every address listed', () => {
    const result = reachOf(listener('0.0.0.0', 4), [lo, lan, wan]);
    expect(result.reach).toBe('internet');
    expect(result.addresses[0]).toEqual({address: '8.8.4.9', interface: 'eth1', kind: 'public'});
    expect(result.addresses.map((a) => a.address).sort()).toEqual(
      ['10.0.0.5', '127.0.0.1', '8.8.4.9'].sort(),
    );
    expect(reachWords(result)).toBe('internet');
  });

  test('without a public address it is the network, named by kind', () => {
    expect(reachWords(reachOf(listener('0.0.0.0', 4), [lo, lan]))).toBe('LAN 10.0.0.5');
    expect(reachWords(reachOf(listener('0.0.0.0', 4), [lo, lan, tailnet]))).toBe('LAN 10.0.0.5 +1');
    expect(reachWords(reachOf(listener('100.101.1.2', 4), [lo, lan, tailnet]))).toBe(
      'tailnet 100.101.1.2',
    );
  });

  test('a bind to one address reaches what that address reaches; loopback is this host', () => {
    expect(reachOf(listener('8.8.4.9', 4), [lo, lan, wan]).reach).toBe('internet');
    expect(reachOf(listener('10.0.0.5', 4), [lo, lan, wan]).reach).toBe('network');
    expect(reachOf(listener('10.0.0.5', 4), [lo, lan, wan]).addresses).toEqual([
      {address: '10.0.0.5', interface: 'eth0', kind: 'private'},
    ]);
    expect(reachWords(reachOf(listener('127.0.0.1', 4), [lo, lan, wan]))).toBe('this host');
    expect(reachWords(reachOf(listener('::1', 6), [lo, lan, wan]))).toBe('this host');
    expect(reachOf(listener('::ffff:10.0.0.5', 6), [lo, lan]).addresses[0]?.interface).toBe('eth0');
  });

  test('a dual-stack [::] answers on IPv4 addresses too; an IPv6-only one does not', () => {
    const v4Public = [lo, iface('eth1', [['8.8.4.9', 4, 24]]), lan];
    expect(reachOf(listener('::', 6, {dualStack: true}), v4Public).reach).toBe('internet');
    // IPv6 only: the public address is IPv4, the IPv6 ones are link-local.
    const v6only = reachOf(listener('::', 6, {dualStack: false}), v4Public);
    expect(v6only.reach).toBe('network');
    expect(v6only.addresses.every((a) => a.address.includes(':'))).toBe(true);
  });

  test('an interface that is down answers nothing', () => {
    const down = iface('eth1', [['8.8.4.9', 4, 24]], false);
    expect(reachOf(listener('0.0.0.0', 4), [lo, down]).reach).toBe('this host');
  });
});

describe('the Sockets view of reach', () => {
  const view = {...initialSocketsView};

  test('a dual-stack listener is written *:PORT and shows with only IPv4 on', () => {
    const dual = listener('::', 6, {dualStack: true});
    const only6 = listener('::', 6, {dualStack: false, localPort: 8090});
    expect(localEndpoint(dual)).toBe('*:8083');
    expect(localEndpoint(only6)).toBe('[::]:8090');
    const ipv4Only = {...view, ipv4: true, ipv6: false};
    expect(matchesView(dual, ipv4Only, [])).toBe(true);
    expect(matchesView(only6, ipv4Only, [])).toBe(false);
  });

  test('exposed only keeps a listener bound to one interface address, not a loopback one', () => {
    const exposed = {...view, exposedOnly: true};
    expect(matchesView(listener('192.0.2.2', 4), exposed, [])).toBe(true);
    expect(matchesView(listener('0.0.0.0', 4), exposed, [])).toBe(true);
    expect(matchesView(listener('127.0.0.1', 4), exposed, [])).toBe(false);
  });

  test('containers name the owner, a published port says where it leads, the filter finds both', () => {
    const id = 'a'.repeat(12) + 'b'.repeat(52);
    const inContainer = listener('0.0.0.0', 4, {
      container: {engine: 'docker', id, name: 'web\u001b]2;x\u0007'},
    });
    expect(ownerLabel(inContainer)).toBe('web^[]2;x^G · nginx 7');
    const unnamed = listener('0.0.0.0', 4, {container: {engine: 'podman', id, name: null}});
    expect(ownerLabel(unnamed)).toBe('aaaaaaaaaaaa · nginx 7');
    const proxy = listener('0.0.0.0', 4, {
      process: 'docker-proxy',
      published: {containerAddress: '172.17.0.2', containerPort: 80, container: 'web'},
    });
    expect(ownerLabel(proxy)).toBe('→ web (172.17.0.2:80)');
    expect(matchesView(inContainer, view, filterTerms('web'))).toBe(true);
    expect(matchesView(unnamed, view, filterTerms('aaaaaaaaaaaa'))).toBe(true);
    expect(matchesView(proxy, view, filterTerms('web'))).toBe(true);
    expect(matchesView(listener('0.0.0.0', 4), view, filterTerms('web'))).toBe(false);
  });
});
