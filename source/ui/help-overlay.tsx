import {Box, Text} from 'ink';
import {keyLabel, scopes, scopeTitles, type Keymap, type Scope} from './keymap.js';
import {builtInPanes, usePanes, type PaneRegistry} from './panes.js';
import {useKeymap, usePorthole} from './store-context.js';
import {fitCell} from './table.js';
import {socketMarks} from './sockets/own-connections.js';

const columnWidth = 48;

type HelpLine = {text: string; title: boolean};

const keyLine = (keys: readonly string[], help: string): HelpLine => ({
  text: `  ${fitCell(keys.map(keyLabel).join(' '), 11)} ${help}`,
  title: false,
});

/**
 * The help's lines, generated from the keymap and the pane registry: the keys that work
 * everywhere, the help's own and the explain panel's, then each pane's scopes in the registry's
 * order, then the rest (the line editor): a title per scope, then `keys  what it does`.
 */
export function helpLines(
  keymap: Keymap,
  panes: PaneRegistry = builtInPanes,
): Array<{text: string; title: boolean}> {
  const lines: HelpLine[] = [];
  const paneScopes = panes.flatMap((pane) => pane.scopes);
  const section = (scope: Scope) => {
    const bindings = keymap.bindings(scope);
    if (bindings.length === 0) return;
    lines.push({text: scopeTitles[scope], title: true});
    for (const binding of bindings) lines.push(keyLine(binding.keys, binding.help));
    if (scope === 'sockets') {
      for (const [mark, meaning] of socketMarks)
        lines.push({text: `  ${fitCell(`mark ${mark}`, 11)} ${meaning}`, title: false});
    }
  };
  section('global');
  section('help');
  section('explain');
  for (const pane of panes) {
    pane.scopes.forEach(section);
    if (pane.keys && pane.keys.length > 0) {
      lines.push({text: pane.title, title: true});
      for (const entry of pane.keys) lines.push(keyLine(entry.keys, entry.help));
    }
  }
  for (const scope of scopes) {
    const shownFirst = scope === 'global' || scope === 'help' || scope === 'explain';
    if (!shownFirst && !paneScopes.includes(scope)) section(scope);
  }
  return lines;
}

/** Every key, in as many columns as fit; what does not fit is cut, never wrapped past the pane. */
export function HelpOverlay({width, height}: {width: number; height: number}) {
  const keymap = useKeymap();
  const panes = usePanes();
  const scroll = usePorthole((state) => state.helpScroll);
  const lines = helpLines(keymap, panes);
  const rows = Math.max(1, height - 1);
  const columnCount = Math.max(1, Math.floor(width / columnWidth));
  const first = Math.min(scroll, Math.max(0, lines.length - rows * columnCount));
  const shown = lines.slice(first);
  const columns = Array.from({length: columnCount}, (_, index) =>
    shown.slice(index * rows, (index + 1) * rows),
  );
  const below = Math.max(0, shown.length - rows * columnCount);
  const more = first > 0 || below > 0 ? `  (↑/↓ scroll: ${first} above, ${below} below)` : '';
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate">
        {'Keys' + more}
      </Text>
      <Box flexDirection="row">
        {columns.map((column, index) => (
          <Box key={index} flexDirection="column" width={Math.floor(width / columnCount)}>
            {column.map((line, lineIndex) => (
              <Text key={lineIndex} wrap="truncate" bold={line.title} underline={line.title}>
                {line.text}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
