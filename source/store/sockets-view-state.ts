/** What the Sockets pane shows and how: the person's choices, kept in the store so any key can change them. */

export type SocketSort = 'port' | 'state' | 'process' | 'queue';
export const socketSorts: readonly SocketSort[] = ['port', 'state', 'process', 'queue'];

export type SocketsView = {
  /** All states, not only listeners (like `ss -a` against `ss -l`). */
  showAll: boolean;
  tcp: boolean;
  udp: boolean;
  ipv4: boolean;
  ipv6: boolean;
  /** Only listeners reachable from other machines. */
  exposedOnly: boolean;
  /** One table of every host's sockets, a HOST column first, instead of the shown host's. */
  allHosts: boolean;
  filter: string;
  /** Caret in the filter while it is edited; undefined is its end. */
  filterCaret?: number;
  sort: SocketSort;
  /** Index of the selected row among the rows shown, and the row's key so it stays selected as rows move. */
  cursor: number;
  selectedKey: string | undefined;
  /** First row drawn (in the events view: first event drawn). */
  scroll: number;
  mode: 'table' | 'events';
};

export const initialSocketsView: SocketsView = {
  showAll: false,
  tcp: true,
  udp: true,
  ipv4: true,
  ipv6: true,
  exposedOnly: false,
  allHosts: false,
  filter: '',
  sort: 'port',
  cursor: 0,
  selectedKey: undefined,
  scroll: 0,
  mode: 'table',
};
