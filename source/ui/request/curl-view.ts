/** A copied curl command as shown on screen: one option per line, credentials masked. Pure. */
import {maskSecrets, maskUrl} from '../../request/mask.js';
import {shellQuote, shellWords} from '../../request/curl/shell-words.js';
import {sanitizeLine} from '../../sanitize.js';

const headerOptions = new Set(['-H', '--header', '--proxy-header']);
const userOptions = new Set(['-u', '--user', '--proxy-user']);
const secretOptions = new Set(['--oauth2-bearer', '--pass', '--password']);
const cookieOptions = new Set(['-b', '--cookie']);
/** `--cert FILE:PASSWORD`: the key's password after the last colon not escaped with `\`. */
const certOptions = new Set(['-E', '--cert']);

function maskWord(option: string, value: string): string {
  if (headerOptions.has(option)) {
    const colon = value.indexOf(':');
    if (colon <= 0) return value;
    const name = value.slice(0, colon);
    return `${name}: ${maskSecrets(name, value.slice(colon + 1).trim())}`;
  }
  if (userOptions.has(option)) {
    const colon = value.indexOf(':');
    return colon === -1 ? value : `${value.slice(0, colon)}:••••`;
  }
  if (secretOptions.has(option)) return '••••••••';
  if (certOptions.has(option)) {
    const colon = value.search(/(?<!\\):(?!.*(?<!\\):)/);
    return colon === -1 ? value : `${value.slice(0, colon)}:••••`;
  }
  if (cookieOptions.has(option)) return value.includes('=') ? maskSecrets('cookie', value) : value;
  return maskUrl(value);
}

/** Each line of the command, sanitized; credentials masked unless `reveal`. */
export function curlLines(command: string, reveal: boolean): string[] {
  const lines = command.split('\n');
  if (reveal) return lines.map(sanitizeLine);
  return lines.map((line) => {
    const continued = /\s\\$/.test(line);
    const body = continued ? line.replace(/\s\\$/, '') : line;
    const indent = /^\s*/.exec(body)?.[0] ?? '';
    const words = shellWords(body);
    if (typeof words === 'string') return sanitizeLine(maskUrl(line));
    const masked: string[] = [];
    for (let index = 0; index < words.length; index++) {
      const word = words[index] ?? '';
      const next = words[index + 1];
      const takesValue =
        headerOptions.has(word) ||
        userOptions.has(word) ||
        secretOptions.has(word) ||
        certOptions.has(word) ||
        cookieOptions.has(word);
      if (takesValue && next !== undefined) {
        masked.push(word, shellQuote(maskWord(word, next)));
        index++;
      } else masked.push(word.startsWith('-') ? word : shellQuote(maskUrl(word)));
    }
    return sanitizeLine(indent + masked.join(' ') + (continued ? ' \\' : ''));
  });
}
