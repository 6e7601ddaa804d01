/**
 * `nft -j list ruleset` reduced to the base chains on the input hook of the ip, ip6 and inet
 * families, each rule to what it says of a new connection from another host to a port. What the
 * reducer cannot read as protocol and destination port is kept as a condition, never dropped:
 * a port that such a rule touches is left undecided rather than guessed. Jumps to the table's
 * regular chains are followed (firewall-jumps.ts).
 *
 * Read as plain, unchanging facts (counters are left out), so two readings of the same ruleset
 * are equal. Each rule's text is rebuilt from the JSON as `nft list ruleset` prints it, one line.
 */
import type {FirewallChain, FirewallRule} from '../model.js';
import {followJumps} from './firewall-jumps.js';
import {
  finishRule,
  matchesNew,
  narrowFamily,
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

type Json = Record<string, unknown>;
type Family = FirewallChain['family'];

const families: readonly string[] = ['ip', 'ip6', 'inet'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one key of an nft JSON expression or statement, and its value. */
function single(value: unknown): [string, unknown] | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length === 1 ? entries[0] : undefined;
}

/** A named set's elements, where they are fixed ports (dynamic sets change under the filter). */
type NamedSets = Map<string, Port[] | undefined>;

export type NftReading = {
  chains: FirewallChain[];
  /**
   * The chains with rules iptables-nft wrote whose matches nft shows by name only: iptables-save
   * (its nf_tables variant) can tell them in full.
   */
  fromIptables: FirewallChain[];
};

/** The input chains of a ruleset, from the JSON `nft -j list ruleset` prints; throws if not that. */
export function reduceNftRuleset(json: unknown): NftReading {
  if (!isObject(json) || !Array.isArray(json.nftables)) {
    throw new Error('nft printed something other than a ruleset');
  }
  const chains = new Map<string, FirewallChain & {prio: number}>();
  /** Every chain's rules, base and regular, before jumps are followed. */
  const chainRules = new Map<string, ChainRule[]>();
  const sets: NamedSets = new Map();
  const rules: Json[] = [];
  const fromIptables = new Set<FirewallChain & {prio: number}>();
  const unshown = new Set<string>();
  for (const item of json.nftables as unknown[]) {
    if (!isObject(item)) continue;
    if (isObject(item.chain)) {
      const chain = item.chain;
      const family = String(chain.family);
      if (!families.includes(family)) continue;
      chainRules.set(`${family} ${String(chain.table)} ${String(chain.name)}`, []);
      if (chain.hook !== 'input' || chain.type !== 'filter') continue;
      chains.set(`${family} ${String(chain.table)} ${String(chain.name)}`, {
        family: family as Family,
        table: String(chain.table),
        name: String(chain.name),
        policy: chain.policy === 'drop' ? 'drop' : 'accept',
        rules: [],
        prio: typeof chain.prio === 'number' ? chain.prio : 0,
      });
    } else if (isObject(item.set)) {
      const set = item.set;
      const key = `${String(set.family)} ${String(set.table)} @${String(set.name)}`;
      const dynamic = Array.isArray(set.flags) && set.flags.includes('dynamic');
      sets.set(key, dynamic ? undefined : portsOf(set.elem ?? []));
    } else if (isObject(item.rule)) {
      rules.push(item.rule);
    }
  }
  for (const rule of rules) {
    const table = `${String(rule.family)} ${String(rule.table)} `;
    const into = chainRules.get(table + String(rule.chain));
    if (!into || !Array.isArray(rule.expr)) continue;
    const scope = {family: rule.family as Family, sets, setPrefix: table};
    const reduced = reduceNftRule(rule.expr as unknown[], scope, ruleText(rule));
    into.push(...reduced.rules);
    if (reduced.unshown) unshown.add(table + String(rule.chain));
  }
  for (const [key, chain] of chains) {
    const table = `${chain.family} ${chain.table} `;
    const regular = new Map(
      [...chainRules]
        .filter(([other]) => other.startsWith(table) && !chains.has(other))
        .map(([other, rules]) => [other.slice(table.length), rules]),
    );
    chain.rules = followJumps(chainRules.get(key) ?? [], regular);
    // A chain in a table where iptables-nft wrote rules: iptables-save may read it better.
    const reached = [key, ...[...regular.keys()].map((name) => table + name)];
    if (reached.some((one) => unshown.has(one))) fromIptables.add(chain);
  }
  // Plain chains in the order the hook runs them.
  const sorted = [...chains.values()].sort((a, b) => a.prio - b.prio);
  const plain = new Map(sorted.map(({prio: _prio, ...chain}, at) => [sorted[at]!, chain]));
  return {
    chains: [...plain.values()],
    fromIptables: [...fromIptables].map((chain) => plain.get(chain)!),
  };
}

type Scope = {family: Family; sets: NamedSets; setPrefix: string};

/** One rule's expressions reduced; a verdict map on the destination port gives a rule per entry. */
export function reduceNftRule(
  exprs: readonly unknown[],
  scope: Scope,
  text: string,
): {rules: ChainRule[]; unshown: boolean} {
  const rule = startRule();
  let perPort: [Port[] | undefined, FirewallRule['verdict']][] | undefined;
  for (const expr of exprs) {
    const [key, value] = single(expr) ?? ['', undefined];
    if (key === 'match' && isObject(value)) reduceMatch(rule, value, scope);
    else if (key === 'accept' || key === 'drop') setVerdict(rule, key);
    else if (key === 'reject') setVerdict(rule, 'reject');
    else if (key === 'jump' || key === 'goto' || key === 'return') {
      setJump(rule, key, isObject(value) ? String(value.target) : '');
    } else if (key === 'queue') setVerdict(rule, 'other');
    else if (['counter', 'log', 'mangle', 'set', 'notrack', 'continue'].includes(key)) continue;
    else if (key === 'vmap' && isObject(value)) perPort = reduceVmap(rule, value, scope);
    else if (key === 'xt' && isObject(value)) reduceXt(rule, value);
    else rule.conditional = true; // limit, quota, anything not known: it decides too
  }
  const unshown = rule.unshown === true;
  if (!perPort)
    return {rules: [finishRule(rule, text)].filter((one) => one !== undefined), unshown};
  const rules = perPort.flatMap(([ports, verdict]) => {
    const entry: Reduction = {...rule, verdict};
    if (ports) narrowPorts(entry, ports);
    else entry.conditional = true;
    return [finishRule(entry, text)].filter((one) => one !== undefined);
  });
  return {rules, unshown};
}

/**
 * A match or target of a rule iptables-nft wrote, which nft shows by name only: a comment is
 * none, a target's name is its verdict, any other match is a condition nft cannot show.
 */
function reduceXt(rule: Reduction, xt: Json): void {
  if (xt.type === 'target') {
    const verdict = targetVerdict(String(xt.name));
    if (verdict) setVerdict(rule, verdict);
  } else if (xt.name !== 'comment') {
    rule.conditional = true;
    rule.unshown = true;
  }
}

function reduceMatch(rule: Reduction, match: Json, scope: Scope): void {
  const op = typeof match.op === 'string' ? match.op : '==';
  const [kind, left] = single(match.left) ?? ['', undefined];
  const right = match.right;
  const equal = op === '==' || op === 'in';
  if (kind === 'payload' && isObject(left)) {
    const {protocol, field} = left;
    // In an inet chain, a match on the IPv4 or IPv6 header says that version only.
    if (scope.family === 'inet' && protocol === 'ip') narrowFamily(rule, 4);
    if (scope.family === 'inet' && protocol === 'ip6') narrowFamily(rule, 6);
    if ((protocol === 'tcp' || protocol === 'udp' || protocol === 'th') && field === 'dport') {
      if (protocol !== 'th') narrowProtocol(rule, [protocol]);
      const ports = equal ? portsOf(right, scope) : rangeOf(op, right);
      if (ports) narrowPorts(rule, ports);
      else rule.conditional = true;
      return;
    }
    if (
      (protocol === 'ip' && field === 'protocol') ||
      (protocol === 'ip6' && field === 'nexthdr')
    ) {
      return reduceTransport(rule, equal, right);
    }
    if (field === 'daddr' && equal && isLoopback(right)) {
      rule.never = true; // another host cannot send to this host's loopback addresses
      return;
    }
    if (protocol === 'tcp' || protocol === 'udp') narrowProtocol(rule, [protocol]);
    rule.conditional = true;
    return;
  }
  if (kind === 'meta' && isObject(left)) {
    if (left.key === 'l4proto') return reduceTransport(rule, equal, right);
    if (left.key === 'nfproto' && equal && (right === 'ipv4' || right === 'ipv6')) {
      return narrowFamily(rule, right === 'ipv4' ? 4 : 6);
    }
    if (left.key === 'iif' || left.key === 'iifname') {
      // Loopback is this host's own traffic: it says nothing of other hosts.
      if (right === 'lo') {
        if (equal) rule.never = true;
        else if (op !== '!=') rule.conditional = true;
        return;
      }
    }
    rule.conditional = true;
    return;
  }
  if (kind === 'fib' && isObject(left) && left.result === 'type' && isDaddr(left.flags)) {
    // A listener here is reached at a local address: `local` always matches, the rest never.
    const local = stringsOf(right).includes('local');
    if (equal || op === '!=') {
      if (local === (op === '!=')) rule.never = true;
      return;
    }
  }
  if (kind === 'ct' && isObject(left) && left.key === 'status' && equal) {
    // A connection a NAT rule sent here, not one made to the port itself.
    if (stringsOf(right).includes('dnat')) rule.never = true;
    else rule.conditional = true;
    return;
  }
  if (kind === 'ct' && isObject(left) && left.key === 'state' && left.dir === undefined) {
    if (equal || op === '!=') {
      if (!matchesNew(stringsOf(right), op === '!=')) rule.never = true;
      return;
    }
  }
  rule.conditional = true;
}

function isDaddr(flags: unknown): boolean {
  return Array.isArray(flags) ? flags.length === 1 && flags[0] === 'daddr' : flags === 'daddr';
}

function isLoopback(right: unknown): boolean {
  const address = isObject(right) && isObject(right.prefix) ? right.prefix.addr : right;
  return typeof address === 'string' && (address.startsWith('127.') || address === '::1');
}

/** `meta l4proto`, `ip protocol`, `ip6 nexthdr`: which of TCP and UDP the value admits. */
function reduceTransport(rule: Reduction, equal: boolean, right: unknown): void {
  if (!equal) {
    rule.conditional = true;
    return;
  }
  const values = isObject(right) && Array.isArray(right.set) ? right.set : [right];
  narrowProtocol(
    rule,
    values.map(transportOf).filter((protocol) => protocol !== undefined),
  );
}

/** A verdict map on the new connection's state or its destination port; else conditional. */
function reduceVmap(
  rule: Reduction,
  vmap: Json,
  scope: Scope,
): [Port[] | undefined, FirewallRule['verdict']][] | undefined {
  const [kind, key] = single(vmap.key) ?? ['', undefined];
  const entries = isObject(vmap.data) && Array.isArray(vmap.data.set) ? vmap.data.set : [];
  const pairs = entries.flatMap((entry): [unknown, FirewallRule['verdict']][] => {
    if (!Array.isArray(entry) || entry.length !== 2) return [];
    const [verdict] = single(entry[1]) ?? [''];
    if (verdict === 'accept' || verdict === 'drop') return [[entry[0], verdict]];
    return [[entry[0], verdict === 'reject' ? 'reject' : 'other']];
  });
  if (kind === 'ct' && isObject(key) && key.key === 'state') {
    const onNew = pairs.find(([state]) => matchesNew(stringsOf(state), false));
    if (onNew) setVerdict(rule, onNew[1]);
    else [rule.never, rule.verdict] = [true, 'other']; // kept in order, deciding nothing new
    return undefined;
  }
  if (
    kind === 'payload' &&
    isObject(key) &&
    key.field === 'dport' &&
    (key.protocol === 'tcp' || key.protocol === 'udp' || key.protocol === 'th')
  ) {
    if (key.protocol !== 'th') narrowProtocol(rule, [key.protocol]);
    return pairs.map(([ports, verdict]) => [portsOf(ports, scope), verdict]);
  }
  rule.conditional = true;
  setVerdict(rule, 'other');
  return undefined;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (isObject(value) && Array.isArray(value.set)) return value.set.flatMap(stringsOf);
  return [];
}

/** Ports from a value: a number, a range, an anonymous set of them, or a named set of fixed ports. */
function portsOf(value: unknown, scope?: Scope): Port[] | undefined {
  if (typeof value === 'number')
    return portNumber(String(value)) === undefined ? undefined : [value];
  if (typeof value === 'string' && value.startsWith('@') && scope) {
    return scope.sets.get(scope.setPrefix + value);
  }
  if (Array.isArray(value)) {
    const all = value.map((one) => portsOf(one, scope));
    return all.every((ports) => ports !== undefined) ? all.flat() : undefined;
  }
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.set)) return portsOf(value.set, scope);
  if (isObject(value.elem)) return portsOf(value.elem.val, scope);
  if (Array.isArray(value.range) && value.range.length === 2) {
    const [from, to] = value.range as unknown[];
    if (typeof from === 'number' && typeof to === 'number') return [[from, to]];
  }
  return undefined;
}

/** `tcp dport >= 1024` and the like as one range. */
function rangeOf(op: string, right: unknown): Port[] | undefined {
  if (typeof right !== 'number') return undefined;
  const bounds: Record<string, Port> = {
    '<': [0, right - 1],
    '<=': [0, right],
    '>': [right + 1, 65535],
    '>=': [right, 65535],
  };
  const range = bounds[op];
  return range ? [range] : undefined;
}

// The text of a rule, as `nft list ruleset` writes it.

/** Meta keys nft writes without `meta`. */
const bareMeta = new Set([
  'iif',
  'iifname',
  'iiftype',
  'oif',
  'oifname',
  'oiftype',
  'mark',
  'skuid',
  'skgid',
  'rtclassid',
  'pkttype',
  'cpu',
  'iifgroup',
  'oifgroup',
  'cgroup',
]);
const quotedMeta = new Set(['iifname', 'oifname']);

export function ruleText(rule: Json): string {
  const exprs = Array.isArray(rule.expr) ? (rule.expr as unknown[]) : [];
  const words = exprs.map(statementText);
  if (typeof rule.comment === 'string') words.push(`comment ${JSON.stringify(rule.comment)}`);
  return words.join(' ');
}

function statementText(statement: unknown): string {
  const [key, value] = single(statement) ?? ['?', undefined];
  if (key === 'match' && isObject(value)) {
    const op = value.op === '==' || value.op === 'in' ? '' : `${String(value.op)} `;
    const left = exprText(value.left);
    const quoted = quotedMeta.has(left);
    return `${left} ${op}${exprText(value.right, quoted)}`;
  }
  if (value === null) return key;
  if (!isObject(value)) return key;
  switch (key) {
    case 'jump':
    case 'goto':
      return `${key} ${String(value.target)}`;
    case 'reject': {
      if (value.type === 'tcp reset') return 'reject with tcp reset';
      // The family's default, which nft leaves unsaid.
      if (value.type === undefined || value.expr === 'port-unreachable') return 'reject';
      const type = value.type === 'icmpx' ? 'icmpx' : `${exprText(value.type)} type`;
      return `reject with ${type} ${exprText(value.expr)}`;
    }
    case 'counter':
      return 'counter';
    case 'log':
      return [
        'log',
        ...Object.entries(value).map(([name, v]) => `${name} ${exprText(v, true)}`),
      ].join(' ');
    case 'limit':
      return `limit rate ${String(value.rate)}/${String(value.per)}`;
    case 'vmap':
      return `${exprText(value.key)} vmap ${mapText(value.data)}`;
    case 'xt':
      return `xt ${String(value.type)} ${JSON.stringify(String(value.name))}`;
    default:
      return key;
  }
}

function mapText(data: unknown): string {
  if (!isObject(data) || !Array.isArray(data.set)) return exprText(data);
  const entries = data.set.map((entry: unknown) =>
    Array.isArray(entry) ? `${exprText(entry[0])} : ${statementText(entry[1])}` : exprText(entry),
  );
  return `{ ${entries.join(', ')} }`;
}

function exprText(expr: unknown, quoted = false): string {
  if (typeof expr === 'number' || typeof expr === 'boolean') return String(expr);
  if (typeof expr === 'string') {
    return quoted && !expr.startsWith('@') ? JSON.stringify(expr) : expr;
  }
  if (Array.isArray(expr)) return expr.map((one) => exprText(one, quoted)).join(',');
  const [key, value] = single(expr) ?? ['?', undefined];
  if (key === 'set' && Array.isArray(value)) {
    return `{ ${value.map((one) => exprText(one, quoted)).join(', ')} }`;
  }
  if (key === 'range' && Array.isArray(value)) return value.map((one) => exprText(one)).join('-');
  if (!isObject(value)) return key;
  switch (key) {
    case 'payload':
      return value.protocol === undefined
        ? `@${String(value.base)},${String(value.offset)},${String(value.len)}`
        : `${exprText(value.protocol)} ${exprText(value.field)}`;
    case 'meta':
      return bareMeta.has(String(value.key)) ? String(value.key) : `meta ${String(value.key)}`;
    case 'ct':
      return ['ct', value.dir, value.key]
        .filter((word) => word !== undefined)
        .map(String)
        .join(' ');
    case 'prefix':
      return `${exprText(value.addr)}/${String(value.len)}`;
    case 'elem':
      return exprText(value.val, quoted);
    case 'fib':
      return `fib ${Array.isArray(value.flags) ? value.flags.join(' . ') : ''} ${String(value.result)}`;
    default:
      return key;
  }
}
