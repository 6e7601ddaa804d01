import {useMemo} from 'react';
import {Box, Text} from 'ink';
import type {PortholeStore} from '../store/store.js';
import type {Keymap} from './keymap.js';
import {createKeymap} from './keymap.js';
import {
  KeymapContext,
  RequestControllerContext,
  StoreContext,
  usePorthole,
  usePortholeView,
} from './store-context.js';
import type {RequestController} from '../request/controller.js';
import {createTheme, ThemeContext, type Theme} from './theme.js';
import {drawnRows, isTooSmall, layoutPanes, minimumSize} from './layout.js';
import {useTerminalSize} from './use-terminal-size.js';
import {useAppKeys} from './use-app-keys.js';
import {KeyRouterContext, type KeyRouter} from './use-pane-input.js';
import {Header} from './header.js';
import {Footer} from './footer.js';
import {HelpOverlay} from './help-overlay.js';
import {ExplainPanel} from './explain-panel.js';
import {
  builtInPanes,
  laidOut,
  PanesContext,
  shownPanes,
  usePanes,
  type PaneRegistry,
} from './panes.js';
import {createRowsMemo, SocketRowsContext, useRowsOf} from './sockets/rows-context.js';

export type AppProps = {
  store: PortholeStore;
  /** What the Request pane's keys set off (sending, history, copying). */
  requests: RequestController;
  keymap?: Keymap;
  theme?: Theme;
  /** The panes, top to bottom (the built-in registry unless given). */
  panes?: PaneRegistry;
};

/** The dashboard: header, the three panes (or the help, or the explain panel), footer. */
export function App({store, requests, keymap, theme, panes = builtInPanes}: AppProps) {
  const defaultKeymap = useMemo(() => keymap ?? createKeymap(), [keymap]);
  const defaultTheme = useMemo(() => theme ?? createTheme(true), [theme]);
  const router = useMemo<KeyRouter>(() => new Map(), []);
  const socketRows = useMemo(() => createRowsMemo(), []);
  return (
    <PanesContext.Provider value={panes}>
      <SocketRowsContext.Provider value={socketRows}>
        <KeyRouterContext.Provider value={router}>
          <StoreContext.Provider value={store}>
            <KeymapContext.Provider value={defaultKeymap}>
              <ThemeContext.Provider value={defaultTheme}>
                <RequestControllerContext.Provider value={requests}>
                  <Dashboard />
                </RequestControllerContext.Provider>
              </ThemeContext.Provider>
            </KeymapContext.Provider>
          </StoreContext.Provider>
        </KeyRouterContext.Provider>
      </SocketRowsContext.Provider>
    </PanesContext.Provider>
  );
}

/**
 * One wording, "terminal too small: need 40x10", losing words from the front where it does not fit,
 * so even a 20-column terminal reads the size it needs.
 */
export function tooSmallMessage(columns: number): string {
  const need = `need ${minimumSize.columns}x${minimumSize.rows}`;
  const wordings = [`terminal too small: ${need}`, `too small: ${need}`];
  return wordings.find((text) => text.length <= columns) ?? need;
}

function Dashboard() {
  useAppKeys();
  const {columns, rows} = useTerminalSize();
  const registry = usePanes();
  const focus = usePorthole((state) => state.focus);
  const helpOpen = usePorthole((state) => state.helpOpen);
  const explainOpen = usePorthole((state) => state.explain !== undefined);
  const socketRows = useRowsOf();
  const shown = usePortholeView((state) => laidOut(state, registry, {socketRows}));
  const visible = usePortholeView((state) => shownPanes(state, registry).map((pane) => pane.name));
  if (isTooSmall(columns, rows)) return <Text wrap="truncate">{tooSmallMessage(columns)}</Text>;
  const height = drawnRows(rows);
  const heights = layoutPanes(rows, focus, shown);
  return (
    <Box flexDirection="column" width={columns} height={height} overflow="hidden">
      <Box flexShrink={0}>
        <Header />
      </Box>
      {helpOpen ? (
        <HelpOverlay width={columns} height={height - 2} />
      ) : explainOpen ? (
        <ExplainPanel width={columns} height={height - 2} />
      ) : (
        registry
          .filter((pane) => visible.includes(pane.name))
          .map(({name, component: Component}) => (
            <Component
              key={name}
              width={columns}
              height={heights[name] ?? 1}
              focused={focus === name}
            />
          ))
      )}
      <Box flexShrink={0}>
        <Footer />
      </Box>
    </Box>
  );
}
