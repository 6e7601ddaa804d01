/**
 * `iptables-save` (and `ip6tables-save`) reduced as nft's JSON is: the filter table's INPUT chain,
 * its policy (`:INPUT DROP [0:0]`) and its `-A INPUT` rules in order, jumps to the table's own
 * chains followed (firewall-jumps.ts). A match the reducer does not know (`-s`, `-m limit`, `!`
 * anything) makes the rule conditional. Each rule's text is its line as iptables-save prints it.
 */
import type {FirewallChain} from '../model.js';
import {followJumps} from './firewall-jumps.js';
import {
  finishRule,
  matchesNew,
  narrowPorts,
  narrowProtocol,
  portNumber,
  setJump,
  setVerdict,
  startRule,
  targetVerdict,
  transportOf,
  type ChainRule,
  type Port,
  type Reduction,
} from './firewall-rule.js';

/** Matches that only pick the option syntax of the ones below. */
const plainModules = new Set([
  'tcp',
  'udp',
  'multiport',
  'conntrack',
  'state',
  'comment',
  'addrtype',
]);

/** The filter table's INPUT chain from iptables-save's output; undefined where it has none. */
export function parseIptablesSave(text: string, family: 'ip' | 'ip6'): FirewallChain | undefined {
  let table = '';
  let policy: FirewallChain['policy'] | undefined;
  const chains = new Map<string, ChainRule[]>();
  const lines: [chain: string, words: string[], line: string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'filter') continue;
    const declared = /^:(\S+)\s+(\S+)/.exec(line);
    if (declared) {
      chains.set(declared[1]!, []);
      if (declared[1] === 'INPUT') policy = declared[2] === 'DROP' ? 'drop' : 'accept';
    } else if (line.startsWith('-A ')) {
      const tokens = words(line);
      lines.push([tokens[1] ?? '', tokens.slice(2), line]);
    }
  }
  if (policy === undefined) return undefined;
  for (const [chain, tokens, line] of lines) {
    const rule = reduceIptablesRule(tokens, line, chains);
    if (rule) chains.get(chain)?.push(rule);
  }
  const input = chains.get('INPUT') ?? [];
  chains.delete('INPUT');
  for (const builtin of ['FORWARD', 'OUTPUT']) chains.delete(builtin);
  return {family, table: 'filter', name: 'INPUT', policy, rules: followJumps(input, chains)};
}

function reduceIptablesRule(
  tokens: readonly string[],
  line: string,
  chains: ReadonlyMap<string, unknown>,
) {
  const rule = startRule();
  for (let at = 0; at < tokens.length; at++) {
    let option = tokens[at]!;
    const negated = option === '!';
    if (negated) option = tokens[++at] ?? '';
    const values: string[] = [];
    while (at + 1 < tokens.length && !/^(-|!$)/.test(tokens[at + 1]!)) values.push(tokens[++at]!);
    if (option === '-j' || option === '--jump' || option === '-g' || option === '--goto') {
      reduceTarget(rule, option, values[0] ?? '', chains);
      break; // what follows are the target's own options
    }
    reduceOption(rule, option, values, negated);
  }
  return finishRule(rule, line);
}

function reduceOption(rule: Reduction, option: string, values: string[], negated: boolean): void {
  const value = values[0] ?? '';
  if (option === '-m' || option === '--match') {
    if (!plainModules.has(value)) rule.conditional = true;
  } else if (option === '--comment') {
    // a note, not a match
  } else if (option === '--dst-type') {
    // A listener here is reached at a local address: LOCAL always matches, the rest never.
    if ((value === 'LOCAL') === negated) rule.never = true;
  } else if ((option === '-i' || option === '--in-interface') && value === 'lo') {
    // This host's own traffic: `-i lo` never matches another host's, `! -i lo` always does.
    if (!negated) rule.never = true;
  } else if (negated) {
    rule.conditional = true;
  } else if (option === '-p' || option === '--protocol') {
    const protocol = transportOf(value.toLowerCase());
    if (protocol) narrowProtocol(rule, [protocol]);
    else if (value !== 'all' && value !== '0') rule.never = true;
  } else if (
    ['--dport', '--destination-port', '--dports', '--destination-ports'].includes(option)
  ) {
    const ports = portsOf(value);
    if (ports) narrowPorts(rule, ports);
    else rule.conditional = true;
  } else if (option === '--ctstate' || option === '--state') {
    if (!matchesNew(value.split(','), false)) rule.never = true;
  } else {
    rule.conditional = true;
  }
}

function reduceTarget(
  rule: Reduction,
  option: string,
  target: string,
  chains: ReadonlyMap<string, unknown>,
): void {
  const goto = option === '-g' || option === '--goto';
  if (target === 'RETURN') setJump(rule, 'return', '');
  else if (goto || chains.has(target)) setJump(rule, goto ? 'goto' : 'jump', target);
  else {
    const verdict = targetVerdict(target);
    if (verdict) setVerdict(rule, verdict);
  }
}

/** `22`, `1000:2000`, or multiport's `80,443,1000:2000`. */
function portsOf(text: string): Port[] | undefined {
  const ports: Port[] = [];
  for (const part of text.split(',')) {
    const [from, to] = part.split(':');
    const low = portNumber(from || '0');
    const high = to === undefined ? low : portNumber(to || '65535');
    if (low === undefined || high === undefined) return undefined;
    ports.push(low === high ? low : [low, high]);
  }
  return ports;
}

/** A line's words, a double-quoted word (a comment, a log prefix) kept whole. */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}
