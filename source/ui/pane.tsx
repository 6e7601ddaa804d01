import {Children, type ReactNode} from 'react';
import {Box, Text} from 'ink';
import {useTheme} from './theme.js';
import {sanitizeLine} from '../sanitize.js';
import {textWidth} from '../ink/text-width.js';

/** Where the shell puts a pane: its size, and whether it has the keyboard. */
export type PaneProps = {width: number; height: number; focused: boolean};

/** The layer of the network each pane shows, as its title names it. */
export const paneLayers = {
  addresses: 'network · IP',
  sockets: 'transport · TCP/UDP',
  request: 'application · HTTP',
} as const;

type FrameProps = {
  title: string;
  /** The network layer the pane shows (`transport · TCP/UDP`): beside the title while it fits. */
  layer?: string;
  focused: boolean;
  width: number;
  height: number;
  /** Short facts beside the title (counts, modes). */
  summary?: string;
  /** Set when the pane's collector is failing: its data is the last good reading. */
  stale?: string;
  children?: ReactNode;
};

/**
 * A pane: a title line (marked when focused) and `height - 1` lines of content, never more. The
 * layer words are the first thing the title line gives up: the summary's facts matter more.
 */
export function Pane({title, layer, focused, width, height, summary, stale, children}: FrameProps) {
  const theme = useTheme();
  const staleText = stale ? `  stale: ${sanitizeLine(stale)}` : '';
  const summaryText = summary ? '  ' + summary : '';
  const layerText = layer ? ` (${layer})` : '';
  const showLayer =
    layerText !== '' && 2 + textWidth(title + layerText + summaryText + staleText) <= width;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text
        wrap="truncate"
        bold={focused}
        color={focused ? theme.accent : undefined}
        dimColor={!focused}
      >
        {focused ? '▶ ' : '  '}
        {title}
        {showLayer ? (
          <Text bold={false} dimColor>
            {layerText}
          </Text>
        ) : null}
        {summaryText ? <Text bold={false}>{summaryText}</Text> : null}
        {staleText ? (
          <Text color={theme.error} bold={false} dimColor={false}>
            {staleText}
          </Text>
        ) : null}
      </Text>
      {height > 1 ? (
        <Box flexDirection="column" height={height - 1} overflow="hidden">
          <Lines>{children}</Lines>
        </Box>
      ) : null}
    </Box>
  );
}

/**
 * Stacks lines without letting the layout squeeze them: a pane with more lines than rows clips the
 * rest instead of drawing lines over each other.
 */
export function Lines({children}: {children?: ReactNode}) {
  return (
    <>
      {Children.toArray(children).map((child, index) => (
        <Box key={index} flexShrink={0} flexDirection="column">
          {child}
        </Box>
      ))}
    </>
  );
}
