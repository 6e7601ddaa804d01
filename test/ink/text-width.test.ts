import {describe, expect, it} from 'vitest';
// widest-line itself, not the stand-in the tests alias it to.
import inkWidestLine from '../../node_modules/widest-line/index.js';
import widestLine from '../../source/ink/text-width.js';

describe('widestLine', () => {
  it('measures the widest line, wide characters and colour codes included', () => {
    expect(widestLine('ab\n\u001B[31mabcd\u001B[39m\n漢字')).toBe(4);
    expect(widestLine('')).toBe(0);
  });

  it('measures a text of 200,000 lines without running out of stack', () => {
    const text = `${'a\n'.repeat(200_000)}abc`;
    expect(widestLine(text)).toBe(3);
  });

  it('answers as the widest-line Ink imports, which measures again every time it is asked', () => {
    const texts = ['', 'a\nbb', '\u001B[1mport\u001B[22m\n漢字漢字', '🙂 ok\nx', 'é\n\n'];
    for (const text of texts) {
      expect(widestLine(text), JSON.stringify(text)).toBe(inkWidestLine(text));
      expect(widestLine(text)).toBe(inkWidestLine(text));
    }
  });
});
