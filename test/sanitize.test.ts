import {describe, expect, it} from 'vitest';
import {sanitizeLine, sanitizeLines, typedText} from '../source/sanitize.js';

const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('sanitizeLine', () => {
  it('leaves ordinary text alone, wide characters included', () => {
    expect(sanitizeLine('nginx: worker process — 東京 😀')).toBe('nginx: worker process — 東京 😀');
  });

  it('makes escape sequences visible and inert', () => {
    expect(sanitizeLine('\u001B]0;pwned\u0007')).toBe('^[]0;pwned^G');
    expect(sanitizeLine('\u001B[2J\u001B[H')).toBe('^[[2J^[[H');
    expect(sanitizeLine('\u001B]52;c;aGVsbG8=\u0007')).toBe('^[]52;c;aGVsbG8=^G');
  });

  it('makes C1 controls, DEL, newlines and tabs visible', () => {
    expect(sanitizeLine('a\u009B2Jb\u0090c\u009Dd')).toBe('a\\x9b2Jb\\x90c\\x9dd');
    expect(sanitizeLine('x\u007Fy')).toBe('x^?y');
    expect(sanitizeLine('one\ntwo\rthree\tfour')).toBe('one^Jtwo^Mthree^Ifour');
  });

  it('shows text-reordering and invisible characters by name', () => {
    expect(sanitizeLine('abc\u202Edef')).toBe('abc<U+202E>def');
    expect(sanitizeLine('a\u200Bb\uFEFF')).toBe('a<U+200B>b<U+FEFF>');
  });

  it('replaces lone surrogates (what broken UTF-8 becomes)', () => {
    expect(sanitizeLine('a\uD800b')).toBe('a\uFFFDb');
    expect(sanitizeLine(Buffer.from([0x61, 0xff, 0xfe, 0x62]).toString('utf8'))).toBe(
      'a\uFFFD\uFFFDb',
    );
  });

  it('never lets a control character through, whatever the input', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 2000; round++) {
      const text = Array.from({length: 40}, () =>
        String.fromCharCode(Math.floor(random() * 0x300)),
      ).join('');
      expect(sanitizeLine(text)).not.toMatch(controls);
      expect(sanitizeLine(text)).not.toMatch(/\n/);
      for (const line of sanitizeLines(text)) expect(line).not.toMatch(controls);
    }
  });
});

describe('sanitizeLines', () => {
  it('splits on LF and CRLF and expands tabs to 8-column stops', () => {
    expect(sanitizeLines('a\r\nb\nc\td\tend')).toEqual(['a', 'b', 'c       d       end']);
  });

  it('keeps escapes inert on every line', () => {
    expect(sanitizeLines('ok\n\u001B[31mred\u001B[0m')).toEqual(['ok', '^[[31mred^[[0m']);
  });
});

describe('typedText', () => {
  it('drops control characters from typed input instead of showing them', () => {
    expect(typedText('ab\u001B[Ac\u0007')).toBe('ab[Ac');
  });
});
