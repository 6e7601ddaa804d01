import {useKeymap, usePortholeStore} from '../store-context.js';
import {usePaneInput} from '../use-pane-input.js';

/** j/k and the arrows scroll the Addresses pane. */
export function useAddressesKeys(maxScroll: number): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  usePaneInput('addresses', (name) => {
    const action = keymap.action('addresses', name);
    const {addressesScroll} = store.getState();
    if (action === 'up') store.setState({addressesScroll: Math.max(0, addressesScroll - 1)});
    if (action === 'down') {
      store.setState({addressesScroll: Math.min(maxScroll, addressesScroll + 1)});
    }
  });
}
