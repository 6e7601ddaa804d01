import {useMemo, type ReactNode} from 'react';
import {Text} from 'ink';
import {formatBytes, formatDuration} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';
import {maskSecrets, maskUrl} from '../../request/mask.js';
import {methodSemantics, urlParts} from '../../request/form.js';
import {statusMeaning} from '../../request/status.js';
import {responseTabs, type RequestField, type RequestState} from '../../store/request-state.js';
import {Pane, type PaneProps} from '../pane.js';
import {useTheme} from '../theme.js';
import {useClock} from '../use-clock.js';
import {usePorthole} from '../store-context.js';
import {caretWindow} from './text-edit.js';
import {screenful} from '../table.js';
import {responseLines} from './response-lines.js';
import {timingSummary, transcriptText} from '../../request/describe.js';
import {useRequestKeys} from './use-request-keys.js';

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
      </FieldLine>
    );
  }
  return (
    <>
      <FieldLine label={label} field={field} request={request} editing>
        <Text dimColor>Enter new line · Ctrl-S send · Esc done</Text>
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

export function RequestPane({width, height, focused}: PaneProps) {
  const theme = useTheme();
  const request = usePorthole((state) => state.request);
  const editing = usePorthole((state) => state.editing);
  const now = useClock(100, request.inFlight !== undefined);
  const lines = useMemo(
    () => (request.curl !== undefined ? [] : responseLines(request.result, request.tab, width)),
    [request.result, request.tab, request.curl, width],
  );
  useRequestKeys(lines);

  const {result, inFlight} = request;
  const semantics = methodSemantics(request.method);
  const parts = urlParts(request.url);

  const statusLine = (() => {
    if (inFlight) {
      const elapsed = formatDuration(Math.max(0, now - inFlight.startedAt));
      return (
        <Text color={theme.warning}>{`sending ${request.method} … ${elapsed}  (Esc cancels)`}</Text>
      );
    }
    if (request.confirmResend) {
      return (
        <Text color={theme.warning} bold>
          {`${request.method} is not idempotent: send it again? y = yes, Esc = no`}
        </Text>
      );
    }
    if (result?.error) {
      return (
        <Text color={theme.error}>
          {'✗ ' + sanitizeLine(screenful(result.error.message, width))}
        </Text>
      );
    }
    if (result?.response) {
      const r = result.response;
      return (
        <Text>
          <Text bold color={theme.status(r.statusClass)}>
            {sanitizeLine(`${r.status} ${screenful(r.statusText, width)}`)}
          </Text>
          {sanitizeLine(
            ` · ${r.statusClass} · ${formatBytes(r.bodyBytes)}${r.bodyTruncated ? ' (truncated)' : ''} · ${formatDuration(result.timings.total)} · HTTP/${r.httpVersion} from ${r.remoteAddress.includes(':') ? `[${r.remoteAddress}]` : r.remoteAddress}:${r.remotePort} · ${statusMeaning(r.status)}`,
          )}
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
      ? `${request.method} ${sanitizeLine(screenful(maskUrl(request.url), width))}`
      : 'no request yet';
    return (
      <Pane title="Request" focused={false} width={width} height={height}>
        <Text wrap="truncate">
          <Text dimColor>{target + '  '}</Text>
          {statusLine}
        </Text>
      </Pane>
    );
  }

  const editingField = editing === 'field' ? request.field : undefined;
  const headersRows = editingField === 'headers' ? editorLines : 1;
  const bodyRows = editingField === 'body' ? editorLines : 1;
  const formRows = 3 + headersRows + bodyRows;
  const contentRows = Math.max(0, height - 1 - formRows - 3);
  const toggles = [
    request.followRedirects ? 'follow redirects' : 'no redirects',
    request.insecure ? 'TLS NOT VERIFIED' : 'TLS verified',
    request.saveBodies ? 'saving bodies' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const fieldWidth = width - labelWidth;

  return (
    <Pane title="Request" focused width={width} height={height} summary={toggles}>
      <FieldLine label="Method" field="method" request={request} editing={false}>
        <Text bold>{request.method.padEnd(8)}</Text>
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
      <Text wrap="truncate" color={parts.ok ? theme.muted : theme.error}>
        {' '.repeat(labelWidth) +
          (parts.ok
            ? sanitizeLine(
                screenful(
                  `${parts.scheme} · host ${parts.host} · port ${parts.port}${parts.portImplied ? ' (default)' : ''} · ${parts.path}`,
                  width,
                ),
              )
            : `✗ ${parts.error}`)}
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
      <Text wrap="truncate">{statusLine}</Text>
      <Text wrap="truncate" dimColor>
        {result && !inFlight ? timingSummary(result.timings) : ' '}
      </Text>
      <Text wrap="truncate">
        {responseTabs.map((tab) => (
          <Text
            key={tab}
            inverse={tab === request.tab && request.curl === undefined}
            bold={tab === request.tab}
          >
            {` ${tab} `}
          </Text>
        ))}
        <Text dimColor>
          {(editing === 'search'
            ? `  /${sanitizeLine(request.search)}▏`
            : request.search
              ? `  /${sanitizeLine(request.search)} (n next)`
              : '') +
            (lines.length > contentRows
              ? `  ${request.scroll + 1}-${Math.min(lines.length, request.scroll + contentRows)} of ${lines.length}`
              : '')}
        </Text>
      </Text>
      <ResponseContent
        lines={
          inFlight ? inFlight.transcript.map((line) => transcriptText(line, {mask: true})) : lines
        }
        curl={request.curl}
        scroll={inFlight ? Math.max(0, inFlight.transcript.length - contentRows) : request.scroll}
        rows={contentRows}
        search={request.search}
        width={width}
      />
    </Pane>
  );
}

function ResponseContent({
  lines,
  curl,
  scroll,
  rows,
  search,
  width,
}: {
  lines: readonly string[];
  curl: string | undefined;
  scroll: number;
  rows: number;
  search: string;
  width: number;
}) {
  const theme = useTheme();
  if (curl !== undefined) {
    const text = sanitizeLine(curl);
    const chunks: string[] = [];
    for (let index = 0; index < text.length && chunks.length < rows; index += width) {
      chunks.push(text.slice(index, index + width));
    }
    return (
      <>
        {chunks.map((chunk, index) => (
          <Text key={index} color={theme.accent}>
            {chunk}
          </Text>
        ))}
      </>
    );
  }
  const needle = search.toLowerCase();
  return (
    <>
      {lines.slice(scroll, scroll + rows).map((full, index) => {
        const line = screenful(full, width);
        const at = needle ? line.toLowerCase().indexOf(needle) : -1;
        if (at === -1) {
          return (
            <Text key={scroll + index} wrap="truncate">
              {line || ' '}
            </Text>
          );
        }
        return (
          <Text key={scroll + index} wrap="truncate">
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
