/**
 * Names of well-known ports, from a small built-in table (IANA service names where they are
 * familiar, common usage otherwise). No lookup in /etc/services or on the network: a port's name
 * is a hint for people, and it must not depend on the machine or cost anything.
 */
import type {Protocol} from '../model.js';

type Entry = readonly [port: number, name: string, protocols?: readonly Protocol[]];

const tcp: readonly Protocol[] = ['tcp'];
const udp: readonly Protocol[] = ['udp'];

const entries: readonly Entry[] = [
  [20, 'ftp-data', tcp],
  [21, 'ftp', tcp],
  [22, 'ssh', tcp],
  [23, 'telnet', tcp],
  [25, 'smtp', tcp],
  [53, 'dns'],
  [67, 'dhcp', udp],
  [68, 'dhcp-client', udp],
  [69, 'tftp', udp],
  [80, 'http', tcp],
  [88, 'kerberos'],
  [110, 'pop3', tcp],
  [111, 'rpcbind'],
  [123, 'ntp', udp],
  [137, 'netbios-ns', udp],
  [138, 'netbios-dgm', udp],
  [139, 'netbios-ssn', tcp],
  [143, 'imap', tcp],
  [161, 'snmp', udp],
  [162, 'snmptrap', udp],
  [179, 'bgp', tcp],
  [389, 'ldap', tcp],
  [443, 'https', tcp],
  [443, 'quic', udp],
  [445, 'smb', tcp],
  [465, 'smtp', tcp], // submissions (implicit TLS)
  [500, 'isakmp', udp],
  [514, 'syslog', udp],
  [546, 'dhcpv6-client', udp],
  [547, 'dhcpv6', udp],
  [587, 'smtp', tcp], // submission
  [631, 'ipp', tcp],
  [636, 'ldaps', tcp],
  [853, 'dns-over-tls', tcp],
  [873, 'rsync', tcp],
  [993, 'imaps', tcp],
  [995, 'pop3s', tcp],
  [1080, 'socks', tcp],
  [1194, 'openvpn'],
  [1433, 'mssql', tcp],
  [1521, 'oracle', tcp],
  [1883, 'mqtt', tcp],
  [1900, 'ssdp', udp],
  [2049, 'nfs'],
  [2375, 'docker', tcp],
  [2376, 'docker-tls', tcp],
  [2379, 'etcd', tcp],
  [2380, 'etcd-peer', tcp],
  [3000, 'dev-http', tcp],
  [3306, 'mysql', tcp],
  [3389, 'rdp', tcp],
  [3478, 'stun'],
  [4369, 'epmd', tcp],
  [5000, 'dev-http', tcp],
  [5222, 'xmpp', tcp],
  [5353, 'mdns', udp],
  [5355, 'llmnr'],
  [5432, 'postgresql', tcp],
  [5672, 'amqp', tcp],
  [5900, 'vnc', tcp],
  [5984, 'couchdb', tcp],
  [6379, 'redis', tcp],
  [6443, 'kube-api', tcp],
  [6881, 'bittorrent'],
  [8000, 'http-alt', tcp],
  [8080, 'http-alt', tcp],
  [8086, 'influxdb', tcp],
  [8443, 'https-alt', tcp],
  [8883, 'mqtts', tcp],
  [9000, 'http-alt', tcp],
  [9090, 'prometheus', tcp],
  [9092, 'kafka', tcp],
  [9100, 'node-exporter', tcp],
  [9200, 'elasticsearch', tcp],
  [9300, 'elasticsearch-node', tcp],
  [9418, 'git', tcp],
  [10250, 'kubelet', tcp],
  [11211, 'memcached'],
  [15672, 'rabbitmq-admin', tcp],
  [25565, 'minecraft', tcp],
  [27017, 'mongodb', tcp],
  [51820, 'wireguard', udp],
];

const byProtocol: Record<Protocol, Map<number, string>> = {tcp: new Map(), udp: new Map()};
for (const [port, name, protocols = ['tcp', 'udp'] as const] of entries) {
  for (const protocol of protocols) byProtocol[protocol].set(port, name);
}

/** The usual service on a port, e.g. serviceName(5432, 'tcp') -> 'postgresql'; undefined if none. */
export function serviceName(port: number, protocol: Protocol): string | undefined {
  return byProtocol[protocol].get(port);
}
