/**
 * What nft's and iptables' readers share: a rule is reduced match by match into what it says of a
 * new connection from another host to one port — which protocol, which destination ports, and
 * whether anything else (a source address, an interface, a rate) decides too.
 */
import type {Family, FirewallRule, Protocol} from '../model.js';
import {sanitizeLine} from '../sanitize.js';

export type Port = number | readonly [from: number, to: number];

/** A rule while its matches are read. */
export type Reduction = {
  protocol: Protocol | null;
  ports: Port[] | null;
  /** It can match no new connection from another host to a TCP or UDP port. */
  never: boolean;
  conditional: boolean;
  /** It matches IPv4 (4) or IPv6 (6) connections only. */
  family?: Family;
  /** It matches on something the tool shows by name only (iptables-nft's matches in nft). */
  unshown?: boolean;
  verdict: FirewallRule['verdict'] | undefined;
  /** A jump or goto to another chain (verdict `other` until it is followed). */
  jump?: {chain: string; goto: boolean};
  /** A `return` to the calling chain (verdict `other` until it is followed). */
  returns?: boolean;
};

/** A reduced rule with where it leads, before jumps are followed (firewall-jumps.ts). */
export type ChainRule = FirewallRule & {
  jump?: {chain: string; goto: boolean};
  returns?: boolean;
};

export function startRule(): Reduction {
  return {protocol: null, ports: null, never: false, conditional: false, verdict: undefined};
}

/** Narrows to the transport protocols a match admits (of TCP and UDP; none left: never). */
export function narrowProtocol(rule: Reduction, admitted: readonly Protocol[]): void {
  const left = admitted.filter((protocol) => rule.protocol === null || protocol === rule.protocol);
  if (left.length === 0) rule.never = true;
  else if (left.length === 1) rule.protocol = left[0]!;
}

/** Narrows to one IP version (the other one already: never). */
export function narrowFamily(rule: Reduction, family: Family): void {
  if (rule.family !== undefined && rule.family !== family) rule.never = true;
  rule.family = family;
}

/** Narrows to destination ports; a second port match on one rule is not modelled. */
export function narrowPorts(rule: Reduction, ports: Port[]): void {
  if (rule.ports === null) rule.ports = ports;
  else rule.conditional = true;
}

/** Sets the verdict the rule's first verdict statement gives. */
export function setVerdict(rule: Reduction, verdict: FirewallRule['verdict']): void {
  rule.verdict ??= verdict;
}

/**
 * The reduced rule, or undefined for one that gives no verdict (a counter, a log line): it
 * decides nothing. A rule that can match no new connection from another host keeps `ports: []`.
 */
export function finishRule(rule: Reduction, text: string): ChainRule | undefined {
  if (rule.verdict === undefined) return undefined;
  return {
    protocol: rule.protocol,
    ports: rule.never ? [] : rule.ports,
    verdict: rule.verdict,
    conditional: rule.conditional,
    text: ruleLine(text),
    ...(rule.family && !rule.never ? {family: rule.family} : {}),
    ...(rule.verdict === 'other' && rule.jump ? {jump: rule.jump} : {}),
    ...(rule.verdict === 'other' && rule.returns ? {returns: true} : {}),
  };
}

/** A jump, goto or return: verdict `other`, with where it leads. */
export function setJump(rule: Reduction, kind: string, chain: string): void {
  if (rule.verdict !== undefined) return;
  rule.verdict = 'other';
  if (kind === 'return') rule.returns = true;
  else rule.jump = {chain, goto: kind === 'goto'};
}

/** The longest rule text kept: enough to recognise a rule, bounded for untrusted output. */
export const maxRuleText = 160;

/** Outside text as one safe, bounded line: whitespace runs (newlines too) become one space. */
export function ruleLine(text: string): string {
  const line = sanitizeLine(text.replace(/\s+/g, ' ').trim());
  return line.length > maxRuleText ? `${line.slice(0, maxRuleText - 1)}…` : line;
}

/** A port number from text, or undefined. */
export function portNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** TCP and UDP by the names and numbers packet filters use. */
export function transportOf(value: unknown): Protocol | undefined {
  if (value === 'tcp' || value === 6 || value === '6') return 'tcp';
  if (value === 'udp' || value === 17 || value === '17') return 'udp';
  return undefined;
}

/** iptables targets that let the packet go on to the next rule. */
export const nonTerminatingTargets: ReadonlySet<string> = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'MARK',
  'CONNMARK',
  'TRACE',
  'AUDIT',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TCPMSS',
  'CHECKSUM',
]);

/** An iptables target's verdict; undefined for one that lets the packet go on. */
export function targetVerdict(target: string): FirewallRule['verdict'] | undefined {
  if (target === 'ACCEPT') return 'accept';
  if (target === 'DROP') return 'drop';
  if (target === 'REJECT') return 'reject';
  return nonTerminatingTargets.has(target) ? undefined : 'other';
}

/** Connection-tracking states that include a new connection's first packet. */
export function matchesNew(states: readonly string[], negated: boolean): boolean {
  const hasNew = states.some((state) => state.toLowerCase() === 'new');
  return negated ? !hasNew : hasNew;
}
