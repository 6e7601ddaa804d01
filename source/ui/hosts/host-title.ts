import {hostOf, type HostId, type PortholeState} from '../../store/store.js';
import {usePorthole} from '../store-context.js';
import {hostLabel} from './hosts-view.js';

/** `Sockets — web-1` for a host that is not this machine; `Sockets` for this machine. */
export function hostTitle(base: string, state: PortholeState, id: HostId | undefined): string {
  if (id === undefined) return base;
  const host = hostOf(state, id);
  if (host.local || !state.hosts[id]) return base;
  return `${base} — ${hostLabel(host)}`;
}

/** A pane's title naming the shown host when it is not this machine. */
export function useHostTitle(base: string, id?: HostId): string {
  return usePorthole((state) => hostTitle(base, state, id ?? state.currentHost));
}
