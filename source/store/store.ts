import {createStore, type StoreApi} from 'zustand/vanilla';
import type {NetworkInterface, Socket, SocketSource, Traffic} from '../model.js';
import type {SocketTracker} from '../collect/sockets/changes.js';
import {initialRequestState, type RequestState} from './request-state.js';
import {initialSocketsView, type SocketsView} from './sockets-view-state.js';

export type PaneName = 'addresses' | 'sockets' | 'request';
export const paneOrder: readonly PaneName[] = ['addresses', 'sockets', 'request'];

/** The socket filter, a request form field, or the response search. */
export type EditTarget = 'filter' | 'field' | 'search';

export type CollectorName = 'interfaces' | 'traffic' | 'sockets';

/** How a collector is doing: the pane keeps its last good data and shows the error when stale. */
export type CollectorHealth = {
  /** Set while the collector fails; its data in the store is the last good reading. */
  error: string | undefined;
  /** When the collector last went from working to failing or back. */
  since: number;
};

export type PortholeState = {
  host: string;
  startedAt: number;
  /** The interval asked for, and the one in use after stretching for slow polls. */
  intervalMs: number;
  effectiveIntervalMs: number;
  paused: boolean;
  health: Partial<Record<CollectorName, CollectorHealth>>;
  /** A one-line message for the person (a bad config field, a copied command), with when it was set. */
  notice: {text: string; at: number} | undefined;

  interfaces: NetworkInterface[];
  traffic: Record<string, Traffic>;

  sockets: readonly Socket[];
  socketSource: SocketSource | undefined;
  ownersHidden: boolean;
  socketTracker: SocketTracker | undefined;
  /** The Request pane's own connections, open and recently closed, for the Sockets pane to mark. */
  ownConnections: readonly OwnConnection[];

  focus: PaneName;
  helpOpen: boolean;
  helpScroll: number;
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

export type StoreOptions = Partial<
  Pick<PortholeState, 'host' | 'intervalMs' | 'startedAt' | 'focus' | 'interfaces' | 'sockets'>
> & {
  socketsView?: Partial<SocketsView>;
  request?: Partial<RequestState>;
};

/** A fresh store: every dashboard, snapshot and test builds its own. */
export function createPortholeStore(options: StoreOptions = {}): PortholeStore {
  const intervalMs = options.intervalMs ?? 1000;
  return createStore<PortholeState>()(() => ({
    host: options.host ?? '',
    startedAt: options.startedAt ?? Date.now(),
    intervalMs,
    effectiveIntervalMs: intervalMs,
    paused: false,
    health: {},
    notice: undefined,
    interfaces: options.interfaces ?? [],
    traffic: {},
    sockets: options.sockets ?? [],
    socketSource: undefined,
    ownersHidden: false,
    socketTracker: undefined,
    ownConnections: [],
    focus: options.focus ?? 'addresses',
    helpOpen: false,
    helpScroll: 0,
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

/** Records a collector's error (or its recovery, with undefined); writes only on a change. */
export function setHealth(
  store: PortholeStore,
  name: CollectorName,
  error: string | undefined,
): void {
  const {health} = store.getState();
  const previous = health[name];
  if (previous && previous.error === error) return;
  store.setState({health: {...health, [name]: {error, since: Date.now()}}});
}

export function cycleFocus(store: PortholeStore, step: 1 | -1): void {
  const {focus} = store.getState();
  const index = paneOrder.indexOf(focus);
  const next = paneOrder[(index + step + paneOrder.length) % paneOrder.length] ?? 'addresses';
  store.setState({focus: next, editing: undefined});
}
