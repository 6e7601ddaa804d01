import {showHost} from '../../store/store.js';
import {useKeymap, usePortholeStore} from '../store-context.js';
import {usePaneInput} from '../use-pane-input.js';

/** Up/down/j/k move through the hosts; Enter makes the other panes show the selected host. */
export function useHostsKeys(): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  usePaneInput('hosts', (name) => {
    const action = keymap.action('hosts', name);
    if (!action) return;
    const {hostOrder, hostsCursor} = store.getState();
    const last = Math.max(0, hostOrder.length - 1);
    const moveTo = (index: number) =>
      store.setState({hostsCursor: Math.max(0, Math.min(last, index))});
    switch (action) {
      case 'up':
        return moveTo(hostsCursor - 1);
      case 'down':
        return moveTo(hostsCursor + 1);
      case 'first':
        return moveTo(0);
      case 'last':
        return moveTo(last);
      case 'show-host': {
        const id = hostOrder[Math.min(hostsCursor, last)];
        if (id !== undefined) showHost(store, id);
        return;
      }
    }
  });
}
