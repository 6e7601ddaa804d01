import {describe, expect, test} from 'vitest';
import type {FirewallChain, FirewallReading, NetworkInterface} from '../../source/model.js';
import {reachSaid} from '../../source/collect/reach-firewall.js';

const interfaces: NetworkInterface[] = [
  {
    name: 'lo',
    up: true,
    mac: null,
    mtu: 65536,
    speed: null,
    defaultRoute: false,
    addresses: [{address: '127.0.0.1', family: 4, prefixLength: 8, kind: 'loopback'}],
  },
  {
    name: 'eth0',
    up: true,
    mac: null,
    mtu: 1500,
    speed: null,
    defaultRoute: true,
    addresses: [
      {address: '10.0.0.5', family: 4, prefixLength: 24, kind: 'private'},
      {address: 'fd00::2', family: 6, prefixLength: 64, kind: 'private'},
    ],
  },
];

const dropping = (family: FirewallChain['family'], port: number): FirewallReading => ({
  checked: true,
  source: 'nft',
  chains: [
    {
      family,
      table: 'filter',
      name: 'input',
      policy: 'accept',
      rules: [
        {
          protocol: 'tcp',
          ports: [port],
          verdict: 'drop',
          conditional: false,
          text: `tcp dport ${port} drop`,
        },
      ],
    },
  ],
});

const listener = (localAddress: string, family: 4 | 6, dualStack: boolean | null = null) => ({
  protocol: 'tcp' as const,
  localPort: 8080,
  family,
  localAddress,
  dualStack,
});

describe('reach with the firewall said', () => {
  test('a dropped port is filtered; another port, or no reading, leaves the reach as it is', () => {
    expect(reachSaid(listener('0.0.0.0', 4), interfaces, dropping('inet', 8080))).toEqual({
      reach: 'network',
      words: 'LAN 10.0.0.5 · filtered',
      filtered: true,
    });
    expect(reachSaid(listener('0.0.0.0', 4), interfaces, dropping('inet', 9090)).words).toBe(
      'LAN 10.0.0.5',
    );
    expect(reachSaid(listener('0.0.0.0', 4), interfaces, undefined).words).toBe('LAN 10.0.0.5');
  });

  test('a listener only this host reaches is not judged', () => {
    expect(reachSaid(listener('127.0.0.1', 4), interfaces, dropping('inet', 8080))).toEqual({
      reach: 'this host',
      words: 'this host',
      filtered: false,
    });
  });

  test('a dual-stack listener dropped for one IP version reaches what the other reaches', () => {
    expect(reachSaid(listener('::', 6, true), interfaces, dropping('ip', 8080)).words).toBe(
      'ULA fd00::2 · IPv4 filtered',
    );
    expect(reachSaid(listener('::', 6, true), interfaces, dropping('ip6', 8080)).words).toBe(
      'LAN 10.0.0.5 · IPv6 filtered',
    );
    // IPv6 only: the IPv4 rule does not touch it.
    expect(reachSaid(listener('::', 6, false), interfaces, dropping('ip', 8080)).words).toBe(
      'ULA fd00::2',
    );
  });
});
