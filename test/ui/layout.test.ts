import {describe, expect, it} from 'vitest';
import {
  chromeRows,
  drawnRows,
  isTooSmall,
  layoutPanes,
  paneHeights,
  paneLayouts,
  type LaidOutPane,
} from '../../source/ui/layout.js';

const paneOrder = ['addresses', 'sockets', 'request'] as const;

describe('paneHeights', () => {
  it('fills the drawn rows exactly, for every size and focus', () => {
    for (let rows = 10; rows <= 80; rows++) {
      for (const focus of paneOrder) {
        for (const wanted of [3, 8, 40]) {
          const heights = paneHeights(rows, focus, wanted);
          const sum = heights.addresses + heights.sockets + heights.request;
          expect(sum).toBe(drawnRows(rows) - 2);
          for (const pane of paneOrder) expect(heights[pane]).toBeGreaterThanOrEqual(2);
        }
      }
    }
  });

  it('gives the focused pane the most room and the Addresses pane no more than it needs', () => {
    const sockets = paneHeights(40, 'sockets', 6);
    expect(sockets.addresses).toBe(6);
    expect(sockets.sockets).toBeGreaterThan(25);
    const request = paneHeights(40, 'request', 6);
    expect(request.request).toBeGreaterThan(request.sockets);
  });

  it('stays one row short of the terminal, so Ink never clears the screen per frame', () => {
    expect(drawnRows(24)).toBe(23);
  });

  it('knows when the terminal is too small', () => {
    expect(isTooSmall(20, 5)).toBe(true);
    expect(isTooSmall(39, 30)).toBe(true);
    expect(isTooSmall(80, 24)).toBe(false);
  });
});

/** The three panes of one host, the Sockets table wanting `socketsWanted` rows. */
const onHost = (addressesWanted: number, socketsWanted?: number): LaidOutPane[] => [
  {name: 'addresses', layout: paneLayouts.addresses, wanted: addressesWanted},
  {name: 'sockets', layout: paneLayouts.sockets, wanted: socketsWanted},
  {name: 'request', layout: paneLayouts.request},
];
const sum = (heights: Record<string, number>) =>
  Object.values(heights).reduce((total, height) => total + height, 0);

describe('layoutPanes: a short Sockets table', () => {
  // 80x24, 120x40 and 200x60 with one listener showing (4 rows: title, counts, header, row): the
  // rows it does not fill went blank between the Sockets and Request panes (12, 23, 43 of them).
  for (const rows of [24, 40, 60]) {
    it(`gives no blank gap between the panes at ${rows} rows: the rest is below the last`, () => {
      for (const focus of ['addresses', 'sockets'] as const) {
        const heights = layoutPanes(rows, focus, onHost(8, 4));
        expect(sum(heights)).toBe(drawnRows(rows) - chromeRows);
        expect(heights).toEqual({
          addresses: 8,
          sockets: 4,
          request: drawnRows(rows) - chromeRows - 12,
        });
      }
      // A focused Request pane shows all it is given: it takes what the table does not fill,
      // beside an Addresses pane as small as it was.
      const request = layoutPanes(rows, 'request', onHost(8, 4));
      const before = layoutPanes(rows, 'request', onHost(8));
      expect(request.sockets).toBe(Math.min(4, before.sockets ?? 0));
      expect(request.addresses).toBe(before.addresses);
      expect(request.request).toBe(
        drawnRows(rows) - chromeRows - (request.sockets ?? 0) - (request.addresses ?? 0),
      );
      if (rows >= 40) expect(request.request).toBeGreaterThan(before.request ?? 0);
    });
  }

  it('gives the rows the table does not fill to an Addresses pane with more to show first', () => {
    // 40 rows: the Addresses pane's share is 11 rows; it wants 20 and gets them when Sockets
    // wants 6; the folded Request pane takes what is left.
    const heights = layoutPanes(40, 'sockets', onHost(20, 6));
    expect(heights).toEqual({addresses: 20, sockets: 6, request: 37 - 26});
    const before = layoutPanes(40, 'sockets', onHost(20));
    expect(before.addresses).toBe(11);
  });

  it('keeps a table that fills its rows as tall as before', () => {
    for (const [rows, focus] of [
      [24, 'addresses'],
      [40, 'sockets'],
      [60, 'request'],
    ] as const) {
      expect(layoutPanes(rows, focus, onHost(8, 500))).toEqual(layoutPanes(rows, focus, onHost(8)));
    }
  });

  it('never lays out more rows than the terminal has, however small', () => {
    for (let rows = 1; rows <= 12; rows++) {
      for (const focus of ['addresses', 'sockets', 'request'] as const) {
        for (const socketsWanted of [undefined, 4, 50]) {
          const heights = layoutPanes(rows, focus, onHost(8, socketsWanted));
          expect(sum(heights)).toBeLessThanOrEqual(Math.max(3, drawnRows(rows) - chromeRows));
          expect(sum(heights) + chromeRows).toBeLessThanOrEqual(Math.max(rows, 5));
          for (const height of Object.values(heights)) expect(height).toBeGreaterThanOrEqual(1);
        }
      }
    }
    // The smallest dashboard drawn (40x10): 7 rows for three panes, each keeping its title.
    const tiny = layoutPanes(10, 'sockets', onHost(8, 4));
    expect(sum(tiny)).toBe(7);
    expect(tiny.sockets).toBeGreaterThanOrEqual(3);
  });
});
