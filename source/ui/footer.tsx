import {Text} from 'ink';
import {useShallow} from 'zustand/react/shallow';
import {hostOf} from '../store/store.js';
import {sanitizeLine} from '../sanitize.js';
import {keyLabel, type Binding} from './keymap.js';
import {footerScope, usePanes} from './panes.js';
import {useKeymap, usePorthole} from './store-context.js';
import {useTheme} from './theme.js';
import {useFresh} from './use-clock.js';

/** A notice stays in the footer this long. */
export const noticeMs = 8000;

function hint(binding: Binding): string {
  return `${binding.keys.slice(0, 1).map(keyLabel).join('/')} ${binding.hint ?? binding.help}`;
}

/** Key hints for what has the focus, the latest notice, and whether owners are hidden. */
export function Footer() {
  const theme = useTheme();
  const keymap = useKeymap();
  const panes = usePanes();
  const state = usePorthole(
    useShallow((s) => ({
      scope: footerScope(s, panes),
      editing: s.editing,
      notice: s.notice,
      ownersHidden: hostOf(s).ownersHidden,
      helpOpen: s.helpOpen,
      explainOpen: s.explain !== undefined,
    })),
  );
  const noticeShown = useFresh(state.notice?.at, noticeMs);
  if (state.notice && noticeShown) {
    return (
      <Text wrap="truncate" color={theme.warning}>
        {sanitizeLine(state.notice.text)}
      </Text>
    );
  }
  if (state.helpOpen) {
    return (
      <Text wrap="truncate" dimColor>
        Esc close help
      </Text>
    );
  }
  if (state.explainOpen) {
    const close = keymap.bindings('explain').map((binding) => binding.keys.map(keyLabel)[0]);
    return (
      <Text wrap="truncate" dimColor>
        {`${close[0] ?? 'Esc'} close · ${close[1] ?? '↑'}/${close[2] ?? '↓'} scroll`}
      </Text>
    );
  }
  // While any text field is edited, its editing keys (one line editor for all) come after its own.
  const local =
    state.editing === 'search' || state.scope === undefined
      ? []
      : keymap.bindings(state.scope).filter((binding) => binding.hint);
  const line = state.editing ? keymap.bindings('line').filter((binding) => binding.hint) : [];
  const global = state.editing ? [] : keymap.bindings('global').filter((binding) => binding.hint);
  const hints = [...local, ...line, ...global].map(hint).join(' · ');
  return (
    <Text wrap="truncate">
      {state.ownersHidden ? (
        <Text color={theme.warning}>
          {'some owners hidden: run as root to see all (as ss -p) · '}
        </Text>
      ) : null}
      <Text dimColor>{hints}</Text>
    </Text>
  );
}
