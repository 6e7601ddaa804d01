/** How an exchange reads as text: the curl -vv transcript lines and the curl -w style timings. */
import {formatDuration} from '../format.js';
import {sanitizeLine} from '../sanitize.js';
import {maskSecrets} from './mask.js';
import type {Timings, TranscriptLine} from './types.js';

const marks: Record<TranscriptLine['kind'], string> = {info: '*', out: '>', in: '<'};

const requestOrStatusLine = /^(HTTP\/|[A-Z]+ \S+ HTTP\/)/;

/**
 * A transcript line as curl -vv prints it (`* info`, `> sent`, `< received`), made safe to show.
 * With `mask`, the values of secret-looking headers are hidden, as the dashboard shows them.
 */
export function transcriptText(line: TranscriptLine, options: {mask?: boolean} = {}): string {
  const mark = marks[line.kind];
  if (line.text === '') return mark;
  const colon = line.text.indexOf(':');
  if (options.mask && line.kind !== 'info' && colon > 0 && !requestOrStatusLine.test(line.text)) {
    const name = line.text.slice(0, colon);
    return sanitizeLine(`${mark} ${name}: ${maskSecrets(name, line.text.slice(colon + 1).trim())}`);
  }
  return `${mark} ${sanitizeLine(line.text)}`;
}

export const timingPhases: ReadonlyArray<[keyof Omit<Timings, 'total'>, string]> = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['send', 'request sent'],
  ['firstByte', 'first byte'],
  ['download', 'download'],
];

/** `dns 0.1 ms · connect 0.3 ms · tls — · request sent 0.1 ms · first byte 2.0 ms · download 0.1 ms · total 2.6 ms`. */
export function timingSummary(timings: Timings, separator = ' · '): string {
  return [
    ...timingPhases.map(([key, label]) => `${label} ${formatDuration(timings[key])}`),
    `total ${formatDuration(timings.total)}`,
  ].join(separator);
}
