/**
 * Shell quoting, both ways, for curl command lines: quoting a word so a POSIX shell reads it back
 * unchanged, and splitting a pasted command into words as people paste them — POSIX quoting
 * (quotes, backslashes, line continuations, $'…', # comments; no expansions) or, for Chrome's
 * "Copy as cURL (cmd)", Windows cmd's ^ escapes and double quotes.
 */

/**
 * A paste as the shell would have read it: bracketed-paste markers gone, the line ends a
 * terminal sends (CR) or Windows keeps (CRLF) made LF, a leading `$ ` or `> ` prompt dropped.
 */
export function pastedText(text: string): string {
  return text
    .replaceAll('\u001b[200~', '')
    .replaceAll('\u001b[201~', '')
    .replace(/\r\n?/g, '\n')
    .replace(/^[ \t]*[$%>#][ \t]+(?=curl\b)/m, '');
}

/** Words of a pasted command, read as cmd.exe would hand them to curl.exe or as a POSIX shell would. */
export function commandWords(text: string): string[] | string {
  const pasted = pastedText(text);
  return looksLikeCmd(pasted) ? cmdWords(pasted) : shellWords(pasted);
}

/** Chrome's cmd copies escape every quote as ^" and end continued lines with ^. */
function looksLikeCmd(text: string): boolean {
  return /\^"/.test(text) || /\s\^\n/.test(text);
}

/** cmd's ^ escapes and line continuations, then the argument rules of Windows programs. */
export function cmdWords(text: string): string[] | string {
  const unescaped = text.replace(/\^\n/g, ' ').replace(/\^([\s\S])/g, '$1');
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let index = 0; index < unescaped.length; index++) {
    const char = unescaped[index] ?? '';
    if (char === '\\') {
      let count = 0;
      while (unescaped[index + count] === '\\') count++;
      if (unescaped[index + count] === '"') {
        word += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) word += '"';
        else quoted = !quoted;
        index += count;
      } else {
        word += '\\'.repeat(count);
        index += count - 1;
      }
      inWord = true;
    } else if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quoted) return 'unterminated double quote';
  if (inWord) words.push(word);
  return words;
}

const safeWord = /^[A-Za-z0-9_\-.,:/=@%+]+$/;

/** Quotes a word for a POSIX shell: left bare when nothing in it is special, else in single quotes. */
export function shellQuote(word: string): string {
  if (safeWord.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const continuation = /[ \t]*\r?\n/y;

/**
 * Splits a command line into words as a POSIX shell would, without expansions. The command ends
 * at a newline or `;` (another command after it is refused) or at `|`, `>`, `&` (the rest is
 * what the shell would do with curl's output, and is left out).
 */
export function shellWords(text: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let index = 0;
  const push = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '\\') {
      const next = text[index + 1];
      // A continuation; spaces left after the backslash by an editor are forgiven.
      continuation.lastIndex = index + 1;
      if (continuation.test(text)) index = continuation.lastIndex;
      else {
        if (next !== undefined) {
          word += next;
          inWord = true;
        }
        index += 2;
      }
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) return 'unterminated single quote';
      word += text.slice(index + 1, end);
      inWord = true;
      index = end + 1;
    } else if (char === '$' && text[index + 1] === "'") {
      const quoted = ansiCQuoted(text, index + 2);
      if (typeof quoted === 'string') return quoted;
      word += quoted.text;
      inWord = true;
      index = quoted.end;
    } else if (char === '"') {
      const quoted = doubleQuoted(text, index + 1);
      if (typeof quoted === 'string') return quoted;
      word += quoted.text;
      inWord = true;
      index = quoted.end;
    } else if (char === '\n' && words.length === 0 && !inWord) {
      // Blank and comment lines before the command.
      index++;
    } else if (char === '\n' || char === ';') {
      // The end of the command: only comments and blank lines may follow.
      push();
      const rest = shellWords(text.slice(index + 1));
      if (typeof rest === 'string') return rest;
      if (rest.length > 0) return 'more than one command in the paste; paste one curl command';
      break;
    } else if (char === '|' || char === '>' || (char === '&' && !inWord)) {
      // `curl … | jq .`, `> out.json`, `2>&1`: what the shell does with curl's output is not the
      // request. An & inside a word stays: an unquoted URL query was meant whole.
      if (inWord && !/^\d+$/.test(word)) push();
      inWord = false;
      break;
    } else if (/\s/.test(char)) {
      push();
      index++;
    } else if (char === '#' && !inWord) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
    } else {
      word += char;
      inWord = true;
      index++;
    }
  }
  push();
  return words;
}

type Quoted = {text: string; end: number};

function doubleQuoted(text: string, start: number): Quoted | string {
  let out = '';
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') return {text: out, end: index + 1};
    if (char === '\\') {
      const next = text[index + 1];
      if (next === '\n') {
        index += 2;
        continue;
      }
      if (next !== undefined && '"\\$`'.includes(next)) {
        out += next;
        index += 2;
        continue;
      }
    }
    out += char;
    index++;
  }
  return 'unterminated double quote';
}

const ansiEscapes: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  e: '\u001b',
  E: '\u001b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

function ansiCQuoted(text: string, start: number): Quoted | string {
  let out = '';
  let index = start;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === "'") return {text: out, end: index + 1};
    if (char !== '\\') {
      out += char;
      index++;
      continue;
    }
    const next = text[index + 1] ?? '';
    const simple = ansiEscapes[next];
    if (simple !== undefined) {
      out += simple;
      index += 2;
      continue;
    }
    const numeric =
      /^(?:x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|([0-7]{1,3}))/.exec(
        text.slice(index + 1),
      );
    if (numeric === null) {
      out += char;
      index++;
      continue;
    }
    const [whole, hex, u4, u8, octal] = numeric;
    const code = octal === undefined ? parseInt(hex ?? u4 ?? u8 ?? '0', 16) : parseInt(octal, 8);
    out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    index += 1 + whole.length;
  }
  return "unterminated $' quote";
}
