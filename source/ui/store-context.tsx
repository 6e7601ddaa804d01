import {isDeepStrictEqual} from 'node:util';
import {createContext, useContext, useRef} from 'react';
import {useStore} from 'zustand';
import {
  hostOf,
  type HostData,
  type HostId,
  type PortholeState,
  type PortholeStore,
} from '../store/store.js';
import {createKeymap, type Keymap} from './keymap.js';
import type {RequestController} from '../request/controller.js';

export const StoreContext = createContext<PortholeStore | undefined>(undefined);
export const KeymapContext = createContext<Keymap>(createKeymap());

export function usePortholeStore(): PortholeStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('porthole: a pane was rendered outside <App>');
  return store;
}

/** Reads one narrow slice of the store; re-renders only when that slice changes. */
export function usePorthole<T>(selector: (state: PortholeState) => T): T {
  return useStore(usePortholeStore(), selector);
}

/**
 * Reads a view computed from the store (rows as they will be drawn, say), and re-renders only when
 * the view differs in value: a poll whose numbers draw the same rows paints no frame.
 */
export function usePortholeView<T>(view: (state: PortholeState) => T): T {
  const last = useRef<{value: T}>(undefined);
  return usePorthole((state) => {
    const next = view(state);
    if (last.current && isDeepStrictEqual(last.current.value, next)) return last.current.value;
    last.current = {value: next};
    return next;
  });
}

/**
 * Which host a subtree shows. Unset, it is the store's current host (the one the user picked); a
 * view of several hosts sets it per host.
 */
export const HostContext = createContext<HostId | undefined>(undefined);

/** The id of the host this component shows. */
export function useHostId(): HostId {
  const given = useContext(HostContext);
  const current = usePorthole((state) => state.currentHost);
  return given ?? current;
}

/** Reads one narrow slice of the shown host's data. */
export function useHost<T>(selector: (host: HostData, state: PortholeState) => T): T {
  const given = useContext(HostContext);
  return usePorthole((state) => selector(hostOf(state, given ?? state.currentHost), state));
}

/** usePortholeView for the shown host's data. */
export function useHostView<T>(view: (host: HostData, state: PortholeState) => T): T {
  const given = useContext(HostContext);
  return usePortholeView((state) => view(hostOf(state, given ?? state.currentHost), state));
}

export function useKeymap(): Keymap {
  return useContext(KeymapContext);
}

export const RequestControllerContext = createContext<RequestController | undefined>(undefined);

export function useRequestController(): RequestController {
  const controller = useContext(RequestControllerContext);
  if (!controller) throw new Error('porthole: the Request pane needs a request controller');
  return controller;
}
