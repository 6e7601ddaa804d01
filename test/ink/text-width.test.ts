import {describe, expect, it} from 'vitest';
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
});
