/**
 * How many sockets the kernel counts (TCP in use and in TIME-WAIT, UDP, for IPv4 and IPv6), from
 * /proc/net/sockstat{,6}: two small files, no table walked. Undefined where they cannot be read.
 * What decides, before any table is read, whether a second thread is worth its start.
 */
import {readFileSync} from 'node:fs';

export function countSockets(procRoot = '/proc'): number | undefined {
  let total = 0;
  let read = false;
  for (const file of ['sockstat', 'sockstat6']) {
    let text: string;
    try {
      text = readFileSync(`${procRoot}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    read = true;
    for (const [, protocol, fields] of text.matchAll(/^(TCP6?|UDP6?):(.*)$/gm)) {
      const inuse = Number(/\binuse (\d+)/.exec(fields!)?.[1] ?? 0);
      const tw = protocol!.startsWith('TCP') ? Number(/\btw (\d+)/.exec(fields!)?.[1] ?? 0) : 0;
      total += inuse + tw;
    }
  }
  return read ? total : undefined;
}
