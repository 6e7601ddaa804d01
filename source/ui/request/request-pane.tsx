import {useMemo, type ReactNode} from 'react';
import {Text} from 'ink';
import {formatBytes, formatClock, formatDuration, formatRate} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';
import {maskSecrets, maskUrl} from '../../request/mask.js';
import {methodSemantics, urlParts} from '../../request/form.js';
import {statusMeaning} from '../../request/status.js';
import {
  sameForm,
  wholeForm,
  type RequestField,
  type RequestState,
  type ResponseTab,
  type TextField,
} from '../../store/request-state.js';
import {hostTitle} from '../hosts/host-title.js';
import {localHostId} from '../../store/store.js';
import {Pane, paneLayers, type PaneProps} from '../pane.js';
import {useTheme, type Theme} from '../theme.js';
import {useClock} from '../use-clock.js';
import {usePorthole} from '../store-context.js';
import {caretWindow, wholeSlice} from './text-edit.js';
import {screenful} from '../table.js';
import {responseLines, transcriptRow, transcriptTagWidth, wrapLines} from './response-lines.js';
import {curlLines} from './curl-view.js';
import {errorLine} from './error-line.js';
import {timingSummary} from '../../request/describe.js';
import {useRequestKeys} from './use-request-keys.js';
import {certificateDaysShort, daysLeftTone, lineTone, type LineTone} from './tls-lines.js';
import {httpVersionLabel, httpVersionOf} from './http-version.js';
import {streamLines, type StreamLine} from './stream-lines.js';
import {logRows, StreamView} from './stream-view.js';
import {showsStream, tabsShown} from './use-stream-keys.js';
import type {StreamEntry} from '../../stream/types.js';

const labelWidth = 10;
/** Lines a multi-line field may take while it is edited. */
const editorLines = 5;

function Caret({line, caret, width}: {line: string; caret: number; width: number}) {
  const {before, after} = caretWindow(line, caret, width);
  // The caret covers one whole character, an emoji's two UTF-16 units included.
  const [atCaret = ''] = after;
  return (
    <Text wrap="truncate">
      {before}
      <Text inverse>{atCaret || ' '}</Text>
      {after.slice(atCaret.length)}
    </Text>
  );
}

type FieldProps = {
  label: string;
  field: RequestField;
  request: RequestState;
  editing: boolean;
  children?: ReactNode;
};

function FieldLine({label, field, request, editing, children}: FieldProps) {
  const theme = useTheme();
  const selected = request.field === field;
  const marker = selected ? (editing ? '✎ ' : '› ') : '  ';
  return (
    <Text wrap="truncate">
      <Text color={selected ? theme.accent : undefined} bold={selected}>
        {marker + label.padEnd(labelWidth - 2)}
      </Text>
      {children}
    </Text>
  );
}

function summaryOf(text: string, masked: (line: string) => string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return '(none)';
  const shown = lines.slice(0, 3).map(masked).join(' · ');
  return sanitizeLine(lines.length > 3 ? `${shown} · +${lines.length - 3} more` : shown);
}

function maskHeaderLine(line: string): string {
  const colon = line.indexOf(':');
  return colon > 0
    ? `${line.slice(0, colon)}: ${maskSecrets(line.slice(0, colon), line.slice(colon + 1).trim())}`
    : line;
}

/** The lines of a multi-line field being edited, the caret's line kept in view. */
function EditorLines({
  text,
  caret,
  width,
  rows,
}: {
  text: string;
  caret: number;
  width: number;
  rows: number;
}) {
  const lines = text.split('\n');
  const caretLine = text.slice(0, caret).split('\n').length - 1;
  const lineStart = text.lastIndexOf('\n', caret - 1) + 1;
  const first = Math.max(0, Math.min(caretLine - rows + 1, lines.length - rows));
  return (
    <>
      {lines.slice(first, first + rows).map((line, index) => {
        const number = first + index;
        return number === caretLine ? (
          <Text key={number} wrap="truncate">
            {' '.repeat(labelWidth)}
            <Caret line={line} caret={caret - lineStart} width={width - labelWidth} />
          </Text>
        ) : (
          <Text key={number} wrap="truncate">
            {' '.repeat(labelWidth) + sanitizeLine(line.slice(0, width * 2))}
          </Text>
        );
      })}
    </>
  );
}

/** Why pasted text in this field was not read, beside it. */
function Problem({request, field}: {request: RequestState; field: TextField}) {
  const theme = useTheme();
  if (request.fieldProblem?.field !== field) return null;
  return (
    <Text color={theme.error} wrap="truncate">
      {'  ✗ ' + sanitizeLine(screenful(request.fieldProblem.text, 200))}
    </Text>
  );
}

/** A multi-line field: one summary line, or the editor's lines while it is edited. */
function TextField({
  label,
  field,
  request,
  editing,
  width,
  summary,
}: {
  label: string;
  field: 'headers' | 'body';
  request: RequestState;
  editing: boolean;
  width: number;
  summary: string;
}) {
  if (!editing) {
    return (
      <FieldLine label={label} field={field} request={request} editing={false}>
        {screenful(summary, width)}
        <Problem request={request} field={field} />
      </FieldLine>
    );
  }
  return (
    <>
      <FieldLine label={label} field={field} request={request} editing>
        <Text dimColor>Enter new line · Ctrl-S send · Esc done</Text>
        <Problem request={request} field={field} />
      </FieldLine>
      <EditorLines
        text={request[field]}
        caret={request.caret}
        width={width}
        rows={editorLines - 1}
      />
    </>
  );
}

function rate(bytes: number, since: number | undefined, now: number): string {
  if (since === undefined || now - since < 200) return '';
  return ` · ${formatRate((bytes * 1000) / (now - since))}`;
}

export function RequestPane({width, height, focused}: PaneProps) {
  const theme = useTheme();
  const request = usePorthole((state) => state.request);
  const editing = usePorthole((state) => state.editing);
  const now = useClock(100, request.inFlight !== undefined);
  // Named for the host whose listener it was opened on, when that is not this machine.
  const title = usePorthole((state) =>
    hostTitle('Request', state, state.request.requestHost ?? localHostId),
  );
  const {result, inFlight, answered} = request;
  const baseLines = useMemo(
    () => (request.curl !== undefined ? [] : responseLines(result, request.tab, width)),
    [result, request.tab, request.curl, width],
  );
  const lines = useMemo(
    () => (request.wrap ? wrapLines(baseLines, width) : baseLines),
    [baseLines, request.wrap, width],
  );
  const version = useMemo(
    () => httpVersionLabel(httpVersionOf(request.options)),
    [request.options],
  );
  // An entry's lines are made once, however many snapshots show it.
  const entryMemo = useMemo(() => new WeakMap<StreamEntry, StreamLine[]>(), []);
  const streamShown = showsStream(request);
  const stream = request.stream;
  const transcript = inFlight?.transcript;
  const logLines = useMemo(() => {
    if (!streamShown || !stream) return [];
    const log = streamLines(stream, entryMemo);
    if (stream.kind !== 'body' || !transcript) return log;
    // A live body under the exchange's transcript, as curl -v -N shows one.
    const head = transcript.map((line) => ({
      seq: 0,
      text: transcriptRow(line),
      dim: transcriptTagWidth,
    }));
    return [...head, ...log];
  }, [streamShown, stream, entryMemo, transcript]);

  const editingField = focused && editing === 'field' ? request.field : undefined;
  const headersRows = editingField === 'headers' ? editorLines : 1;
  const bodyRows = editingField === 'body' ? editorLines : 1;
  // A stream's log wants the rows: the form folds to one line until a field is edited.
  const compactForm = streamShown && request.tab === 'stream' && editingField === undefined;
  const formRows = compactForm ? 1 : 4 + headersRows + bodyRows;
  const warnings = result?.response?.warnings ?? [];
  const remarks = [...warnings.map((warning) => `⚠ ${warning}`), ...request.notes];
  const infoRows = (answered ? 1 : 0) + (remarks.length > 0 ? 1 : 0);
  const contentRows = Math.max(0, height - 1 - formRows - (compactForm ? 2 : 3) - infoRows);
  useRequestKeys({
    lines,
    rows: contentRows,
    width,
    stream: streamShown ? {lines: logLines, rows: logRows(request, contentRows)} : undefined,
  });

  const semantics = methodSemantics(request.method);
  const parts = urlParts(request.url);

  const statusLine = (() => {
    if (request.passwordPrompt) {
      return (
        <Text color={theme.warning} bold>
          {sanitizeLine(`password for ${request.passwordPrompt.user}: `) +
            '•'.repeat([...request.passwordPrompt.text].length) +
            '▏  (Enter sends · Esc cancels)'}
        </Text>
      );
    }
    if (inFlight) {
      const elapsed = formatDuration(Math.max(0, now - inFlight.startedAt));
      const bytes =
        inFlight.bodyBytes > 0
          ? ` · ${formatBytes(inFlight.bodyBytes)} so far${rate(inFlight.bodyBytes, inFlight.firstBodyAt, now)}`
          : '';
      // An event stream is answered and open: its exchange lasts as long as the stream.
      const what =
        request.stream?.kind === 'sse'
          ? `event stream open (${request.method}) … ${elapsed}${bytes}  (Esc or x closes it)`
          : `sending ${request.method} … ${elapsed}${bytes}  (Esc cancels)`;
      return <Text color={theme.warning}>{sanitizeLine(what)}</Text>;
    }
    if (request.confirmResend) {
      return (
        <Text color={theme.warning} bold>
          {sanitizeLine(`${request.method} is not idempotent: send it again? y = yes, Esc = no`)}
        </Text>
      );
    }
    if (answered && !result) {
      return <Text dimColor>no response kept for this entry (Enter sends it again)</Text>;
    }
    if (result?.error) {
      return (
        <Text color={theme.error}>
          {'✗ ' + errorLine(result.error.message, Math.max(10, width - 2))}
        </Text>
      );
    }
    if (result?.response) {
      const r = result.response;
      const certificateDays = result.tls?.chain[0]?.daysLeft;
      return (
        <Text>
          <Text bold color={theme.status(r.statusClass)}>
            {sanitizeLine(
              r.statusText === ''
                ? String(r.status)
                : `${r.status} ${screenful(r.statusText, width)}`,
            )}
          </Text>
          {sanitizeLine(
            ` · ${r.statusClass} · ${formatBytes(r.bodyBytes)}${r.bodyTruncated ? ' (truncated)' : ''} · ${formatDuration(result.timings.total)} · HTTP/${r.httpVersion} from ${r.remoteAddress.includes(':') ? `[${r.remoteAddress}]` : r.remoteAddress}:${r.remotePort}${result.connection?.via ? ` via ${sanitizeLine(result.connection.via)}` : ''}`,
          )}
          {certificateDays === undefined ? null : (
            <Text color={toneColor(theme, daysLeftTone(certificateDays))}>
              {` · ${certificateDaysShort(certificateDays)}`}
            </Text>
          )}
          {` · ${statusMeaning(r.status)}`}
        </Text>
      );
    }
    return (
      <Text dimColor>
        {focused
          ? 'Enter sends · e edits the selected field · m changes the method'
          : 'Tab here, then e to type a URL'}
      </Text>
    );
  })();

  if (!focused) {
    const target = request.url
      ? `${sanitizeLine(request.method)} ${sanitizeLine(screenful(maskUrl(request.url), width))}`
      : 'no request yet';
    return (
      <Pane title={title} layer={paneLayers.request} focused={false} width={width} height={height}>
        <Text wrap="truncate">
          <Text dimColor>{target + '  '}</Text>
          {statusLine}
        </Text>
      </Pane>
    );
  }

  const toggles = [
    request.followRedirects ? 'follow redirects' : 'no redirects',
    request.insecure ? 'TLS NOT VERIFIED' : 'TLS verified',
    request.saveBodies ? 'saving bodies' : undefined,
    request.keepAlive ? 'keep-alive' : 'no keep-alive',
    version,
  ]
    .filter(Boolean)
    .join(' · ');
  const fieldWidth = width - labelWidth;
  const stale = answered !== undefined && !sameForm(answered.form, wholeForm(request));
  const position =
    request.historyIndex === undefined
      ? ''
      : ` · ${request.historyIndex + 1} of ${request.history.length}`;

  return (
    <Pane
      title={title}
      layer={paneLayers.request}
      focused
      width={width}
      height={height}
      summary={toggles}
    >
      {compactForm ? (
        <FieldLine label="Request" field={request.field} request={request} editing={false}>
          {sanitizeLine(screenful(`${request.method} ${maskUrl(request.url)}`, width))}
          <Text dimColor> (↑↓ e: the form)</Text>
        </FieldLine>
      ) : (
        <>
          <FieldLine label="Method" field="method" request={request} editing={false}>
            <Text bold>{sanitizeLine(screenful(request.method, width)).padEnd(8)}</Text>
            <Text dimColor>{semantics.words}</Text>
          </FieldLine>
          <FieldLine label="URL" field="url" request={request} editing={editingField === 'url'}>
            {editingField === 'url' ? (
              <Caret line={request.url} caret={request.caret} width={fieldWidth} />
            ) : (
              sanitizeLine(maskUrl(request.url).slice(0, fieldWidth * 2)) || (
                <Text dimColor>(e to type a URL)</Text>
              )
            )}
          </FieldLine>
          <Text
            wrap="truncate"
            color={parts.ok && !request.fieldProblem ? theme.muted : theme.error}
          >
            {' '.repeat(labelWidth) +
              (request.fieldProblem?.field === 'url'
                ? `✗ ${sanitizeLine(screenful(request.fieldProblem.text, width))}`
                : parts.ok
                  ? sanitizeLine(
                      screenful(
                        `${parts.scheme}${parts.schemeImplied ? ' (added, as curl does)' : ''} · host ${parts.host} · port ${parts.port}${parts.portImplied ? ' (default)' : ''} · ${maskUrl(parts.path)}`,
                        width,
                      ),
                    )
                  : `✗ ${sanitizeLine(screenful(parts.error, width))}`)}
          </Text>
          <TextField
            label="Headers"
            field="headers"
            request={request}
            editing={editingField === 'headers'}
            width={width}
            summary={summaryOf(request.headers, maskHeaderLine)}
          />
          <TextField
            label="Body"
            field="body"
            request={request}
            editing={editingField === 'body'}
            width={width}
            summary={request.body === '' ? '(empty)' : summaryOf(request.body, (line) => line)}
          />
          <FieldLine
            label="Options"
            field="options"
            request={request}
            editing={editingField === 'options'}
          >
            {editingField === 'options' ? (
              <Caret line={request.options} caret={request.caret} width={fieldWidth} />
            ) : request.options.trim() === '' ? (
              <Text dimColor>(none: any curl option, e.g. --compressed -u bob)</Text>
            ) : (
              sanitizeLine(screenful(curlLines(request.options, false).join(' '), width))
            )}
            <Problem request={request} field="options" />
          </FieldLine>
        </>
      )}
      <Text wrap="truncate">{statusLine}</Text>
      {answered ? (
        <Text wrap="truncate" dimColor>
          {'answers ' +
            sanitizeLine(
              screenful(`${answered.form.method} ${maskUrl(answered.form.url)}`, width),
            ) +
            ` · ${formatClock(answered.at)}${position}`}
          {stale ? <Text color={theme.warning}> (form changed since)</Text> : null}
        </Text>
      ) : null}
      {remarks.length > 0 ? (
        <Text wrap="truncate" color={theme.warning}>
          {sanitizeLine(
            screenful(
              remarks.slice(0, 2).join(' · ') +
                (remarks.length > 2 ? ` · +${remarks.length - 2} more` : ''),
              width,
            ),
          )}
        </Text>
      ) : null}
      {compactForm ? null : (
        <Text wrap="truncate" dimColor>
          {result && !inFlight ? timingSummary(result.timings) : ' '}
        </Text>
      )}
      <Text wrap="truncate">
        {tabsShown(request).map((tab) => (
          <Text
            key={tab}
            inverse={tab === request.tab && request.curl === undefined}
            bold={tab === request.tab}
          >
            {` ${tabLabel(tab, request)} `}
          </Text>
        ))}
        <Text dimColor>
          {(editing === 'search'
            ? `  /${sanitizeLine(request.search)}▏`
            : request.search
              ? `  /${sanitizeLine(request.search)} (n next)`
              : '') +
            (!streamShown && lines.length > contentRows
              ? `  ${request.scroll + 1}-${Math.min(lines.length, request.scroll + contentRows)} of ${lines.length}`
              : '') +
            (!request.wrap && request.column > 0 ? `  → col ${request.column + 1}` : '')}
        </Text>
      </Text>
      {request.curl !== undefined ? (
        <CurlCommand
          command={request.curl}
          revealed={request.curlRevealed}
          rows={contentRows}
          width={width}
        />
      ) : streamShown ? (
        <StreamView
          request={request}
          lines={logLines}
          rows={contentRows}
          width={width}
          editing={editing === 'message'}
        />
      ) : (
        <ResponseContent
          lines={inFlight ? inFlight.transcript.map(transcriptRow) : lines}
          scroll={inFlight ? Math.max(0, inFlight.transcript.length - contentRows) : request.scroll}
          column={inFlight || request.wrap ? 0 : request.column}
          rows={contentRows}
          search={request.search}
          width={width}
          tone={request.tab === 'tls' && !inFlight ? lineTone : undefined}
          dimPrefix={
            inFlight || (request.tab === 'transcript' && !request.wrap) ? transcriptTagWidth : 0
          }
        />
      )}
    </Pane>
  );
}

function tabLabel(tab: ResponseTab, request: RequestState): string {
  if (tab !== 'stream') return tab;
  return request.stream?.kind === 'sse' ? 'events' : 'messages';
}

/** The copied command, here in the response area, masked until revealed. */
function CurlCommand({
  command,
  revealed,
  rows,
  width,
}: {
  command: string;
  revealed: boolean;
  rows: number;
  width: number;
}) {
  const theme = useTheme();
  const shown = curlLines(command, revealed);
  const room = Math.max(0, rows - 1);
  const cut = shown.length > room;
  const body = shown.slice(0, cut ? Math.max(0, room - 1) : room);
  return (
    <>
      <Text wrap="truncate" dimColor>
        {revealed
          ? 'copied as curl, shown unmasked (r masks) · any other key closes'
          : 'copied as curl; credentials masked here, not in the clipboard (r reveals)'}
      </Text>
      {body.map((line, index) => (
        <Text key={index} wrap="truncate" color={theme.accent}>
          {screenful(line, width)}
        </Text>
      ))}
      {cut ? (
        <Text dimColor>{`… ${shown.length - body.length} more lines (in the clipboard)`}</Text>
      ) : null}
    </>
  );
}

function ResponseContent({
  lines,
  scroll,
  column,
  rows,
  search,
  width,
  tone,
  dimPrefix = 0,
}: {
  lines: readonly string[];
  scroll: number;
  column: number;
  rows: number;
  search: string;
  width: number;
  /** Which lines warn or report an error (the tls tab's ⚠ and ✗ lines), for their colour. */
  tone?: (line: string) => LineTone | undefined;
  /** Columns at the start of each line drawn dim: the transcript's layer tag (DNS, TCP, TLS, HTTP). */
  dimPrefix?: number;
}) {
  const theme = useTheme();
  const needle = search.toLowerCase();
  return (
    <>
      {lines.slice(scroll, scroll + rows).map((full, index) => {
        const line = screenful(column > 0 ? wholeSlice(full, column) : full, width);
        const at = needle ? line.toLowerCase().indexOf(needle) : -1;
        const color = toneColor(theme, tone?.(full));
        if (at === -1) {
          const tag = column === 0 ? line.slice(0, dimPrefix) : '';
          return (
            <Text key={scroll + index} wrap="truncate" color={color}>
              {tag ? <Text dimColor>{tag}</Text> : null}
              {line.slice(tag.length) || (tag ? '' : ' ')}
            </Text>
          );
        }
        return (
          <Text key={scroll + index} wrap="truncate" color={color}>
            {line.slice(0, at)}
            <Text inverse color={theme.warning}>
              {line.slice(at, at + needle.length)}
            </Text>
            {line.slice(at + needle.length)}
          </Text>
        );
      })}
    </>
  );
}

function toneColor(theme: Theme, tone: LineTone | undefined): string | undefined {
  return tone === 'error' ? theme.error : tone === 'warning' ? theme.warning : undefined;
}
