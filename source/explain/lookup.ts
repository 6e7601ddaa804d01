/**
 * `explain(word)`: what a person types (an address, a state in any spelling, a status code or
 * class, a method, a header name, a word such as `internet` or `dual-stack`) to its plain words.
 * Unknown words are undefined: there is nothing to explain about them.
 */
import ipaddr from 'ipaddr.js';
import type {SocketState} from '../model.js';
import {socketStates} from '../model.js';
import {classifyAddress, parseAddress} from '../net/classify.js';
import {httpMethods} from '../request/types.js';
import {transcriptLayers} from '../request/transcript.js';
import {
  headerTexts,
  layerTexts,
  methodTexts,
  otherMethodTexts,
  statusClassNames,
  statusClassTexts,
  statusText,
  transcriptKindTexts,
} from './http-texts.js';
import {
  kindTexts,
  namedRanges,
  reachTexts,
  socketWordTexts,
  stackTexts,
  stateTexts,
  verdictTexts,
  type NamedRange,
} from './network-texts.js';
import type {Explanation} from './types.js';

/** `TIME_WAIT`, `time-wait`, `timewait` and `Time Wait` as one. */
const squeezed = (word: string) => word.toLowerCase().replace(/[-_\s]+/g, '');

const stateAliases: Record<string, SocketState> = {
  established: 'ESTAB',
  listening: 'LISTEN',
  unconnected: 'UNCONN',
};

function stateOf(word: string): SocketState | undefined {
  const key = squeezed(word);
  return socketStates.find((state) => squeezed(state) === key) ?? stateAliases[key];
}

/** Words for which one entry stands, spelt as a person might. */
const words: Readonly<Record<string, Explanation>> = {
  ...Object.fromEntries(Object.entries(kindTexts).map(([kind, text]) => [squeezed(kind), text])),
  ula: kindTexts.private,
  lan: kindTexts.private,
  tailnet: kindTexts.cgnat,
  tailscale: kindTexts.cgnat,
  any: kindTexts.unspecified,
  wildcard: kindTexts.unspecified,
  documentation: kindTexts.reserved,
  benchmarking: kindTexts.reserved,
  internet: reachTexts.internet,
  network: reachTexts.network,
  thishost: reachTexts['this host'],
  localonly: reachTexts['this host'],
  allinterfaces: kindTexts.unspecified,
  dualstack: stackTexts['dual-stack'],
  ipv6only: stackTexts['ipv6-only'],
  v6only: stackTexts['ipv6-only'],
  bindv6only: stackTexts['dual-stack'],
  notchecked: verdictTexts['not-checked'],
  undecided: verdictTexts.undecided,
  allowed: verdictTexts.allowed,
  filtered: verdictTexts.filtered,
  recvq: socketWordTexts['recv-q'],
  sendq: socketWordTexts['send-q'],
  backlog: socketWordTexts['send-q'],
  container: socketWordTexts.container,
  published: socketWordTexts.published,
  ...Object.fromEntries(transcriptLayers.map((layer) => [layer.toLowerCase(), layerTexts[layer]])),
  https: layerTexts.TLS,
  '*': transcriptKindTexts.info,
  '>': transcriptKindTexts.out,
  '<': transcriptKindTexts.in,
};

/** The range of the special-purpose table that holds an address, the most specific first. */
export function rangeOf(address: string): NamedRange | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const value =
    parsed.kind === 'ipv6' && parsed.value.isIPv4MappedAddress()
      ? parsed.value.toIPv4Address()
      : parsed.value;
  return namedRanges.find(({cidr}) => {
    const range = ipaddr.parseCIDR(cidr);
    return range[0].kind() === value.kind() && value.match(range);
  });
}

/** `[::1]:8080`, `10.0.0.5/24`, `fe80::1%eth0` read as the address alone. */
function addressIn(word: string): string | undefined {
  let text = word.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.replace(/:\d+$/, '');
  text = text.replace(/\/\d{1,3}$/, '').replace(/%[\w.-]+$/, '');
  return parseAddress(text) ? text : undefined;
}

/** An address's explanation: its kind's text, headed by the address and the range it is in. */
export function explainAddress(address: string): Explanation | undefined {
  const kind = classifyAddress(address);
  if (kind === 'invalid') return undefined;
  const range = rangeOf(address);
  const text = kindTexts[kind];
  const where = range
    ? `${address} is in ${range.cidr}, ${range.name} (${range.ref}).`
    : `${address} is ${kind}.`;
  return {
    title: `${address}: ${text.title}`,
    paragraphs: [where, ...text.paragraphs],
    refs: range && !text.refs.includes(range.ref) ? [range.ref, ...text.refs] : text.refs,
  };
}

export function explainState(word: string): Explanation | undefined {
  const state = stateOf(word);
  return state ? stateTexts[state] : undefined;
}

export function explainMethod(word: string): Explanation | undefined {
  const upper = word.toUpperCase();
  const common = httpMethods.find((method) => method === upper);
  if (common) return methodTexts[common];
  return (otherMethodTexts as Record<string, Explanation>)[upper];
}

export function explainHeader(word: string): Explanation | undefined {
  return headerTexts[word.trim().replace(/:$/, '').toLowerCase()];
}

/** What there is to say about a word; undefined when nothing. */
export function explain(word: string): Explanation | undefined {
  const text = word.trim();
  if (text === '') return undefined;
  if (/^\d{3}$/.test(text)) return statusText(Number(text));
  const statusClass = statusClassNames.find((name) => name === text.toLowerCase());
  if (statusClass) return statusClassTexts[statusClass];
  // As the Sockets table writes a bind: `*:8080` takes IPv4 and IPv6, `[::]:8080` IPv6 only.
  if (/^\*:\d+$/.test(text)) return stackTexts['dual-stack'];
  if (/^\[::\]:\d+$/.test(text)) return stackTexts['ipv6-only'];
  // As REACH writes one: `LAN 10.0.0.5 +2` is about that address.
  const reached = /^(?:lan|ula|tailnet|cgnat|internet|reserved|link-local) (\S+)(?: \+\d+)?$/i.exec(
    text,
  );
  const address = addressIn(reached ? reached[1]! : text);
  if (address !== undefined) return explainAddress(address);
  return (
    words[squeezed(text)] ??
    explainState(text) ??
    explainMethod(text) ??
    explainHeader(text) ??
    undefined
  );
}
