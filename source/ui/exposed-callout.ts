/** The header's callout: listeners opened on all interfaces a moment ago, as many as fit by name. */
import type {SocketEvent} from '../model.js';
import {socketKey} from '../collect/sockets/changes.js';
import {formatSinceLaunch} from '../format.js';
import {localEndpoint, socketLabel} from './sockets/sockets-view.js';

/**
 * Listeners opened on all interfaces within `windowMs` before the newest of them, and not closed
 * since, newest first.
 */
export function recentlyExposed(events: readonly SocketEvent[], windowMs: number): SocketEvent[] {
  const closed = new Set<string>();
  const found: SocketEvent[] = [];
  let newest: number | undefined;
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    const key = socketKey(event.socket);
    if (event.change === 'closed') {
      closed.add(key);
      continue;
    }
    if (event.socket.exposure !== 'all-interfaces') continue;
    newest ??= event.at;
    if (event.at < newest - windowMs) break;
    if (!closed.has(key)) found.push(event);
    closed.add(key);
  }
  return found;
}

/**
 * `! new listener on all interfaces: LISTEN 0.0.0.0:8080 (node 4121) at +4.2s · `, or for several
 * `! 3 new listeners on all interfaces: 0.0.0.0:8080, [::]:9000 and 1 more · `,
 * naming as many as fit in `width` columns. With `host` (one of several), `! web-1: new listener…`.
 */
export function exposedCallout(
  exposed: readonly SocketEvent[],
  startedAt: number,
  width: number,
  host?: string,
): string {
  const [only] = exposed;
  if (!only) return '';
  const mark = host === undefined ? '! ' : `! ${host}: `;
  if (exposed.length === 1) {
    return `${mark}new listener on all interfaces: ${socketLabel(only.socket)} at ${formatSinceLaunch(only.at - startedAt)} · `;
  }
  const heads = [
    `${mark}${exposed.length} new listeners on all interfaces: `,
    `${mark}${exposed.length} new on all interfaces: `,
  ];
  const phrase = (head: string, labels: string[], named: number) => {
    const rest = labels.length - named;
    return `${head}${labels.slice(0, named).join(', ')}${rest > 0 ? ` and ${rest} more` : ''} · `;
  };
  // Words go first, then owners, then names: a narrow header still names endpoints.
  const full = exposed.map((event) => socketLabel(event.socket));
  const bare = exposed.map(({socket}) => localEndpoint(socket));
  for (const labels of [full, bare]) {
    for (let named = labels.length; named >= 1; named--) {
      for (const head of heads) {
        const text = phrase(head, labels, named);
        if ([...text].length <= width) return text;
      }
    }
  }
  return phrase(heads[1]!, bare, 1);
}

/**
 * Of every host's recent exposures, the host whose newest one is the newest anywhere, with its
 * exposures (newest first).
 */
export function newestExposure<Id>(
  hosts: ReadonlyArray<{id: Id; events: readonly SocketEvent[]}>,
  windowMs: number,
): {id: Id; exposed: SocketEvent[]} | undefined {
  let best: {id: Id; exposed: SocketEvent[]} | undefined;
  for (const host of hosts) {
    const exposed = recentlyExposed(host.events, windowMs);
    const at = exposed[0]?.at;
    if (at !== undefined && (best === undefined || at > best.exposed[0]!.at)) {
      best = {id: host.id, exposed};
    }
  }
  return best;
}
