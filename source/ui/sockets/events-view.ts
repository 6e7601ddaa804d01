/** The Sockets pane's events view as plain functions: which events show, and how each reads. */
import type {NetworkInterface, SocketEvent} from '../../model.js';
import type {SocketsView} from '../../store/sockets-view-state.js';
import {formatClock, formatSinceLaunch} from '../../format.js';
import {reachOf, reachWords} from '../../net/reach.js';
import {sanitizeLine} from '../../sanitize.js';
import {filterTerms, matchesView, socketLabel, type ViewToggles} from './sockets-view.js';

/**
 * The events that pass the view, newest first: the filter, exposed-only and the protocol and
 * family toggles apply as in the table. Every event is a listener's, so "all states" does not.
 */
export function shownEvents(
  events: readonly SocketEvent[],
  view: Omit<ViewToggles, 'showAll'> & Pick<SocketsView, 'filter'>,
): readonly SocketEvent[] {
  const terms = filterTerms(view.filter);
  const listeners = {...view, showAll: true};
  const shown: SocketEvent[] = [];
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    if (matchesView(event.socket, listeners, terms)) shown.push(event);
  }
  return shown;
}

export const eventsHeader = 'TIME     SINCE    CHANGE  REACH                SOCKET';

/**
 * `09:03:07 +1m24s   opened  LAN 10.0.0.5         LISTEN 0.0.0.0:8080 (node 4121)`: who can reach
 * the listener, judged against the interfaces as they are now.
 */
export function eventLine(
  event: SocketEvent,
  startedAt: number,
  interfaces: readonly NetworkInterface[],
): string {
  return [
    formatClock(event.at),
    formatSinceLaunch(event.at - startedAt).padEnd(8),
    event.change.padEnd(7),
    sanitizeLine(reachWords(reachOf(event.socket, interfaces))).padEnd(20),
    socketLabel(event.socket),
  ].join(' ');
}
