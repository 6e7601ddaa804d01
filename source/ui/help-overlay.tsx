import {Box, Text} from 'ink';
import {keyLabel, scopeTitles, type Keymap, type Scope} from './keymap.js';
import {useKeymap, usePorthole} from './store-context.js';
import {fitCell} from './table.js';
import {socketMarks} from './sockets/own-connections.js';

const columnWidth = 48;

/** The help's lines, generated from the keymap: a title per scope, then `keys  what it does`. */
export function helpLines(keymap: Keymap): Array<{text: string; title: boolean}> {
  const lines: Array<{text: string; title: boolean}> = [];
  for (const scope of Object.keys(scopeTitles) as Scope[]) {
    const bindings = keymap.bindings(scope);
    if (bindings.length === 0) continue;
    lines.push({text: scopeTitles[scope], title: true});
    for (const binding of bindings) {
      const keys = binding.keys.map(keyLabel).join(' ');
      lines.push({text: `  ${fitCell(keys, 11)} ${binding.help}`, title: false});
    }
    if (scope === 'sockets') {
      for (const [mark, meaning] of socketMarks)
        lines.push({text: `  ${fitCell(`mark ${mark}`, 11)} ${meaning}`, title: false});
    }
  }
  return lines;
}

/** Every key, in as many columns as fit; what does not fit is cut, never wrapped past the pane. */
export function HelpOverlay({width, height}: {width: number; height: number}) {
  const keymap = useKeymap();
  const scroll = usePorthole((state) => state.helpScroll);
  const lines = helpLines(keymap);
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
