import {describe, expect, it} from 'vitest';
import {drawnRows, isTooSmall, paneHeights} from '../../source/ui/layout.js';

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
