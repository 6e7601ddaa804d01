import {useContext} from 'react';
import {useApp, useInput, type Key} from 'ink';
import {cycleFocus} from '../store/store.js';
import {keyName, splitKeys} from './keymap.js';
import {helpLines} from './help-overlay.js';
import {useKeymap, usePortholeStore} from './store-context.js';
import {KeyRouterContext} from './use-pane-input.js';

/**
 * The one input hook: the help takes keys while open; then keys that work everywhere (quit, pane
 * focus, help, pause); everything else goes to the focused pane's handler. While a text field has
 * the keyboard, printable keys belong to the field and only Tab and Ctrl-C act globally.
 */
export function useAppKeys(): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const {exit} = useApp();
  const router = useContext(KeyRouterContext);
  const dispatch = (input: string, key: Key) => {
    const name = keyName(input, key);
    const state = store.getState();
    if (state.helpOpen) {
      const action = keymap.action('help', name);
      if (action === 'close-help') store.setState({helpOpen: false});
      if (action === 'up') store.setState({helpScroll: Math.max(0, state.helpScroll - 1)});
      if (action === 'down') {
        const last = helpLines(keymap).length - 1;
        store.setState({helpScroll: Math.min(last, state.helpScroll + 1)});
      }
      if (name === 'ctrl-c') exit();
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
        cycleFocus(store, 1);
        break;
      case 'previous-pane':
        cycleFocus(store, -1);
        break;
      case 'help':
        store.setState({helpOpen: true, helpScroll: 0});
        break;
      case 'pause':
        store.setState({paused: !state.paused});
        break;
    }
  };

  useInput((chunk, chunkKey) => {
    for (const [input, key] of splitKeys(chunk, chunkKey, store.getState().editing !== undefined)) {
      dispatch(input, key);
    }
  });
}
