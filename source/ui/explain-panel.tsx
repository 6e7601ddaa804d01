import {Box, Text} from 'ink';
import {explanationLines, wrapWords, type ExplainLine} from '../explain/render.js';
import type {ExplainSubject} from '../explain/types.js';
import {usePorthole} from './store-context.js';

/** The text's width in a panel `width` columns wide: a column kept free at the right edge. */
const textWidth = (width: number) => Math.max(10, width - 1);

/** The panel's lines: the subject's heading, then each section, a blank line between. */
export function explainPanelLines(subject: ExplainSubject, width: number): ExplainLine[] {
  const room = textWidth(width);
  const lines: ExplainLine[] = wrapWords(subject.heading, room).map((text) => ({
    text,
    style: 'title',
  }));
  for (const section of subject.sections) {
    lines.push({text: '', style: 'text'}, ...explanationLines(section, room));
  }
  return lines;
}

/**
 * The explain panel (key i), where the panes were, as the help is: what the selected thing is,
 * wrapped to the terminal; scrolled with ↑/↓ when it is longer than the room.
 */
export function ExplainPanel({width, height}: {width: number; height: number}) {
  const view = usePorthole((state) => state.explain);
  if (!view) return null;
  const lines = explainPanelLines(view.subject, width);
  const rows = Math.max(1, height - 1);
  const first = Math.min(view.scroll, Math.max(0, lines.length - rows));
  const shown = lines.slice(first, first + rows);
  const below = Math.max(0, lines.length - first - rows);
  const more = first > 0 || below > 0 ? `  (↑/↓ scroll: ${first} above, ${below} below)` : '';
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate">
        {'Explain · Esc closes' + more}
      </Text>
      {shown.map((line, index) => (
        <Text
          key={first + index}
          wrap="truncate"
          bold={line.style === 'title'}
          dimColor={line.style === 'refs'}
        >
          {line.text || ' '}
        </Text>
      ))}
    </Box>
  );
}
