import {useMemo} from 'react';
import {Text} from 'ink';
import {useShallow} from 'zustand/react/shallow';
import {formatInterval} from '../format.js';
import {sanitizeLine} from '../sanitize.js';
import {isListener} from '../collect/sockets/changes.js';
import {exposedCallout, recentlyExposed} from './exposed-callout.js';
import {useTerminalSize} from './use-terminal-size.js';
import {usePorthole} from './store-context.js';
import {hostOf} from '../store/store.js';
import {useTheme} from './theme.js';
import {useFresh} from './use-clock.js';

/** How long a newly exposed listener stays called out in the header. */
const exposedCalloutMs = 60_000;

const sourceNames = {proc: '/proc', systeminformation: 'systeminformation'} as const;

export function Header() {
  const theme = useTheme();
  const head = usePorthole(
    useShallow((state) => {
      const host = hostOf(state);
      return {
        host: host.name,
        interfaces: host.interfaces.length,
        interval: state.intervalMs,
        effective: host.local ? state.effectiveIntervalMs : state.intervalMs,
        paused: state.paused,
        source: host.socketSource,
        events: host.socketChanges?.events,
        startedAt: state.startedAt,
      };
    }),
  );
  const sockets = usePorthole((state) => hostOf(state).sockets);
  const listening = useMemo(() => sockets.filter(isListener).length, [sockets]);
  const every =
    head.effective === head.interval
      ? `every ${formatInterval(head.interval)}`
      : `every ${formatInterval(head.interval)}, stretched to ${formatInterval(head.effective)}`;
  const facts = [
    `${head.interfaces} interfaces`,
    `${listening} listening / ${sockets.length} sockets`,
    every,
    head.source ? `via ${sourceNames[head.source] ?? head.source}` : 'reading…',
  ].join(' · ');
  // The callout comes first: the one fact in the header that asks for attention. It runs out on its
  // own clock: an idle host may go on polling for minutes without a change to the socket list.
  const exposed = useMemo(
    () => recentlyExposed(head.events ?? [], exposedCalloutMs),
    [head.events],
  );
  const fresh = useFresh(exposed[0]?.at, exposedCalloutMs);
  const {columns} = useTerminalSize();
  const prefix = `porthole ${sanitizeLine(head.host)} · `.length;
  const callout = fresh ? exposedCallout(exposed, head.startedAt, columns - prefix) : '';
  return (
    <Text wrap="truncate">
      <Text bold color={theme.accent}>
        porthole
      </Text>
      <Text>{` ${sanitizeLine(head.host)} · `}</Text>
      {head.paused ? (
        <Text bold inverse color={theme.warning}>
          {' PAUSED '}
        </Text>
      ) : null}
      {callout ? (
        <Text bold color={theme.warning}>
          {callout}
        </Text>
      ) : null}
      <Text>{facts}</Text>
    </Text>
  );
}
