import {useContext, useRef} from 'react';
import {useApp, useInput, type Key} from 'ink';
import {inkPasteMarkers} from '../ink/input.js';
import {keyName, plainKey, splitKeys} from './keymap.js';
import {helpLines} from './help-overlay.js';
import {useKeymap, usePortholeStore} from './store-context.js';
import {KeyRouterContext} from './use-pane-input.js';
import {suspendRequest} from './suspend-request.js';
import {cycleFocus, usePanes} from './panes.js';
import {useExplainKeys} from './explain-keys.js';

/** A paste whose end marker never came ends after this long without more of it. */
const pasteEndMs = 1000;
/** More than any field takes; the rest of a runaway paste is dropped, not kept in memory. */
const maxPasteLength = 1024 * 1024;
const pastedCommand = /^\s*(?:\$\s+)?curl\s+\S/;

/**
 * The one input hook: the help takes keys while open, and so does the explain panel; then keys
 * that work everywhere (quit, pane focus, help, explain, pause); everything else goes to the
 * focused pane's handler. While a text field has the keyboard, printable keys belong to the field
 * and only Tab and Ctrl-C act globally.
 */
export function useAppKeys(): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const {exit} = useApp();
  const router = useContext(KeyRouterContext);
  const panes = usePanes();
  const explain = useExplainKeys();
  const dispatch = (input: string, key: Key) => {
    const name = keyName(input, key);
    const state = store.getState();
    if (state.helpOpen) {
      const action = keymap.action('help', name);
      if (action === 'close-help') store.setState({helpOpen: false});
      if (action === 'up') store.setState({helpScroll: Math.max(0, state.helpScroll - 1)});
      if (action === 'down') {
        const last = helpLines(keymap, panes).length - 1;
        store.setState({helpScroll: Math.min(last, state.helpScroll + 1)});
      }
      if (name === 'ctrl-c') exit();
      return;
    }
    if (state.explain) {
      explain.key(name);
      if (name === 'ctrl-c') exit();
      return;
    }
    // Ctrl-C at the password prompt cancels the send, not the dashboard.
    if (name === 'ctrl-c' && state.request.passwordPrompt) {
      router.get(state.focus)?.current(name, input, key);
      return;
    }
    const global = keymap.action('global', name);
    const typed = state.editing !== undefined && [...name].length === 1;
    const action = typed ? undefined : global;
    if (!action) {
      router.get(state.focus)?.current(name, input, key);
      return;
    }
    switch (action) {
      case 'quit':
        exit();
        break;
      case 'next-pane':
        cycleFocus(store, 1, panes);
        break;
      case 'previous-pane':
        cycleFocus(store, -1, panes);
        break;
      case 'help':
        store.setState({helpOpen: true, helpScroll: 0});
        break;
      case 'explain':
        explain.open();
        break;
      case 'pause':
        store.setState({paused: !state.paused});
        break;
      case 'suspend':
        exit(suspendRequest);
        break;
    }
  };

  /** Pasted text is one event for the focused pane, never a run of keys. */
  const dispatchPaste = (text: string) => {
    const state = store.getState();
    if (state.helpOpen || state.explain || text === '') return;
    router.get(state.focus)?.current('paste', text, plainKey);
  };
  const paste = useRef<{text: string; timer: NodeJS.Timeout} | undefined>(undefined);
  const endPaste = () => {
    const pasted = paste.current;
    if (!pasted) return;
    clearTimeout(pasted.timer);
    paste.current = undefined;
    dispatchPaste(pasted.text);
  };

  useInput((chunk, chunkKey) => {
    // Bracketed paste (enabled in terminal.ts), as Ink hands it over (inkPasteMarkers).
    if (chunk === inkPasteMarkers.start) {
      endPaste();
      paste.current = {text: '', timer: setTimeout(endPaste, pasteEndMs)};
      return;
    }
    if (paste.current) {
      if (chunk === inkPasteMarkers.end) return endPaste();
      const part = chunkKey.return ? '\r' : chunkKey.tab ? '\t' : chunk;
      if (paste.current.text.length < maxPasteLength) paste.current.text += part;
      paste.current.timer.refresh();
      return;
    }
    const state = store.getState();
    // A curl command pasted where no field is edited, by a terminal without bracketed paste.
    if (!state.editing && state.focus === 'request' && pastedCommand.test(chunk)) {
      dispatchPaste(chunk);
      return;
    }
    for (const [input, key] of splitKeys(chunk, chunkKey, state.editing !== undefined)) {
      dispatch(input, key);
    }
  });
}
