import {createContext, useContext, useEffect, useRef} from 'react';
import type {Key} from 'ink';
import type {FocusName} from '../store/store.js';

export type PaneKeyHandler = (name: string, input: string, key: Key) => void;

/**
 * Where each pane's key handler is found. One input hook (in useAppKeys) routes every key to
 * exactly one handler, chosen from the store at the moment the key arrives: a key that moves the
 * focus is never handled a second time by the pane it moved to, even in a burst of pasted keys.
 */
export type KeyRouter = Map<FocusName, {current: PaneKeyHandler}>;

export const KeyRouterContext = createContext<KeyRouter>(new Map());

/** Registers a pane's key handler; it receives keys while the pane has the focus. */
export function usePaneInput(pane: FocusName, handler: PaneKeyHandler): void {
  const router = useContext(KeyRouterContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    router.set(pane, latest);
    return () => {
      if (router.get(pane) === latest) router.delete(pane);
    };
  }, [router, pane]);
}
