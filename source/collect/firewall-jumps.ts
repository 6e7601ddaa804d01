/**
 * Follows jumps: a base chain's rules with each jump (or goto) to a regular chain replaced by
 * that chain's rules, so that a listener allowed in `jump allow_tcp` is judged by the rule there.
 *
 * What is spliced keeps its meaning for a new connection: the target's rules see only what the
 * jump matched (its protocol and ports narrow theirs; a jump on anything else makes them
 * conditional). A plain `return` ends the target; a conditional one, or a conditional goto, makes
 * the rest of its chain conditional (only some connections reach it). A plain goto ends the
 * calling chain too; a conditional jump just before a plain one to the same chain is the same as
 * that plain one. Chains not found, loops and jumps deeper than `maxDepth` stay verdict `other`.
 */
import type {FirewallRule} from '../model.js';
import {ruleLine, type ChainRule, type Port} from './firewall-rule.js';

const maxDepth = 8;

/** The rules of a base chain with its jumps followed into `chains` (regular chains, by name). */
export function followJumps(
  rules: readonly ChainRule[],
  chains: ReadonlyMap<string, readonly ChainRule[]>,
): FirewallRule[] {
  return splice(rules, chains, [], undefined).map(
    ({jump: _jump, returns: _returns, ...rule}) => rule,
  );
}

function splice(
  rules: readonly ChainRule[],
  chains: ReadonlyMap<string, readonly ChainRule[]>,
  path: readonly string[],
  /** How this chain was reached, for its rules' text: `in chain X` (`, after` a conditional jump). */
  label: string | undefined,
): ChainRule[] {
  const out: ChainRule[] = [];
  let restConditional = false;
  const plain = (rule: ChainRule) =>
    !rule.conditional && !restConditional && rule.protocol === null && rule.ports === null;
  for (const [at, original] of rules.entries()) {
    // `iifname "eth0" goto zone; goto zone`: whichever is taken, the same chain follows.
    if (original.conditional && sameJump(original, rules[at + 1])) continue;
    const rule: ChainRule = {
      ...original,
      conditional: original.conditional || restConditional,
      text: label === undefined ? original.text : ruleLine(`${original.text} (${label})`),
    };
    if (rule.ports?.length === 0) {
      out.push(rule); // matches no new connection: kept in order, deciding nothing
      continue;
    }
    if (rule.returns) {
      if (plain(rule)) return out;
      restConditional = true;
      continue;
    }
    const target = rule.jump && chains.get(rule.jump.chain);
    if (!rule.jump || !target || path.includes(rule.jump.chain) || path.length >= maxDepth) {
      out.push(rule);
      continue;
    }
    const via = rule.conditional ? `, after ${rule.text}` : '';
    // iptables-save's lines name their chain already (`-A ufw-user-input …`).
    const named = target.every(({text}) => text.startsWith(`-A ${rule.jump!.chain} `));
    const reached = named && !via ? undefined : `in chain ${rule.jump.chain}${via}`;
    const inner = splice(target, chains, [...path, rule.jump.chain], reached);
    out.push(...inner.map((one) => narrowed(one, rule)));
    if (rule.jump.goto) {
      if (plain(rule)) return out;
      restConditional = true;
    }
  }
  return out;
}

/** Whether `next` takes every connection to where `rule`'s conditional jump goes. */
function sameJump(rule: ChainRule, next: ChainRule | undefined): boolean {
  if (!rule.jump || !next?.jump || next.conditional) return false;
  if (next.protocol !== null || next.ports !== null) return false;
  return next.jump.chain === rule.jump.chain && next.jump.goto === rule.jump.goto;
}

/** A rule reached through a jump: it sees only what the jump matched. */
function narrowed(rule: ChainRule, jump: ChainRule): ChainRule {
  const conditional = rule.conditional || jump.conditional;
  if (jump.protocol !== null && rule.protocol !== null && jump.protocol !== rule.protocol) {
    return {...rule, ports: []};
  }
  if (jump.family !== undefined && rule.family !== undefined && jump.family !== rule.family) {
    return {...rule, ports: []};
  }
  const family = rule.family ?? jump.family;
  const protocol = rule.protocol ?? jump.protocol;
  const ports =
    jump.ports === null
      ? rule.ports
      : rule.ports === null
        ? jump.ports
        : intersect(rule.ports, jump.ports);
  return {...rule, protocol, ports, conditional, ...(family ? {family} : {})};
}

function intersect(a: readonly Port[], b: readonly Port[]): Port[] {
  const range = (port: Port): readonly [number, number] =>
    typeof port === 'number' ? [port, port] : port;
  return a.flatMap((one) =>
    b.flatMap((other): Port[] => {
      const [lowA, highA] = range(one);
      const [lowB, highB] = range(other);
      const low = Math.max(lowA, lowB);
      const high = Math.min(highA, highB);
      if (low > high) return [];
      return [low === high ? low : [low, high]];
    }),
  );
}
