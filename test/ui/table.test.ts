import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {fitCell, fitColumns, type Column} from '../../source/ui/table.js';

const columns: Column[] = [
  {key: 'a', title: 'A', width: 10, priority: 0},
  {key: 'b', title: 'B', width: 10, priority: 2},
  {key: 'c', title: 'C', width: 10, priority: 1, grow: true},
];

describe('fitColumns', () => {
  it('drops the least important columns first and grows one to fill the width', () => {
    expect(fitColumns(columns, 40).map((c) => [c.key, c.width])).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 18],
    ]);
    expect(fitColumns(columns, 25).map((c) => c.key)).toEqual(['a', 'c']);
    expect(fitColumns(columns, 12).map((c) => c.key)).toEqual(['a']);
  });

  it('drops the rightmost of equally dispensable columns first', () => {
    const rates: Column[] = [
      {key: 'name', title: 'NAME', width: 10, priority: 0},
      {key: 'rx', title: 'RX', width: 10, priority: 1},
      {key: 'tx', title: 'TX', width: 10, priority: 1},
    ];
    expect(fitColumns(rates, 25).map((c) => c.key)).toEqual(['name', 'rx']);
  });

  it('never returns a row wider than asked', () => {
    for (let width = 5; width < 60; width++) {
      const placed = fitColumns(columns, width);
      const total = placed.reduce((sum, c) => sum + c.width, 0) + placed.length - 1;
      expect(total).toBeLessThanOrEqual(Math.max(width, 10));
    }
  });
});

describe('fitCell', () => {
  it('pads or cuts to exactly the width, counting wide characters as two', () => {
    expect(fitCell('abc', 5)).toBe('abc  ');
    expect(fitCell('abc', 5, 'right')).toBe('  abc');
    expect(fitCell('abcdef', 4)).toBe('abc…');
    expect(stringWidth(fitCell('東京東京東京', 7))).toBe(7);
    expect(stringWidth(fitCell('😀😀😀😀', 5))).toBe(5);
  });

  it('cuts a megabyte of text without measuring all of it', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(fitCell(huge, 20)).toHaveLength(20);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
