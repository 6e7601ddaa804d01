import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {fitCell, fitColumns, type Column} from '../../source/ui/table.js';
import {cutEndpoint} from '../../source/ui/cut.js';

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

describe('fitColumns with several growing columns', () => {
  const grown: Column[] = [
    {key: 'state', title: 'STATE', width: 10, priority: 0},
    {key: 'local', title: 'LOCAL', width: 10, priority: 0, grow: true, maxWidth: 30, wants: 24},
    {key: 'service', title: 'SERVICE', width: 8, priority: 3, yields: true},
    {key: 'reach', title: 'REACH', width: 10, priority: 0, grow: true, maxWidth: 20, wants: 16},
    {key: 'process', title: 'PROCESS', width: 10, priority: 1, grow: true, maxWidth: 30, wants: 12},
  ];
  const widths = (width: number) =>
    Object.fromEntries(fitColumns(grown, width).map((c) => [c.key, c.width]));

  it('widens each growing column to what its cells need, then the first one further', () => {
    // 10 + 24 + 8 + 16 + 12 and four gaps: 74; the rest goes to the first up to its 30.
    expect(widths(90)).toEqual({state: 10, local: 30, service: 8, reach: 16, process: 12});
    expect(widths(74)).toEqual({state: 10, local: 24, service: 8, reach: 16, process: 12});
  });

  it('lets a column that says little yield its width while a growing one is short', () => {
    // At 70 with SERVICE, REACH would get 14 of its 16: SERVICE goes, and every grower has its
    // need (the rest to LOCAL).
    expect(widths(70)).toEqual({state: 10, local: 29, reach: 16, process: 12});
    // Narrower still, the growers share what there is, the first (by priority) served first.
    expect(widths(60)).toEqual({state: 10, local: 24, reach: 13, process: 10});
  });

  it('keeps a yielding column when the others have what they need', () => {
    const all = fitColumns(
      grown.map((c) => ({...c, yields: c.key === 'service'})),
      200,
    );
    expect(all.map((c) => c.key)).toContain('service');
  });

  it('never returns a row wider than asked, whatever the columns want', () => {
    for (let width = 30; width < 120; width++) {
      const placed = fitColumns(grown, width);
      const total = placed.reduce((sum, c) => sum + c.width, 0) + placed.length - 1;
      expect(total).toBeLessThanOrEqual(width);
    }
  });
});

describe('fitCell', () => {
  it("cuts with the column's own cut when given one, padded to the width", () => {
    expect(fitCell('[2001:db8::8a2e:370:7334]:8443', 18, 'left', cutEndpoint)).toBe(
      '[2001…0:7334]:8443',
    );
    expect(fitCell('[2001:db8::8a2e:370:7334]:8443', 18)).toBe('[2001:db8::8a2e:3…');
    expect(fitCell('10.0.0.5:80', 14, 'left', cutEndpoint)).toBe('10.0.0.5:80   ');
  });

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
