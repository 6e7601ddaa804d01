/**
 * A stream in the Request pane's response area: its status line, the log (following the tail, or
 * held where the person scrolled to, with how many entries came since), and under a WebSocket's
 * messages the line to type one in.
 */
import {Text} from 'ink';
import {sanitizeLine} from '../../sanitize.js';
import type {RequestState} from '../../store/request-state.js';
import type {StreamSnapshot} from '../../stream/types.js';
import {screenful} from '../table.js';
import {useTheme} from '../theme.js';
import {binaryPrefix} from './message-input.js';
import {newestSeq, streamStatusText, visibleLines, type StreamLine} from './stream-lines.js';
import {caretWindow} from './text-edit.js';
import {takesMessages} from './use-stream-keys.js';

/**
 * Rows the log gets out of the response area's: less the status line (a live body has the pane's
 * own, bytes so far and rate), the paused marker and the message line.
 */
export function logRows(request: RequestState, rows: number): number {
  const kind = request.stream?.kind;
  const status = kind === 'body' ? 0 : 1;
  const input = kind === 'websocket' ? 1 : 0;
  return Math.max(1, rows - 1 - status - input);
}

export function StreamView({
  request,
  lines,
  rows,
  width,
  editing,
}: {
  request: RequestState;
  lines: readonly StreamLine[];
  /** The whole response area's rows. */
  rows: number;
  width: number;
  /** The message line has the keyboard. */
  editing: boolean;
}) {
  const theme = useTheme();
  const snapshot = request.stream;
  if (!snapshot) return null;
  const room = logRows(request, rows);
  const {top, shown} = visibleLines(lines, request.streamFollow, room);
  const follow = request.streamFollow;
  const fresh = follow.paused ? Math.max(0, newestSeq(snapshot) - follow.seen) : 0;
  const where = lines.length > room ? `  ${top + 1}-${top + shown.length} of ${lines.length}` : '';
  return (
    <>
      {snapshot.kind === 'body' ? null : (
        <StatusLine snapshot={snapshot} width={width} where={where} />
      )}
      {shown.map((line, index) => (
        <Text key={top + index} wrap="truncate" color={lineColor(theme, line.text)}>
          {line.dim ? <Text dimColor>{line.text.slice(0, line.dim)}</Text> : null}
          {screenful(line.text.slice(line.dim ?? 0), width) || ' '}
        </Text>
      ))}
      {Array.from({length: Math.max(0, room - shown.length)}, (_, index) => (
        <Text key={`blank-${index}`}> </Text>
      ))}
      {follow.paused ? (
        <Text wrap="truncate" color={theme.warning}>
          {`paused · ${fresh} new  (End or G follows again)${snapshot.kind === 'body' ? where : ''}`}
        </Text>
      ) : (
        <Text> </Text>
      )}
      {snapshot.kind === 'websocket' ? (
        <MessageLine request={request} width={width} editing={editing} />
      ) : null}
    </>
  );
}

/** The stream's state and counts; a close that was not a normal one in the warning colour. */
function StatusLine({
  snapshot,
  width,
  where,
}: {
  snapshot: StreamSnapshot;
  width: number;
  where: string;
}) {
  const theme = useTheme();
  const {status} = snapshot;
  const unusual =
    (status.state === 'closed' && status.code !== undefined && status.code !== 1000) ||
    status.state === 'reconnecting';
  return (
    <Text wrap="truncate" color={unusual ? theme.warning : theme.accent}>
      {screenful(streamStatusText(snapshot), width)}
      <Text dimColor>{where}</Text>
    </Text>
  );
}

function lineColor(theme: ReturnType<typeof useTheme>, text: string): string | undefined {
  return / → /.test(text.slice(0, 12)) ? theme.accent : undefined;
}

function MessageLine({
  request,
  width,
  editing,
}: {
  request: RequestState;
  width: number;
  editing: boolean;
}) {
  const theme = useTheme();
  const problem = request.messageProblem;
  const label = '  message› ';
  if (!takesMessages(request)) {
    return (
      <Text wrap="truncate" dimColor>
        {request.message === ''
          ? '  the WebSocket is closed: Enter sends the request again'
          : `${label}${sanitizeLine(screenful(request.message, width))} (kept: the WebSocket is closed)`}
      </Text>
    );
  }
  if (!editing) {
    return (
      <Text wrap="truncate" dimColor>
        {request.message === ''
          ? `  > types a message (${binaryPrefix}0a1b… binary, /close CODE REASON)`
          : `${label}${sanitizeLine(screenful(request.message, width))}  (> to go on typing)`}
        {problem ? <Text color={theme.error}>{`  ✗ ${sanitizeLine(problem)}`}</Text> : null}
      </Text>
    );
  }
  const field = Math.max(
    10,
    width - label.length - (problem ? Math.min(40, problem.length + 4) : 0),
  );
  const {before, after} = caretWindow(request.message, request.messageCaret, field);
  const [atCaret = ''] = after;
  return (
    <Text wrap="truncate">
      <Text color={theme.accent} bold>
        {label}
      </Text>
      {before}
      <Text inverse>{atCaret || ' '}</Text>
      {after.slice(atCaret.length)}
      {problem ? <Text color={theme.error}>{`  ✗ ${sanitizeLine(problem)}`}</Text> : null}
    </Text>
  );
}
