/**
 * The explain key (i) and the panel's own keys. Opening takes the subject from the focused pane's
 * selection at that moment, so the panel does not change under the reader as polls come in.
 */
import {explainPanelLines} from './explain-panel.js';
import {explainSubject} from './explain-subject.js';
import {useRowsOf} from './sockets/rows-context.js';
import {useKeymap, usePortholeStore} from './store-context.js';
import {useTerminalSize} from './use-terminal-size.js';

export type ExplainKeys = {
  /** Opens the panel on the focused pane's selected thing. */
  open(): void;
  /** A key while the panel is open: close or scroll it; anything else is ignored. */
  key(name: string): void;
};

export function useExplainKeys(): ExplainKeys {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const rowsOf = useRowsOf();
  const {columns, rows} = useTerminalSize();
  return {
    open() {
      const state = store.getState();
      store.setState({
        explain: {subject: explainSubject(state, rowsOf(state), columns), scroll: 0},
      });
    },
    key(name) {
      const view = store.getState().explain;
      if (!view) return;
      const action = keymap.action('explain', name);
      if (action === 'close-explain') store.setState({explain: undefined});
      if (action === 'up')
        store.setState({explain: {...view, scroll: Math.max(0, view.scroll - 1)}});
      if (action === 'down') {
        // The panel has the rows between header and footer, less its own title line.
        const room = Math.max(1, rows - 4);
        const last = Math.max(0, explainPanelLines(view.subject, columns).length - room);
        store.setState({explain: {...view, scroll: Math.min(last, view.scroll + 1)}});
      }
    },
  };
}
