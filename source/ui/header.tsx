import {useMemo} from 'react';
import {Text} from 'ink';
import {useShallow} from 'zustand/react/shallow';
import {formatInterval} from '../format.js';
import {sanitizeLine} from '../sanitize.js';
import {isListener} from '../collect/sockets/changes.js';
import {exposedCallout, newestExposure} from './exposed-callout.js';
import {fleetCounts, hostLabel} from './hosts/hosts-view.js';
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
        host: hostLabel(host),
        down: host.status.state === 'down' ? (host.status.error ?? 'no answer') : undefined,
        interfaces: host.interfaces.length,
        interval: state.intervalMs,
        effective: host.local ? state.effectiveIntervalMs : state.intervalMs,
        paused: state.paused,
        source: host.socketSource,
        startedAt: state.startedAt,
        fleet:
          state.hostOrder.length > 1
            ? fleetCounts(state.hostOrder.flatMap((id) => state.hosts[id] ?? []))
            : undefined,
      };
    }),
  );
  // Every host's events: the callout names the newest exposure anywhere.
  const events = usePorthole(
    useShallow((state) => state.hostOrder.map((id) => state.hosts[id]?.socketChanges?.events)),
  );
  const hostIds = usePorthole(useShallow((state) => state.hostOrder));
  const several = hostIds.length > 1;
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
    head.source
      ? `via ${sourceNames[head.source] ?? head.source}`
      : head.down !== undefined
        ? `down: ${sanitizeLine(head.down)}`
        : 'reading…',
  ].join(' · ');
  // The callout comes first: the one fact in the header that asks for attention. It runs out on its
  // own clock: an idle host may go on polling for minutes without a change to the socket list.
  const newest = useMemo(
    () =>
      newestExposure(
        hostIds.map((id, index) => ({id, events: events[index] ?? []})),
        exposedCalloutMs,
      ),
    [hostIds, events],
  );
  const exposedHost = usePorthole((state) =>
    newest && several ? hostLabel(hostOf(state, newest.id)) : undefined,
  );
  const fresh = useFresh(newest?.exposed[0]?.at, exposedCalloutMs);
  const {columns} = useTerminalSize();
  const fleet = head.fleet ? `${head.fleet} · ` : '';
  const prefix = `porthole ${sanitizeLine(head.host)} · ${fleet}`.length;
  const callout =
    fresh && newest
      ? exposedCallout(newest.exposed, head.startedAt, columns - prefix, exposedHost)
      : '';
  return (
    <Text wrap="truncate">
      <Text bold color={theme.accent}>
        porthole
      </Text>
      <Text>{` ${sanitizeLine(head.host)} · `}</Text>
      {fleet ? <Text bold>{fleet}</Text> : null}
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
