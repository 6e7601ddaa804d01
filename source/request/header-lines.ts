/** Headers as people type them, one `Name: value` per line, and checks that they can be sent. */
import type {HeaderList} from './types.js';

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What would end the header line early or cut the request short; curl sends anything else as given.
const invalidValueChar = /[\r\n\0]/;

/** Why a header name cannot be sent, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (name === '') return 'empty header name';
  if (!token.test(name)) return `invalid header name ${JSON.stringify(name)}`;
  return undefined;
}

/** Why a header value cannot be sent, or undefined when it can. */
export function headerValueProblem(name: string, value: string): string | undefined {
  const bad = invalidValueChar.exec(value);
  if (bad === null) return undefined;
  return `header ${name} contains a character that cannot be sent: ${JSON.stringify(bad[0])}`;
}

/** `Name: value` -> [name, value]; a message for a line that is not a header. */
export function parseHeaderLine(line: string): [name: string, value: string] | string {
  const colon = line.indexOf(':');
  if (colon === -1) return `not a header (expected 'Name: value'): ${JSON.stringify(line)}`;
  const name = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  return headerNameProblem(name) ?? headerValueProblem(name, value) ?? [name, value];
}

/** Every non-blank line as a header, in order; the first problem as a message. */
export function parseHeaderLines(text: string): HeaderList | string {
  const headers: HeaderList = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const header = parseHeaderLine(line);
    if (typeof header === 'string') return header;
    headers.push(header);
  }
  return headers;
}
