/**
 * What the explain panel (key i) is about, from what each pane has selected: the Addresses
 * pane's top row, the Sockets pane's selected row (or top event), the Request pane's response,
 * method and the header or transcript line at the top of its view. Pure: the panes' state in,
 * plain data out.
 */
import type {
  AddressKind,
  FirewallReading,
  FirewallVerdict,
  InterfaceAddress,
  NetworkInterface,
  Socket,
} from '../model.js';
import {judgePort} from '../collect/firewall.js';
import {hostOf, type PortholeState} from '../store/store.js';
import type {RequestState} from '../store/request-state.js';
import {reachOf} from '../net/reach.js';
import {reachSaid} from '../collect/reach-firewall.js';
import {isListener} from '../collect/sockets/changes.js';
import {sanitizeLine} from '../sanitize.js';
import {explainHeader, explainMethod, rangeOf} from '../explain/lookup.js';
import {
  layerTexts,
  statusClassTexts,
  statusText,
  transcriptKindTexts,
} from '../explain/http-texts.js';
import type {StatusClassName} from '../explain/http-texts.js';
import {
  kindTexts,
  reachTexts,
  socketWordTexts,
  stackTexts,
  stateTexts,
  verdictTexts,
} from '../explain/network-texts.js';
import type {Explanation, ExplainSubject} from '../explain/types.js';
import {transcriptLayer} from '../request/transcript.js';
import {
  localEndpoint,
  ownerLabel,
  peerEndpoint,
  rowAt,
  selectedIndex,
  type SocketRows,
} from './sockets/sockets-view.js';
import {shownEvents} from './sockets/events-view.js';
import {responseLines, wrapLines} from './request/response-lines.js';

const nothing = (heading: string, why: string): ExplainSubject => ({
  heading,
  sections: [{title: 'nothing selected', paragraphs: [why], refs: []}],
});

/**
 * The Addresses pane from its top row down (the pane scrolls, it has no cursor): each address
 * with its interface, kind and range, then what each kind shown means and who can reach it.
 */
export function addressSubject(
  interfaces: readonly NetworkInterface[],
  scroll: number,
): ExplainSubject {
  const rows = interfaces.flatMap(
    (iface): Array<{iface: NetworkInterface; address?: InterfaceAddress}> =>
      iface.addresses.length === 0
        ? [{iface}]
        : iface.addresses.map((address) => ({iface, address})),
  );
  const shown = rows.slice(Math.max(0, Math.min(scroll, rows.length - 1)));
  const top = shown[0];
  if (!top) return nothing('Addresses', 'No interface has been read yet.');
  const listed: string[] = [];
  const kinds: AddressKind[] = [];
  for (const {iface, address} of shown) {
    const name = sanitizeLine(iface.name);
    const state = `${iface.up ? 'up' : 'down'}${iface.defaultRoute ? ', default route' : ''}`;
    if (!address) {
      listed.push(`${name} (${state}): no address, nothing reaches it over IP.`);
      continue;
    }
    const text = sanitizeLine(address.address);
    const range = rangeOf(text.replace(/%.*$/, ''));
    const where = range ? `: ${range.name} (${range.ref})` : '';
    listed.push(`${name} (${state}) ${text}/${address.prefixLength} is ${address.kind}${where}.`);
    if (!kinds.includes(address.kind)) kinds.push(address.kind);
  }
  const heading = top.address
    ? `${sanitizeLine(top.iface.name)} ${sanitizeLine(top.address.address)}/${top.address.prefixLength}`
    : sanitizeLine(top.iface.name);
  return {
    heading,
    sections: [
      {
        title: 'addresses, from the top row',
        paragraphs: [
          ...listed,
          'A listener bound to 0.0.0.0 or :: answers on every one of them that is up; one bound to an address answers there alone.',
        ],
        refs: [],
      },
      ...kinds.map((kind) => kindTexts[kind]),
    ],
  };
}

/** The queues of a socket in its state's terms. */
function queueSection(socket: Socket): Explanation {
  if (socket.state === 'LISTEN') {
    const full = socket.sendQ > 0 && socket.recvQ >= socket.sendQ * 0.8;
    return {
      title: `queues: ${socket.recvQ} waiting of a backlog of ${socket.sendQ}`,
      paragraphs: [
        full
          ? 'The accept queue is (nearly) full: the service is not accepting fast enough, and new connections are being dropped or soon will be.'
          : 'Recv-Q: connections waiting to be accepted. Send-Q: the backlog, how many may wait. Recv-Q near the backlog means the service has stopped accepting.',
      ],
      refs: ['ss(8)', 'listen(2)'],
    };
  }
  return {
    title: `queues: Recv-Q ${socket.recvQ} · Send-Q ${socket.sendQ} bytes`,
    paragraphs: [
      `${socketWordTexts['recv-q'].paragraphs[0]} ${socketWordTexts['send-q'].paragraphs[0]}`,
    ],
    refs: ['ss(8)'],
  };
}

/** What this host's packet filter does with the port, with the rule or the reason. */
function firewallSection(verdict: FirewallVerdict): Explanation {
  const text = verdictTexts[verdict.state];
  const said = `${capitalized(verdict.state.replace('-', ' '))}: ${'rule' in verdict ? verdict.rule : verdict.why}.`;
  return {...text, paragraphs: [sanitizeLine(said), ...text.paragraphs]};
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A socket: its state, who can reach it (a listener's), its queues, dual-stack and container. */
export function socketSubject(
  socket: Socket,
  interfaces: readonly NetworkInterface[],
  firewall?: FirewallReading,
): ExplainSubject {
  const listener = isListener(socket);
  const reach = listener ? reachOf(socket, interfaces) : undefined;
  const owner = socket.pid === null && socket.process === null ? '' : ` ${ownerLabel(socket)}`;
  const peer = listener ? '' : ` → ${peerEndpoint(socket)}`;
  // Who can reach it and its queues first: they are this socket's; then what its state means
  // (a listener's without the queues, said already).
  const sections: Explanation[] = [];
  if (reach) {
    const text = reachTexts[reach.reach];
    const where = reach.addresses
      .slice(0, 4)
      .map((address) => `${address.address} (${address.interface || '?'}, ${address.kind})`);
    const more = reach.addresses.length > 4 ? ` and ${reach.addresses.length - 4} more` : '';
    sections.push({
      // In the words of the REACH column, the firewall's included.
      title: `reach: ${reachSaid(socket, interfaces, firewall).words}`,
      paragraphs: [
        ...(where.length > 0 ? [`Answers on ${where.join(', ')}${more}.`] : []),
        ...text.paragraphs,
      ],
      refs: text.refs,
    });
  }
  // The filter stands between this host and others: of a listener on loopback it says nothing.
  if (reach && reach.reach !== 'this host') {
    sections.push(
      firewallSection(
        firewall
          ? judgePort(firewall, socket)
          : {state: 'not-checked', why: 'the firewall has not been read yet'},
      ),
    );
  }
  sections.push(queueSection(socket));
  const state = stateTexts[socket.state];
  sections.push(
    socket.state === 'LISTEN' ? {...state, paragraphs: state.paragraphs.slice(0, 1)} : state,
  );
  if (socket.localAddress === '::' && socket.dualStack === true)
    sections.push(stackTexts['dual-stack']);
  if (socket.localAddress === '::' && socket.dualStack === false)
    sections.push(stackTexts['ipv6-only']);
  if (socket.container) {
    const name = socket.container.name ?? socket.container.id.slice(0, 12);
    sections.push({
      ...socketWordTexts.container,
      title: `container: ${sanitizeLine(name)} (${socket.container.engine})`,
    });
  }
  if (socket.published) {
    const to = `${socket.published.containerAddress}:${socket.published.containerPort}`;
    sections.push({
      ...socketWordTexts.published,
      title: sanitizeLine(
        `published: leads to ${to}${socket.published.container ? ` (${socket.published.container})` : ''}`,
      ),
    });
  }
  return {
    heading: sanitizeLine(
      `${socket.protocol} ${localEndpoint(socket)}${peer} ${socket.state}${owner}`,
    ),
    sections,
  };
}

/** The index of the unwrapped line that the wrapped view's row `row` belongs to. */
function sourceLine(lines: readonly string[], row: number, wrap: boolean, width: number): number {
  if (!wrap) return row;
  let rows = 0;
  for (let index = 0; index < lines.length; index++) {
    rows += Math.max(1, wrapLines([lines[index]!], width).length);
    if (row < rows) return index;
  }
  return lines.length - 1;
}

/** The Request pane: the response's status, the method, and the line at the top of the tab. */
export function requestSubject(request: RequestState, width: number): ExplainSubject {
  const sections: Explanation[] = [];
  const {result} = request;
  const response = result?.response;
  const method = request.answered?.form.method ?? request.method;
  if (response) {
    const status = statusText(response.status);
    const className = `${Math.floor(response.status / 100)}xx` as StatusClassName;
    sections.push(
      status ??
        statusClassTexts[className] ?? {
          title: `status ${response.status}`,
          paragraphs: ['Not an HTTP status code.'],
          refs: ['RFC 9110 §15'],
        },
    );
  }
  const methodText = explainMethod(method);
  if (methodText) sections.push(methodText);
  if (result && (request.tab === 'headers' || request.tab === 'transcript')) {
    const lines = responseLines(result, request.tab, width);
    const index = sourceLine(lines, request.scroll, request.wrap, width);
    if (request.tab === 'headers' && response) {
      // The status line is line 0; the headers follow in order.
      const header = response.headers[Math.max(0, index - 1)];
      const text = header ? explainHeader(header[0]) : undefined;
      if (header) {
        sections.push(
          text ?? {
            title: sanitizeLine(header[0]),
            paragraphs: [
              'Not a header porthole has words for; the server or an application defines it.',
            ],
            refs: [],
          },
        );
      }
    }
    if (request.tab === 'transcript') {
      const line = result.transcript[Math.min(index, result.transcript.length - 1)];
      if (line) {
        const layer = layerTexts[transcriptLayer(line)];
        sections.push({...layer, title: `${layer.title} (the line at the top)`});
        sections.push(transcriptKindTexts[line.kind]);
      }
    }
  }
  if (!result) {
    sections.push({
      title: 'no response yet',
      paragraphs: ['Send the request (Enter); then i explains its status, headers and transcript.'],
      refs: [],
    });
  }
  const heading = response
    ? `${method} ${request.answered?.form.url ?? request.url} → ${response.status}`
    : `${method} ${request.url}`;
  return {heading: sanitizeLine(heading.trim()), sections};
}

/** The subject of the focused pane. `socketRows` are the Sockets pane's rows, as it shows them. */
export function explainSubject(
  state: PortholeState,
  socketRows: SocketRows,
  width: number,
): ExplainSubject {
  switch (state.focus) {
    case 'addresses':
      return addressSubject(hostOf(state).interfaces, state.addressesScroll);
    case 'sockets': {
      if (state.socketsView.mode === 'events') {
        const shown = shownEvents(hostOf(state).socketChanges?.events ?? [], state.socketsView);
        const event = shown[Math.min(state.socketsView.scroll, shown.length - 1)];
        if (!event) return nothing('Sockets › events', 'No event is shown.');
        return socketSubject(event.socket, hostOf(state).interfaces, hostOf(state).firewall);
      }
      const row = rowAt(socketRows, selectedIndex(socketRows, state.socketsView));
      if (!row) return nothing('Sockets', 'No socket is shown.');
      const host = hostOf(state, row.host ?? state.currentHost);
      return socketSubject(row.socket, host.interfaces, host.firewall);
    }
    case 'request':
      return requestSubject(state.request, width);
    default:
      return nothing(
        String(state.focus),
        'Select an address, a socket or a response in its pane, then press i.',
      );
  }
}
