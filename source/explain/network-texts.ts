/**
 * Plain words for what the Addresses and Sockets panes show: address kinds (with the ranges
 * each holds), socket states, reach, dual-stack and the firewall's verdicts. Each is a Record
 * over the model's own union, so a kind or state added there does not compile until it is
 * explained here.
 */
import type {AddressKind, FirewallVerdict, Reach, SocketState} from '../model.js';
import type {Explanation} from './types.js';

/** A range as a person names it, with the document that sets it aside. */
export type NamedRange = {cidr: string; kind: AddressKind; name: string; ref: string};

/**
 * The special ranges, most specific first (the first that holds an address names it). The
 * kinds agree with classify.ts; this table only adds the names and references.
 */
export const namedRanges: readonly NamedRange[] = [
  {cidr: '0.0.0.0/32', kind: 'unspecified', name: 'the unspecified address', ref: 'RFC 1122'},
  {cidr: '0.0.0.0/8', kind: 'reserved', name: '"this network"', ref: 'RFC 1122 §3.2.1.3'},
  {cidr: '10.0.0.0/8', kind: 'private', name: 'private network', ref: 'RFC 1918'},
  {cidr: '100.64.0.0/10', kind: 'cgnat', name: 'shared (CGNAT) space', ref: 'RFC 6598'},
  {cidr: '127.0.0.0/8', kind: 'loopback', name: 'loopback', ref: 'RFC 1122 §3.2.1.3'},
  {cidr: '169.254.0.0/16', kind: 'link-local', name: 'IPv4 link-local', ref: 'RFC 3927'},
  {cidr: '172.16.0.0/12', kind: 'private', name: 'private network', ref: 'RFC 1918'},
  {cidr: '192.0.0.9/32', kind: 'public', name: 'PCP anycast', ref: 'RFC 7723'},
  {cidr: '192.0.0.10/32', kind: 'public', name: 'TURN anycast', ref: 'RFC 8155'},
  {cidr: '192.0.0.0/24', kind: 'reserved', name: 'IETF protocol assignments', ref: 'RFC 6890'},
  {cidr: '192.0.2.0/24', kind: 'reserved', name: 'documentation (TEST-NET-1)', ref: 'RFC 5737'},
  {cidr: '192.88.99.0/24', kind: 'reserved', name: 'former 6to4 relay anycast', ref: 'RFC 7526'},
  {cidr: '192.168.0.0/16', kind: 'private', name: 'private network', ref: 'RFC 1918'},
  {cidr: '198.18.0.0/15', kind: 'reserved', name: 'benchmarking', ref: 'RFC 2544'},
  {cidr: '198.51.100.0/24', kind: 'reserved', name: 'documentation (TEST-NET-2)', ref: 'RFC 5737'},
  {cidr: '203.0.113.0/24', kind: 'reserved', name: 'documentation (TEST-NET-3)', ref: 'RFC 5737'},
  {cidr: '224.0.0.0/4', kind: 'multicast', name: 'IPv4 multicast', ref: 'RFC 5771'},
  {cidr: '255.255.255.255/32', kind: 'reserved', name: 'limited broadcast', ref: 'RFC 919'},
  {cidr: '240.0.0.0/4', kind: 'reserved', name: 'reserved for future use', ref: 'RFC 1112'},
  {cidr: '::/128', kind: 'unspecified', name: 'the unspecified address', ref: 'RFC 4291 §2.5.2'},
  {cidr: '::1/128', kind: 'loopback', name: 'loopback', ref: 'RFC 4291 §2.5.3'},
  {cidr: '64:ff9b::/96', kind: 'public', name: 'well-known NAT64 prefix', ref: 'RFC 6052'},
  {cidr: '64:ff9b:1::/48', kind: 'reserved', name: 'local-use NAT64', ref: 'RFC 8215'},
  {cidr: '100::/64', kind: 'reserved', name: 'discard-only', ref: 'RFC 6666'},
  {cidr: '2001:db8::/32', kind: 'reserved', name: 'documentation', ref: 'RFC 3849'},
  {cidr: '2001:2::/48', kind: 'reserved', name: 'benchmarking', ref: 'RFC 5180'},
  {cidr: '2001::/32', kind: 'reserved', name: 'Teredo', ref: 'RFC 4380'},
  {cidr: '2001::/23', kind: 'reserved', name: 'IETF protocol assignments', ref: 'RFC 2928'},
  {cidr: '3fff::/20', kind: 'reserved', name: 'documentation', ref: 'RFC 9637'},
  {cidr: '5f00::/16', kind: 'reserved', name: 'SRv6 SIDs', ref: 'RFC 9602'},
  {cidr: 'fc00::/7', kind: 'private', name: 'unique local (ULA)', ref: 'RFC 4193'},
  {cidr: 'fe80::/10', kind: 'link-local', name: 'IPv6 link-local', ref: 'RFC 4291 §2.5.6'},
  {cidr: 'ff00::/8', kind: 'multicast', name: 'IPv6 multicast', ref: 'RFC 4291 §2.7'},
  {cidr: '2000::/3', kind: 'public', name: 'global unicast', ref: 'RFC 4291 §2.4'},
];

export const kindTexts: Record<AddressKind, Explanation> = {
  loopback: {
    title: 'loopback',
    paragraphs: [
      '127.0.0.0/8 and ::1: the host talking to itself. Packets never leave the machine.',
      'Who can reach it: programs on this host only (and anyone who can forward a port to it, such as ssh -L).',
    ],
    refs: ['RFC 1122 §3.2.1.3', 'RFC 4291 §2.5.3'],
  },
  private: {
    title: 'private',
    paragraphs: [
      'IPv4 private networks 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16, and IPv6 unique local addresses (ULA, fc00::/7). They are not routed on the internet; every home and office network reuses them.',
      'Who can reach it: machines on the same network (LAN, office, VPN, the café Wi-Fi you are on), and the internet only through a port forward or NAT rule on a router.',
    ],
    refs: ['RFC 1918', 'RFC 4193'],
  },
  'link-local': {
    title: 'link-local',
    paragraphs: [
      '169.254.0.0/16 and fe80::/10: addresses valid on one link only. IPv4 picks one itself when no DHCP answers; every IPv6 interface has one. An IPv6 link-local address needs its interface (%eth0) to be used.',
      'Who can reach it: machines on the same cable, switch or Wi-Fi segment. No router forwards it.',
    ],
    refs: ['RFC 3927', 'RFC 4291 §2.5.6'],
  },
  cgnat: {
    title: 'CGNAT / shared address space',
    paragraphs: [
      '100.64.0.0/10: set aside for carrier-grade NAT, between an ISP and its customers. Tailnets such as Tailscale give each device an address from it, so on a tailscale0 interface it means the tailnet.',
      "Who can reach it: the other devices of that tailnet (as its access rules allow), or the carrier's network. Not the internet directly.",
    ],
    refs: ['RFC 6598'],
  },
  multicast: {
    title: 'multicast',
    paragraphs: [
      '224.0.0.0/4 and ff00::/8: group addresses. A packet sent to one reaches every member of the group; a socket bound to one has joined the group (mDNS on 224.0.0.251, SSDP on 239.255.255.250).',
      'Who can reach it: senders on networks that carry the group, usually the local link only.',
    ],
    refs: ['RFC 5771', 'RFC 4291 §2.7'],
  },
  unspecified: {
    title: 'unspecified (any address)',
    paragraphs: [
      '0.0.0.0 and ::: "no address in particular". Never a destination; a listener bound to it answers on every address of the host, on every interface, including those that come up later.',
    ],
    refs: ['RFC 1122 §3.2.1.3', 'RFC 4291 §2.5.2'],
  },
  reserved: {
    title: 'reserved / special purpose',
    paragraphs: [
      'Set aside by the IETF and not routed on the internet: documentation examples (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20), benchmarking (198.18.0.0/15, 2001:2::/48), future use (240.0.0.0/4), protocol assignments, and IPv6 space IANA has not allocated.',
      'Who can reach it: whatever network uses it locally; a test lab, a container network or a misconfiguration. Seen on a real interface, it is worth a second look.',
    ],
    refs: ['RFC 6890', 'RFC 5737', 'RFC 3849', 'RFC 9637', 'RFC 2544'],
  },
  public: {
    title: 'public',
    paragraphs: [
      'A globally routed address: IPv4 outside the special ranges, IPv6 global unicast (2000::/3).',
      'Who can reach it: anyone on the internet, unless a firewall on this host or on the way (a router, a cloud security group) stops them.',
    ],
    refs: ['RFC 6890', 'RFC 4291 §2.4'],
  },
};

const queues =
  'Recv-Q: bytes received that the application has not read yet. Send-Q: bytes sent that the peer has not acknowledged yet.';

export const stateTexts: Record<SocketState, Explanation> = {
  LISTEN: {
    title: 'LISTEN',
    paragraphs: [
      'Waiting for connections. A new connection completes in the kernel, waits in the accept queue, and is taken from there by accept().',
      'For a listener ss shows Recv-Q = connections waiting in the accept queue, and Send-Q = the backlog, the size of that queue (listen() asks for it, net.core.somaxconn caps it).',
      'Recv-Q near the backlog: the service has stopped accepting (busy or stuck). Once the queue is full, new connections are dropped and clients time out (netstat -s counts "times the listen queue of a socket overflowed").',
    ],
    refs: ['RFC 9293 §3.3.2', 'listen(2)'],
  },
  ESTAB: {
    title: 'ESTAB (established)',
    paragraphs: [
      'An open connection; data flows both ways.',
      queues,
      'A Recv-Q that keeps growing: the application is not reading. A Send-Q that keeps growing: the peer or the network is slow, or gone.',
    ],
    refs: ['RFC 9293 §3.3.2'],
  },
  'SYN-SENT': {
    title: 'SYN-SENT',
    paragraphs: [
      'This host sent a SYN to open a connection and waits for the answer.',
      'One that stays: the peer does not answer, often a firewall that drops rather than rejects. connect() gives up after about two minutes on Linux (net.ipv4.tcp_syn_retries).',
    ],
    refs: ['RFC 9293 §3.5'],
  },
  'SYN-RECV': {
    title: 'SYN-RECV',
    paragraphs: [
      'A peer asked to connect (SYN); this host answered (SYN-ACK) and waits for the last ACK of the handshake.',
      'Many at once: a SYN flood, or clients whose answers are lost. Linux then falls back to SYN cookies (net.ipv4.tcp_syncookies).',
    ],
    refs: ['RFC 9293 §3.5', 'RFC 4987'],
  },
  'NEW-SYN-RECV': {
    title: 'NEW-SYN-RECV',
    paragraphs: [
      "Linux's half-open connection of a listener: a SYN came, a SYN-ACK went, the final ACK has not. It is kept as a small request socket in the listener's SYN queue until the handshake ends.",
      'Many at once: as SYN-RECV, a SYN flood or a lossy path.',
    ],
    refs: ['RFC 9293 §3.5'],
  },
  'FIN-WAIT-1': {
    title: 'FIN-WAIT-1',
    paragraphs: [
      'This side closed and sent its FIN; it waits for the peer to acknowledge it. Usually gone in a round trip.',
    ],
    refs: ['RFC 9293 §3.6'],
  },
  'FIN-WAIT-2': {
    title: 'FIN-WAIT-2',
    paragraphs: [
      'This side closed and the peer acknowledged; now it waits for the peer to close too. Once the application has let go, Linux ends it after net.ipv4.tcp_fin_timeout (60 s).',
    ],
    refs: ['RFC 9293 §3.6'],
  },
  'TIME-WAIT': {
    title: 'TIME-WAIT',
    paragraphs: [
      'The connection is over; the side that closed first keeps its addresses and ports for a while, so that a late packet of the old connection is not taken into a new one with the same ports, and its last ACK can be sent again if lost. Linux keeps it 60 s (fixed: TCP_TIMEWAIT_LEN). No process owns it any more.',
      'Thousands are normal on a busy server and cost little. They are a problem on a client that opens many short connections to one peer (address and port): each holds a local port, and the ephemeral range (net.ipv4.ip_local_port_range, 28,232 ports by default) runs out: connect() fails with EADDRNOTAVAIL. Reuse connections (keep-alive, pools) or let net.ipv4.tcp_tw_reuse reuse them for outgoing ones.',
    ],
    refs: ['RFC 9293 §3.6', 'RFC 6191'],
  },
  'CLOSE-WAIT': {
    title: 'CLOSE-WAIT',
    paragraphs: [
      'The peer closed its side; the kernel waits for the application to close its socket. Nothing times this out: it lasts until the application calls close().',
      'A few pass quickly. Many, or a count that only grows, is a leak in the application: it does not close connections the other side has finished with (file descriptors pile up until it runs out). Fix the code, or restart it to free them.',
    ],
    refs: ['RFC 9293 §3.6'],
  },
  'LAST-ACK': {
    title: 'LAST-ACK',
    paragraphs: [
      'The peer closed first, then this side closed; it waits for the acknowledgement of its FIN. Gone in a round trip, or after retries if the peer has vanished.',
    ],
    refs: ['RFC 9293 §3.6'],
  },
  CLOSING: {
    title: 'CLOSING',
    paragraphs: [
      'Both sides closed at the same moment; each waits for the other to acknowledge its FIN. Rare and brief.',
    ],
    refs: ['RFC 9293 §3.6'],
  },
  UNCONN: {
    title: 'UNCONN (UDP, unconnected)',
    paragraphs: [
      'A UDP socket with no fixed peer: bound to a port, it takes datagrams from anyone who can reach its address. It is what a UDP service (DNS, DHCP, mDNS, QUIC) looks like; UDP has no handshake and no LISTEN.',
      'Recv-Q: bytes of datagrams waiting to be read; when the buffer is full, new ones are dropped.',
    ],
    refs: ['RFC 768'],
  },
  UNKNOWN: {
    title: 'UNKNOWN',
    paragraphs: ['The kernel reported a state porthole has no name for.'],
    refs: [],
  },
};

export const reachTexts: Record<Reach, Explanation> = {
  internet: {
    title: 'reach: internet',
    paragraphs: [
      'It answers on a public address: anyone on the internet can connect, unless a firewall on this host or on the way filters the port.',
      'To narrow it: bind to 127.0.0.1 (or ::1) when only this host needs it, or to a private address when only the LAN does; or add a firewall rule that drops the port, or accepts it only from the addresses that need it.',
    ],
    refs: [],
  },
  network: {
    title: 'reach: network',
    paragraphs: [
      'It answers only on private, tailnet/CGNAT, link-local or other non-public addresses: machines on those networks can connect, the internet cannot directly (a port forward on a router can still open it).',
      'To narrow it: bind to 127.0.0.1 when only this host needs it, or to the one address whose network needs it; or a firewall rule.',
    ],
    refs: ['RFC 1918', 'RFC 6598'],
  },
  'this host': {
    title: 'reach: this host',
    paragraphs: [
      'It answers on loopback only: programs on this machine can connect, nothing else can. From elsewhere, go through ssh -L.',
    ],
    refs: ['RFC 1122 §3.2.1.3'],
  },
};

export const stackTexts = {
  'dual-stack': {
    title: 'dual-stack',
    paragraphs: [
      "An IPv6 listener on :: that takes IPv4 too: IPv4 clients arrive as mapped addresses (::ffff:192.0.2.1). ss writes it *:PORT. It is Linux's default (net.ipv6.bindv6only = 0) unless the program sets IPV6_V6ONLY.",
      "Its reach is that of the host's IPv4 and IPv6 addresses together.",
    ],
    refs: ['RFC 3493 §5.3', 'RFC 4291 §2.5.5.2'],
  },
  'ipv6-only': {
    title: 'IPv6 only',
    paragraphs: [
      'An IPv6 listener on :: with IPV6_V6ONLY set: it takes IPv6 only, ss writes it [::]:PORT. IPv4 clients need a separate listener on 0.0.0.0 (which another program may hold).',
    ],
    refs: ['RFC 3493 §5.3'],
  },
} satisfies Record<string, Explanation>;

export const verdictTexts: Record<FirewallVerdict['state'], Explanation> = {
  'not-checked': {
    title: 'firewall: not checked',
    paragraphs: [
      "porthole could not read this host's packet filter (not root, no nft or iptables): it says nothing either way, and the reach is the bind's alone.",
    ],
    refs: [],
  },
  undecided: {
    title: 'firewall: undecided',
    paragraphs: [
      'A rule on the way depends on more than protocol and port (source addresses, an interface, connection state): who gets through cannot be said plainly. Read the rule.',
    ],
    refs: [],
  },
  allowed: {
    title: 'firewall: allowed',
    paragraphs: [
      "The host's input rules accept this port (a rule, or the chain's policy): the reach stands. Filters elsewhere (a router, a cloud security group) are not seen from here.",
    ],
    refs: [],
  },
  filtered: {
    title: 'firewall: filtered',
    paragraphs: [
      "A rule drops or rejects this port before it reaches the listener: from other hosts it is closed, whatever the bind says. Whether this host's own programs get through depends on the rule (one that matches the loopback interface, `iif lo`, lets them).",
    ],
    refs: [],
  },
};

/** Other words the Sockets pane shows. */
export const socketWordTexts = {
  'recv-q': {
    title: 'Recv-Q',
    paragraphs: [
      'For a listener: connections waiting in the accept queue. For a connection or UDP socket: bytes received that the application has not read yet.',
    ],
    refs: ['ss(8)'],
  },
  'send-q': {
    title: 'Send-Q',
    paragraphs: [
      'For a listener: the backlog, the size of its accept queue. For a connection: bytes sent that the peer has not acknowledged yet.',
    ],
    refs: ['ss(8)'],
  },
  container: {
    title: 'container',
    paragraphs: [
      "The socket's process runs in a container (its cgroup names the engine and id). A listener in the host's network namespace is reachable as the host's own; a container with its own network is reached through a published port.",
    ],
    refs: [],
  },
  published: {
    title: 'published port',
    paragraphs: [
      "A port a container engine opened on the host (docker-proxy or a NAT rule) that leads to a container's address and port. Published on 0.0.0.0, it is as exposed as any wildcard listener, and Docker's NAT rules pass before the host's INPUT chain.",
    ],
    refs: [],
  },
} satisfies Record<string, Explanation>;
