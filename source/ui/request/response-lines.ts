/** What the response area shows in each tab, as sanitized lines. Pure. */
import type {RequestResult, Timings, TranscriptLine} from '../../request/types.js';
import {transcriptLayer} from '../../request/transcript.js';
import {timingPhases, transcriptText} from '../../request/describe.js';
import type {ResponseTab} from '../../store/request-state.js';
import {describeBody} from '../../request/body-view.js';
import {maskSecrets} from '../../request/mask.js';
import {formatBytes, formatDuration} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';
import {wholeSlice} from './text-edit.js';
import {connectionLines} from './connection-lines.js';
import {tlsLines} from './tls-lines.js';

/** A waterfall, as browsers draw one: each phase on its line, its bar starting where the last ended. */
export function timingWaterfall(timings: Timings, barWidth: number): string[] {
  const total = Math.max(timings.total, 0.001);
  const scale = Math.max(4, barWidth) / total;
  let offset = 0;
  const lines = timingPhases.map(([key, label]) => {
    const value = timings[key];
    const start = Math.round(offset * scale);
    const length = value === undefined ? 0 : Math.max(1, Math.round(value * scale));
    offset += value ?? 0;
    const bar = value === undefined ? '' : ' '.repeat(start) + '█'.repeat(length);
    return `${label.padEnd(11)}${formatDuration(value).padStart(10)}  ${bar}`;
  });
  lines.push(`${'total'.padEnd(11)}${formatDuration(timings.total).padStart(10)}`);
  return lines;
}

export function responseLines(
  result: RequestResult | undefined,
  tab: ResponseTab,
  width: number,
): string[] {
  if (!result) return [];
  const {response} = result;
  switch (tab) {
    case 'body': {
      if (!response) return result.error ? ['(no response)'] : [];
      const lines = describeBody(response).lines;
      if (response.savedTo) lines.unshift(`saved whole body to ${sanitizeLine(response.savedTo)}`);
      return lines;
    }
    case 'headers': {
      if (!response) return ['(no response)'];
      const lines = [
        sanitizeLine(`HTTP/${response.httpVersion} ${response.status} ${response.statusText}`),
        ...response.headers.map(([name, value]) =>
          sanitizeLine(`${name}: ${maskSecrets(name, value)}`),
        ),
      ];
      if (result.redirects.length > 0) {
        lines.push('', `followed ${result.redirects.length} redirect(s):`);
        for (const hop of result.redirects) {
          lines.push(sanitizeLine(`  ${hop.status} ${hop.url} -> ${hop.location}`));
        }
      }
      return lines;
    }
    case 'timing': {
      const lines = timingWaterfall(result.timings, Math.max(10, width - 25));
      const where = connectionLines(result);
      if (where.length > 0) lines.push('', ...where);
      if (response) {
        lines.push(
          '',
          `body ${formatBytes(response.bodyBytes)} decoded` +
            (response.decoded
              ? ` (${response.decoded}, ${formatBytes(response.wireBytes)} on the wire)`
              : ''),
        );
      }
      return lines;
    }
    case 'tls':
      return tlsLines(result);
    case 'transcript':
      return result.transcript.map(transcriptRow);
    case 'stream':
      // The stream's log is drawn from its snapshot (stream-lines.ts), not from the result.
      return [];
  }
}

/** Columns the layer tag takes before each transcript line: `DNS  `, `HTTP `. */
export const transcriptTagWidth = 5;

/** A transcript line as the tab shows it: its layer, then the line as curl -v writes it. */
export function transcriptRow(line: TranscriptLine): string {
  return transcriptLayer(line).padEnd(transcriptTagWidth) + transcriptText(line, {mask: true});
}

/** The first match at or after line `from` (case-insensitive), wrapping round: its line and column. */
export function findMatch(
  lines: readonly string[],
  search: string,
  from: number,
): {line: number; column: number} | undefined {
  const line = findLine(lines, search, from);
  if (line === undefined) return undefined;
  return {line, column: (lines[line] ?? '').toLowerCase().indexOf(search.toLowerCase())};
}

/** Long lines cut into rows of `width` characters, for the wrapped view. */
export function wrapLines(lines: readonly string[], width: number): string[] {
  const room = Math.max(1, width);
  const rows: string[] = [];
  for (const line of lines) {
    if (line.length <= room) {
      rows.push(line);
      continue;
    }
    for (let start = 0; start < line.length;) {
      const piece = wholeSlice(line, start, start + room);
      rows.push(piece);
      start += Math.max(1, piece.length);
    }
  }
  return rows;
}

/** The first line at or after `from` that holds the search text (case-insensitive), wrapping round. */
export function findLine(
  lines: readonly string[],
  search: string,
  from: number,
): number | undefined {
  const needle = search.toLowerCase();
  if (!needle) return undefined;
  for (let step = 0; step < lines.length; step++) {
    const index = (from + step) % lines.length;
    if (lines[index]?.toLowerCase().includes(needle)) return index;
  }
  return undefined;
}
