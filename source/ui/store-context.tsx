import {createContext, useContext} from 'react';
import {useStore} from 'zustand';
import type {PortholeState, PortholeStore} from '../store/store.js';
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

export function useKeymap(): Keymap {
  return useContext(KeymapContext);
}

export const RequestControllerContext = createContext<RequestController | undefined>(undefined);

export function useRequestController(): RequestController {
  const controller = useContext(RequestControllerContext);
  if (!controller) throw new Error('porthole: the Request pane needs a request controller');
  return controller;
}
