import {notify} from '../../store/store.js';
import {socketSorts, type SocketsView} from '../../store/sockets-view-state.js';
import {editWithKey, wholeSlice} from '../request/text-edit.js';
import {openRequest} from '../request/request-actions.js';
import {useKeymap, usePortholeStore} from '../store-context.js';
import {usePaneInput} from '../use-pane-input.js';
import {listenerUrl, rowAt, scrollFor, selectedIndex} from './sockets-view.js';
import {useRowsOf} from './rows-context.js';
import {hostOf} from '../../store/store.js';
import type {Action} from '../keymap.js';
import {shownEvents} from './events-view.js';

const toggles: Partial<Record<Action<'sockets'> | Action<'events'>, keyof SocketsView>> = {
  'all-states': 'showAll',
  'exposed-only': 'exposedOnly',
  'all-hosts': 'allHosts',
  tcp: 'tcp',
  udp: 'udp',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
};

/** Moving through rows, the view toggles, the filter, and Enter to send a request to a listener. */
export function useSocketsKeys(visible: number): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const rowsOf = useRowsOf();
  usePaneInput('sockets', (name, input) => {
    const state = store.getState();
    const view = state.socketsView;
    const rows = rowsOf(state);
    const selected = selectedIndex(rows, view);
    const update = (patch: Partial<SocketsView>) =>
      store.setState({socketsView: {...store.getState().socketsView, ...patch}});

    if (state.editing === 'filter') {
      const action = keymap.action('filter', name);
      if (action === 'filter-done') store.setState({editing: undefined});
      else if (action === 'filter-clear') {
        store.setState({editing: undefined});
        update({filter: '', filterCaret: 0, cursor: 0, selectedKey: undefined});
      } else {
        // The same line editor as every text field; the filter is kept to a sane length.
        const caret = Math.min(view.filterCaret ?? view.filter.length, view.filter.length);
        const next = editWithKey(
          {text: view.filter, caret},
          keymap.action('line', name),
          name,
          input,
          false,
        );
        if (!next) return;
        const filter = wholeSlice(next.text, 0, 200);
        if (filter === view.filter) update({filterCaret: Math.min(next.caret, filter.length)});
        else {
          update({
            filter,
            filterCaret: Math.min(next.caret, filter.length),
            cursor: 0,
            selectedKey: undefined,
          });
        }
      }
      return;
    }
    if (name === 'paste') return;

    if (view.mode === 'events') {
      const action = keymap.action('events', name);
      if (!action) return;
      const eventCount = shownEvents(hostOf(state).socketChanges?.events ?? [], view).length;
      const pageSize = Math.max(1, visible);
      const scrollBy = (delta: number) =>
        update({scroll: Math.max(0, Math.min(Math.max(0, eventCount - 1), view.scroll + delta))});
      const toggle = toggles[action];
      if (toggle) update({[toggle]: !view[toggle], scroll: 0});
      else if (action === 'filter') {
        update({filterCaret: view.filter.length});
        store.setState({editing: 'filter'});
      } else if (action === 'events') update({mode: 'table', scroll: 0});
      else if (action === 'up') scrollBy(-1);
      else if (action === 'down') scrollBy(1);
      else if (action === 'page-up') scrollBy(-pageSize);
      else if (action === 'page-down') scrollBy(pageSize);
      else if (action === 'first') update({scroll: 0});
      else if (action === 'last') scrollBy(eventCount);
      return;
    }
    const action = keymap.action('sockets', name);
    if (!action) return;

    const moveTo = (index: number) => {
      const cursor = Math.max(0, Math.min(rows.order.length - 1, index));
      update({
        cursor,
        selectedKey: rowAt(rows, cursor)?.key,
        scroll: scrollFor(cursor, view.scroll, visible, rows.order.length),
      });
    };
    const toggle = toggles[action];
    if (toggle) {
      if (toggle === 'allHosts' && state.hostOrder.length < 2) {
        notify(store, 'every host in one table: there is only one host');
        return;
      }
      update({[toggle]: !view[toggle], cursor: 0, selectedKey: undefined, scroll: 0});
      return;
    }
    switch (action) {
      case 'up':
        return moveTo(selected - 1);
      case 'down':
        return moveTo(selected + 1);
      case 'page-up':
        return moveTo(selected - Math.max(1, visible - 1));
      case 'page-down':
        return moveTo(selected + Math.max(1, visible - 1));
      case 'first':
        return moveTo(0);
      case 'last':
        return moveTo(rows.order.length - 1);
      case 'filter':
        update({filterCaret: view.filter.length});
        store.setState({editing: 'filter'});
        return;
      case 'sort': {
        const next = socketSorts[(socketSorts.indexOf(view.sort) + 1) % socketSorts.length];
        update({sort: next ?? 'port'});
        return;
      }
      case 'events':
        update({mode: 'events', scroll: 0});
        return;
      case 'open-request': {
        const row = rowAt(rows, selected);
        const url = row && !row.closed ? listenerUrl(row.socket) : undefined;
        // Another host's listener: its address is as seen there, so the request names that host.
        const host = row?.host === undefined ? state.currentHost : row.host;
        const remote = hostOf(state, host).local ? undefined : host;
        if (url) openRequest(store, url, 'GET', remote);
        else notify(store, 'requests go to TCP listeners: select a LISTEN row');
        return;
      }
    }
  });
}
