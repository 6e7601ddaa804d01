import {createStore, type StoreApi} from 'zustand/vanilla';
import type {PaneName} from '../ui/panes.js';
import type {NetworkInterface, Socket} from '../model.js';
import {
  emptyHost,
  localHostId,
  type CollectorHealth,
  type CollectorName,
  type HostData,
  type HostId,
  type HostPatch,
} from '../fleet/types.js';
import {initialRequestState, type RequestState} from './request-state.js';
import type {ExplainView} from '../explain/types.js';
import {initialSocketsView, type SocketsView} from './sockets-view-state.js';

export type {CollectorHealth, CollectorName, HostData, HostId, HostPatch};
export {localHostId};

/** A built-in pane's name (the pane registry, source/ui/panes.ts, is where they come from). */
export type {PaneName};
/** What may have the focus: a built-in pane, or a pane a registry given to the dashboard adds. */
export type FocusName = PaneName | (string & {});

/** The socket filter, a request form field, the response search, or a WebSocket message. */
export type EditTarget = 'filter' | 'field' | 'search' | 'message';

export type PortholeState = {
  startedAt: number;
  /** The interval asked for, and the one this machine's polls use after stretching for slow ones. */
  intervalMs: number;
  effectiveIntervalMs: number;
  paused: boolean;
  /** A one-line message for the person (a bad config field, a copied command), with when it was set. */
  notice: {text: string; at: number} | undefined;

  /** Every host's slice, by id; `local` is this machine. */
  hosts: Readonly<Record<HostId, HostData>>;
  /** The hosts in the order they are shown (this machine first, unless left out). */
  hostOrder: readonly HostId[];
  /** The host the Addresses, Sockets and Request panes show. */
  currentHost: HostId;
  /** The Request pane's own connections, open and recently closed, for the Sockets pane to mark. */
  ownConnections: readonly OwnConnection[];

  focus: FocusName;
  /** The Hosts pane's selected row. */
  hostsCursor: number;
  helpOpen: boolean;
  helpScroll: number;
  /** The explain panel (key i), while open. */
  explain: ExplainView | undefined;
  addressesScroll: number;
  /** Which text field has the keyboard, if any: then single-letter keys are typed, not obeyed. */
  editing: EditTarget | undefined;
  socketsView: SocketsView;
  request: RequestState;
};

export type PortholeStore = StoreApi<PortholeState>;

/**
 * A connection the Request pane opened. Kept for a while after it closed (`closedAt`), so that
 * its TIME-WAIT socket is still known as porthole's own.
 */
export type OwnConnection = {
  id: number;
  protocol: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  openedAt: number;
  closedAt?: number;
};

export type StoreOptions = Partial<Pick<PortholeState, 'intervalMs' | 'startedAt' | 'focus'>> & {
  /** This machine's name, interfaces and sockets to start with (tests, snapshots). */
  host?: string;
  interfaces?: NetworkInterface[];
  sockets?: Socket[];
  /** Leave this machine out of the hosts (`--no-local`). */
  noLocal?: boolean;
  socketsView?: Partial<SocketsView>;
  request?: Partial<RequestState>;
};

/** A fresh store: every dashboard, snapshot and test builds its own. */
export function createPortholeStore(options: StoreOptions = {}): PortholeStore {
  const intervalMs = options.intervalMs ?? 1000;
  const startedAt = options.startedAt ?? Date.now();
  const local: HostData = {
    ...emptyHost(localHostId, '', true, 'local', startedAt),
    name: options.host ?? '',
    interfaces: options.interfaces ?? [],
    sockets: options.sockets ?? [],
  };
  return createStore<PortholeState>()(() => ({
    startedAt,
    intervalMs,
    effectiveIntervalMs: intervalMs,
    paused: false,
    notice: undefined,
    hosts: options.noLocal ? {} : {[localHostId]: local},
    hostOrder: options.noLocal ? [] : [localHostId],
    currentHost: localHostId,
    ownConnections: [],
    focus: options.focus ?? 'addresses',
    hostsCursor: 0,
    helpOpen: false,
    helpScroll: 0,
    explain: undefined,
    addressesScroll: 0,
    editing: undefined,
    socketsView: {...initialSocketsView, ...options.socketsView},
    request: {...initialRequestState, ...options.request},
  }));
}

/** Shows a one-line notice in the footer. */
/** Longest notice kept: it shows on one line, and a message may quote a pasted megabyte. */
const maxNoticeLength = 1000;

export function notify(store: PortholeStore, text: string): void {
  // Cut before a surrogate pair, never through it.
  const end = /[\uD800-\uDBFF]/.test(text[maxNoticeLength - 2] ?? '')
    ? maxNoticeLength - 2
    : maxNoticeLength - 1;
  const kept = text.length > maxNoticeLength ? `${text.slice(0, end)}…` : text;
  store.setState({notice: {text: kept, at: Date.now()}});
}

/** A host with nothing read yet, for selectors of a host that is not (or no longer) in the store. */
const absentHost: HostData = emptyHost('', '', false, 'local', 0);

/** A host's slice; an empty one for an id the store does not hold. */
export function hostOf(state: PortholeState, id: HostId = state.currentHost): HostData {
  return state.hosts[id] ?? absentHost;
}

/** The one way a feed's reading enters the store: its patch replaces those fields of the host. */
export function applyHostPatch(store: PortholeStore, id: HostId, patch: HostPatch): void {
  const state = store.getState();
  const host = state.hosts[id];
  if (!host) return; // a host removed while its last reading was on the way
  store.setState({hosts: {...state.hosts, [id]: {...host, ...patch}}});
}

/** Adds hosts (after this machine), each starting with nothing read. */
export function addHosts(store: PortholeStore, hosts: readonly HostData[]): void {
  const state = store.getState();
  const added = hosts.filter((host) => !state.hosts[host.id]);
  if (added.length === 0) return;
  const next = {...state.hosts};
  for (const host of added) next[host.id] = host;
  const order = [...state.hostOrder, ...added.map((host) => host.id)];
  store.setState({
    hosts: next,
    hostOrder: order,
    currentHost: state.hosts[state.currentHost] ? state.currentHost : (order[0] ?? localHostId),
  });
}

/** Makes the panes show another host; its sockets table starts at the top. */
export function showHost(store: PortholeStore, id: HostId): void {
  const state = store.getState();
  if (!state.hosts[id] || state.currentHost === id) return;
  store.setState({
    currentHost: id,
    socketsView: {...state.socketsView, cursor: 0, scroll: 0, selectedKey: undefined},
  });
}
