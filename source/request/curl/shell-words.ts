/**
 * POSIX shell quoting, both ways, for curl command lines: quoting a word so a shell reads it back
 * unchanged, and splitting a pasted command into words (quotes, backslashes, line continuations
 * and $'…'; no expansions).
 */

const safeWord = /^[A-Za-z0-9_\-.,:/=@%+]+$/;

/** Quotes a word for a POSIX shell: left bare when nothing in it is special, else in single quotes. */
export function shellQuote(word: string): string {
  if (safeWord.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Splits a command line into words as a POSIX shell would, without expansions. */
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
      if (next === '\n') index += 2;
      else if (next === '\r' && text[index + 2] === '\n') index += 3;
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
