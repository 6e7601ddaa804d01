/**
 * The pane registry: each pane is one entry (name, title, key scopes, component, its claim on the
 * screen, whether it shows). The layout, the focus order, key routing, the footer and the help are
 * all derived from it, so adding a pane is adding an entry.
 */
import {createContext, useContext, type ComponentType} from 'react';
import {hostOf, type FocusName, type PortholeState, type PortholeStore} from '../store/store.js';
import type {Scope} from './keymap.js';
import type {PaneProps} from './pane.js';
import type {LaidOutPane, PaneLayout} from './layout.js';
import {paneLayouts} from './layout.js';
import {HostsPane, hostsWanted} from './hosts/hosts-pane.js';
import {AddressesPane, addressesWanted} from './addresses/addresses-pane.js';
import {SocketsPane, socketsWanted} from './sockets/sockets-pane.js';
import type {SocketRows} from './sockets/sockets-view.js';
import {RequestPane} from './request/request-pane.js';

/** What the dashboard works out for its panes and lends the layout: the Sockets pane's rows. */
export type PaneMeasures = {socketRows?: ((state: PortholeState) => SocketRows) | undefined};

export type PaneSpec<Name extends string = string> = {
  name: Name;
  /** As the help heads the pane's keys when it has no scope of its own in the keymap. */
  title: string;
  /** The keymap's scopes for this pane's keys, in the order the help lists them. */
  scopes: readonly Scope[];
  /** The scope whose hints the footer shows while the pane has the focus (default: the first). */
  footerScope?: (state: PortholeState) => Scope | undefined;
  component: ComponentType<PaneProps>;
  layout: PaneLayout;
  /**
   * Rows its content would fill, title included (for a `content` layout; a `fill` one gives away
   * what it does not fill). `measures` holds what the dashboard has already worked out.
   */
  wanted?: (state: PortholeState, measures: PaneMeasures) => number | undefined;
  /** Whether it shows now; always, when not given. */
  shown?: (state: PortholeState) => boolean;
  /** Keys the pane reads itself, outside the keymap's scopes: listed in the help. */
  keys?: ReadonlyArray<{keys: string[]; help: string}>;
};

const hostsPane: PaneSpec<'hosts'> = {
  name: 'hosts',
  title: 'Hosts',
  scopes: ['hosts'],
  component: HostsPane,
  layout: paneLayouts.hosts,
  wanted: (state) => hostsWanted(state.hostOrder.length),
  shown: (state) => state.hostOrder.length > 1,
};

const addressesPane: PaneSpec<'addresses'> = {
  name: 'addresses',
  title: 'Addresses',
  scopes: ['addresses'],
  component: AddressesPane,
  layout: paneLayouts.addresses,
  wanted: (state) =>
    addressesWanted(
      hostOf(state).interfaces.reduce((sum, iface) => sum + Math.max(1, iface.addresses.length), 0),
    ),
};

const socketsPane: PaneSpec<'sockets'> = {
  name: 'sockets',
  title: 'Sockets',
  scopes: ['sockets', 'events', 'filter'],
  footerScope: (state) => {
    if (state.editing === 'filter') return 'filter';
    return state.socketsView.mode === 'events' ? 'events' : 'sockets';
  },
  component: SocketsPane,
  layout: paneLayouts.sockets,
  wanted: (state, {socketRows}) =>
    socketRows && state.socketsView.mode === 'table'
      ? socketsWanted(
          socketRows(state).order.length,
          state.editing === 'filter' || state.socketsView.filter !== '',
        )
      : undefined,
};

const requestPane: PaneSpec<'request'> = {
  name: 'request',
  title: 'Request',
  scopes: ['request', 'stream', 'message', 'editing'],
  footerScope: (state) => {
    if (state.editing === 'field') return 'editing';
    if (state.editing === 'message') return 'message';
    const {stream, tab} = state.request;
    return tab === 'stream' && stream !== undefined && stream.status.state !== 'closed'
      ? 'stream'
      : 'request';
  },
  component: RequestPane,
  layout: paneLayouts.request,
};

/** The dashboard's panes, top to bottom. */
export const builtInPanes = [hostsPane, addressesPane, socketsPane, requestPane] as const;

export type PaneName = (typeof builtInPanes)[number]['name'];

export type PaneRegistry = readonly PaneSpec[];

/** The registry a dashboard was given (tests add panes); the built-in one otherwise. */
export const PanesContext = createContext<PaneRegistry>(builtInPanes);

export function usePanes(): PaneRegistry {
  return useContext(PanesContext);
}

export function shownPanes(state: PortholeState, panes: PaneRegistry): PaneSpec[] {
  return panes.filter((pane) => pane.shown?.(state) ?? true);
}

/** The shown panes as the layout takes them. */
export function laidOut(
  state: PortholeState,
  panes: PaneRegistry,
  measures: PaneMeasures = {},
): LaidOutPane[] {
  return shownPanes(state, panes).map((pane) => ({
    name: pane.name,
    layout: pane.layout,
    wanted: pane.wanted?.(state, measures),
  }));
}

/** Tab / Shift-Tab: the next shown pane, hidden ones skipped. */
export function cycleFocus(store: PortholeStore, step: 1 | -1, panes: PaneRegistry): void {
  const state = store.getState();
  const order = shownPanes(state, panes).map((pane) => pane.name);
  if (order.length === 0) return;
  const index = order.indexOf(state.focus);
  const from = index === -1 ? (step === 1 ? -1 : 0) : index;
  const next: FocusName = order[(from + step + order.length) % order.length] ?? order[0]!;
  store.setState({focus: next, editing: undefined});
}

/** The scope the footer's hints come from: a field being edited, else the focused pane's. */
export function footerScope(state: PortholeState, panes: PaneRegistry): Scope | undefined {
  const pane = panes.find((entry) => entry.name === state.focus);
  if (!pane) return undefined;
  return pane.footerScope ? pane.footerScope(state) : pane.scopes[0];
}
