/**
 * Reach with the firewall's word on it, as the Sockets table and the plain snapshot say it: a
 * reachable listener whose port the input filter drops is `LAN 10.0.0.5 · filtered`; a dual-stack
 * one whose port is dropped for one IP version only reaches what the other version reaches
 * (`ULA fd00::2 · IPv4 filtered`). A reach of this host alone is never judged: the filter stands
 * between this host and others.
 */
import type {FirewallReading, NetworkInterface, Reach, Socket} from '../model.js';
import {reachOf, reachWords} from '../net/reach.js';
import {judgePort} from './firewall.js';

export type ReachSaid = {reach: Reach; words: string; filtered: boolean};

type Judged = Pick<Socket, 'protocol' | 'localPort' | 'family' | 'localAddress' | 'dualStack'>;

export function reachSaid(
  socket: Judged,
  interfaces: readonly NetworkInterface[],
  firewall: FirewallReading | undefined,
): ReachSaid {
  const result = reachOf(socket, interfaces);
  const said = {reach: result.reach, words: reachWords(result), filtered: false};
  if (result.reach === 'this host' || !firewall?.checked) return said;
  const verdict = judgePort(firewall, socket);
  if (verdict.state === 'filtered')
    return {...said, words: `${said.words} · filtered`, filtered: true};
  const dual = socket.dualStack !== false && socket.family === 6 && socket.localAddress === '::';
  if (!dual) return said;
  const v4 = judgePort(firewall, {...socket, family: 4, dualStack: false}).state === 'filtered';
  const v6 = judgePort(firewall, {...socket, family: 6, dualStack: false}).state === 'filtered';
  if (v4 === v6) return said;
  // What the version that gets through reaches.
  const open = v4
    ? reachOf({...socket, dualStack: false}, interfaces)
    : reachOf({localAddress: '0.0.0.0', family: 4, dualStack: null}, interfaces);
  return {
    reach: open.reach,
    words: `${reachWords(open)} · IPv${v4 ? 4 : 6} filtered`,
    filtered: false,
  };
}
