import ipaddr from 'ipaddr.js';
import {describe, expect, it} from 'vitest';
import {formatIpv6, parseProcNet, stateOfCode} from '../../source/collect/sockets/proc-net.js';

const tcpHeader =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const tcp6Header =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const udpHeader =
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops';

/** A /proc/net/tcp line as the kernel prints it (get_tcp4_sock). */
function tcpLine(
  slot: number,
  local: string,
  peer: string,
  state: string,
  queues = '00000000:00000000',
  uid = 0,
  inode = 0,
): string {
  return `${String(slot).padStart(4)}: ${local} ${peer} ${state} ${queues} 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}

const table = (header: string, lines: string[]) => [header, ...lines].join('\n') + '\n';

describe('parseProcNet, IPv4', () => {
  const text = table(tcpHeader, [
    tcpLine(0, '00000000:1F90', '00000000:0000', '0A', '00000000:00000003', 0, 12345),
    tcpLine(1, '0100007F:0CEA', '00000000:0000', '0A', '00000000:00000000', 1000, 23456),
    tcpLine(2, '0100007F:1F90', '0100007F:D431', '01', '00000010:00000020', 1000, 34567),
    tcpLine(3, '0201A8C0:0016', '0A02A8C0:C350', '01', '00000000:00000000', 0, 45678),
  ]);
  const rows = parseProcNet(text, 'tcp');

  it('reads every row and skips the header', () => {
    expect(rows).toHaveLength(4);
  });

  it('decodes little-endian addresses, hex ports, uid and inode', () => {
    expect(rows[0]).toMatchObject({
      protocol: 'tcp',
      family: 4,
      state: 'LISTEN',
      localAddress: '0.0.0.0',
      localPort: 8080,
      peerAddress: '0.0.0.0',
      peerPort: 0,
      exposure: 'all-interfaces',
      inode: 12345,
      uid: 0,
      pid: null,
      process: null,
    });
    expect(rows[1]).toMatchObject({localAddress: '127.0.0.1', localPort: 3306, uid: 1000});
    expect(rows[1]?.exposure).toBe('loopback');
    expect(rows[3]).toMatchObject({
      localAddress: '192.168.1.2',
      localPort: 22,
      peerAddress: '192.168.2.10',
      peerPort: 50000,
      exposure: 'address',
    });
  });

  it('takes tx_queue as Send-Q and rx_queue as Recv-Q', () => {
    expect(rows[2]).toMatchObject({state: 'ESTAB', sendQ: 16, recvQ: 32, peerPort: 54321});
  });

  it('shows a listener’s accept queue as Recv-Q and no configured backlog', () => {
    expect(rows[0]).toMatchObject({recvQ: 3, sendQ: 0});
  });
});

describe('parseProcNet, TCP states', () => {
  const codes: Array<[string, string]> = [
    ['01', 'ESTAB'],
    ['02', 'SYN-SENT'],
    ['03', 'SYN-RECV'],
    ['04', 'FIN-WAIT-1'],
    ['05', 'FIN-WAIT-2'],
    ['06', 'TIME-WAIT'],
    ['07', 'UNCONN'],
    ['08', 'CLOSE-WAIT'],
    ['09', 'LAST-ACK'],
    ['0A', 'LISTEN'],
    ['0B', 'CLOSING'],
    ['0C', 'NEW-SYN-RECV'],
    ['0D', 'UNKNOWN'],
  ];
  const text = table(
    tcpHeader,
    codes.map(([code], index) =>
      tcpLine(index, '0100007F:1F90', `0100007F:${(40000 + index).toString(16)}`, code),
    ),
  );
  const rows = parseProcNet(text, 'tcp');

  it.each(codes.map(([code, word], index) => [code, word, index] as const))(
    'state %s is %s',
    (_code, word, index) => {
      expect(rows[index]?.state).toBe(word);
    },
  );

  it('maps UDP codes to UNCONN (07) and ESTAB (01, connected)', () => {
    expect(stateOfCode(7, 'udp')).toBe('UNCONN');
    expect(stateOfCode(1, 'udp')).toBe('ESTAB');
    expect(stateOfCode(10, 'udp')).toBe('UNKNOWN');
  });

  it('keeps inode 0 of a TIME-WAIT row (the kernel keeps no socket inode for it)', () => {
    const timeWait =
      '   7: 0100007F:1F90 0100007F:D431 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000';
    const [row] = parseProcNet(table(tcpHeader, [timeWait]), 'tcp');
    expect(row).toMatchObject({state: 'TIME-WAIT', inode: 0, uid: 0});
  });
});

describe('parseProcNet, IPv6', () => {
  const text = table(tcp6Header, [
    `   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0`,
    `   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 222 1 0000000000000000 100 0 0 10 0`,
    `   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1`,
    `   3: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:D000 01 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 20 4 30 10 -1`,
    `   4: 000080FE00000000FF005002FEFF1234:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0`,
  ]);
  const rows = parseProcNet(text, 'tcp6');

  it('prints addresses in the compressed form ss uses', () => {
    expect(rows.map((row) => row.localAddress)).toEqual([
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '2001:db8::1',
      'fe80::250:ff:3412:fffe',
    ]);
    expect(rows[3]?.peerAddress).toBe('2001:db8::2');
  });

  it('classifies exposure: :: everywhere, ::1 and v4-mapped loopback local, others one address', () => {
    expect(rows.map((row) => row.exposure)).toEqual([
      'all-interfaces',
      'loopback',
      'loopback',
      'address',
      'address',
    ]);
  });

  it('marks rows IPv6 TCP and keeps ports, uid and inode', () => {
    expect(rows[1]).toMatchObject({
      protocol: 'tcp',
      family: 6,
      localPort: 631,
      uid: 105,
      inode: 222,
    });
    expect(rows[2]).toMatchObject({state: 'ESTAB', localPort: 8080, peerPort: 0xc000, inode: 333});
  });
});

describe('parseProcNet, UDP and odd input', () => {
  it('reads UDP rows, whose slot column is wider', () => {
    const text = table(udpHeader, [
      `  123: 3500007F:0035 00000000:0000 07 00000000:00000200 00:00000000 00000000   101        0 777 2 0000000000000000 0`,
      `  456: 0100007F:A000 0100007F:0035 01 00000100:00000000 00:00000000 00000000  1000        0 888 2 0000000000000000 0`,
    ]);
    const rows = parseProcNet(text, 'udp');
    expect(rows[0]).toMatchObject({
      protocol: 'udp',
      family: 4,
      state: 'UNCONN',
      localAddress: '127.0.0.53',
      localPort: 53,
      recvQ: 512,
      uid: 101,
      inode: 777,
    });
    expect(rows[1]).toMatchObject({state: 'ESTAB', peerPort: 53, sendQ: 256, inode: 888});
  });

  it('reads slot numbers past 9999, which push the columns right', () => {
    const line = tcpLine(123_456, '0100007F:1F90', '0100007F:D431', '01', undefined, 0, 99);
    expect(parseProcNet(table(tcpHeader, [line]), 'tcp')[0]).toMatchObject({
      localPort: 8080,
      inode: 99,
    });
  });

  it('skips lines it cannot read and returns nothing for a header alone or empty text', () => {
    const text = table(tcpHeader, [
      'garbage',
      '   0: 0100007F:1F90 0100007F', // cut short
      '   1: 0100007Z:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 5 1',
      tcpLine(2, '0100007F:1F90', '0100007F:D431', '01', undefined, 0, 6),
      '',
    ]);
    expect(parseProcNet(text, 'tcp').map((row) => row.inode)).toEqual([6]);
    expect(parseProcNet(tcpHeader + '\n', 'tcp')).toEqual([]);
    expect(parseProcNet('', 'tcp')).toEqual([]);
  });

  it('appends to the array it is given', () => {
    const into = parseProcNet(
      table(tcpHeader, [tcpLine(0, '0100007F:0001', '00000000:0000', '0A')]),
      'tcp',
    );
    parseProcNet(
      table(udpHeader, [tcpLine(0, '0100007F:0002', '00000000:0000', '07')]),
      'udp',
      into,
    );
    expect(into.map((row) => `${row.protocol}:${row.localPort}`)).toEqual(['tcp:1', 'udp:2']);
  });
});

describe('formatIpv6', () => {
  const bytesOf = (text: string) => ipaddr.IPv6.parse(text).toByteArray();

  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero is not compressed
    ['fe80::', 'fe80::'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
  ])('%s -> %s', (input, expected) => {
    expect(formatIpv6(bytesOf(input))).toBe(expected);
  });

  it('prints an IPv4-compatible address with its IPv4 tail, as glibc does', () => {
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3])).toBe('::10.1.2.3');
  });

  it('agrees with RFC 5952 on addresses without an IPv4 tail', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let n = 0; n < 500; n++) {
      const words = Array.from({length: 8}, () =>
        random() < 0.4 ? 0 : Math.floor(random() * 65_536),
      );
      if (words.slice(0, 5).every((word) => word === 0)) words[0] = 0x2001;
      const address = new ipaddr.IPv6(words);
      expect(formatIpv6(address.toByteArray())).toBe(address.toRFC5952String());
    }
  });
});

describe('parseProcNet, handing back unchanged rows', () => {
  const lines = (state: string) => [
    tcpLine(0, '0100007F:1F90', '00000000:0000', '0A', '00000000:00000000', 0, 101),
    tcpLine(1, '0100007F:1F90', '0100007F:C350', state, '00000000:00000000', 0, 102),
    tcpLine(2, '0100007F:C350', '0100007F:1F90', '01', '00000000:00000000', 0, 103),
  ];

  it('returns the same objects for rows that did not change, new ones for those that did', () => {
    const first = parseProcNet(table(tcpHeader, lines('01')), 'tcp');
    const same = parseProcNet(table(tcpHeader, lines('01')), 'tcp', [], {rows: first, next: 0});
    expect(same).toHaveLength(3);
    same.forEach((row, index) => expect(row).toBe(first[index]));

    const changed = parseProcNet(table(tcpHeader, lines('08')), 'tcp', [], {rows: first, next: 0});
    expect(changed[0]).toBe(first[0]);
    expect(changed[1]).not.toBe(first[1]);
    expect(changed[1]).toMatchObject({state: 'CLOSE-WAIT', inode: 102});
    expect(changed[2]).toBe(first[2]);
  });

  it('finds rows that moved a little, and never hands back another socket', () => {
    const first = parseProcNet(table(tcpHeader, lines('01')), 'tcp');
    const reordered = [lines('01')[2]!, lines('01')[0]!, lines('01')[1]!];
    const again = parseProcNet(table(tcpHeader, reordered), 'tcp', [], {rows: first, next: 0});
    expect(again.map((row) => row.inode)).toEqual([103, 101, 102]);
    for (const row of again) expect(row).toEqual(first.find((old) => old.inode === row.inode));
  });
});
