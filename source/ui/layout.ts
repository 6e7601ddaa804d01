/** How the screen is shared between the panes; pure, so it is tested without a terminal. */
import {inkReservedRows} from '../ink/screen.js';

/** Below this the dashboard shows one line asking for a bigger terminal. */
export const minimumSize = {columns: 40, rows: 10} as const;

/** Header and footer take one line each. */
export const chromeRows = 2;

export function isTooSmall(columns: number, rows: number): boolean {
  return columns < minimumSize.columns || rows < minimumSize.rows;
}

/** Rows the dashboard draws: the terminal's, less those Ink needs to draw without flicker. */
export function drawnRows(rows: number): number {
  return Math.max(1, rows - inkReservedRows);
}

/** A pane's claim on the screen, title line included. */
export type PaneLayout =
  /**
   * Takes what the others leave (one pane: the Sockets table). Unfocused, it keeps `share` of the
   * room (at least `min`) for a focused pane that wants less than all of it.
   */
  | {kind: 'fill'; share: number; min: number; besideGreedy: number}
  /** As many rows as its content wants, up to `share` of the room unfocused, all it can focused. */
  | {kind: 'content'; share: number; min: number; besideGreedy: number}
  /** Folds to `folded` rows unfocused; focused it takes most of the screen (the others shrink). */
  | {kind: 'greedy'; folded: number; atLeast: number};

/**
 * `wanted`: rows its content would fill, title included. A `fill` pane that says so keeps only
 * those (at least `min`) and its other rows go to panes with more to show.
 */
export type LaidOutPane = {name: string; layout: PaneLayout; wanted?: number | undefined};

/**
 * Rows a fill pane was given beyond what it shows go, in order, to a focused greedy pane (it shows
 * all it gets), to panes whose content wants more than their share, and then to the lowest pane
 * that says nothing of its content (the Request pane): the panes sit together and what no one can
 * use is one blank stretch at the bottom, not a gap between the table and the next pane.
 */
function giveAwaySpare(
  panes: readonly LaidOutPane[],
  focused: LaidOutPane | undefined,
  heights: Record<string, number>,
): void {
  for (const pane of panes) {
    const {layout, wanted} = pane;
    if (layout.kind !== 'fill' || wanted === undefined) continue;
    const height = heights[pane.name] ?? 0;
    const keep = Math.min(height, Math.max(wanted, layout.min));
    let spare = height - keep;
    if (spare <= 0) continue;
    heights[pane.name] = keep;
    const give = (to: LaidOutPane, most: number) => {
      const given = Math.max(0, Math.min(spare, most));
      heights[to.name] = (heights[to.name] ?? 0) + given;
      spare -= given;
    };
    if (focused && focused !== pane && focused.layout.kind === 'greedy') give(focused, spare);
    for (const other of panes) {
      if (other === pane || other.layout.kind !== 'content' || other.wanted === undefined) continue;
      give(other, other.wanted - (heights[other.name] ?? 0));
    }
    give(panes.findLast((other) => other.wanted === undefined) ?? pane, spare);
  }
}

/**
 * Rows per shown pane, adding up to the drawn rows less the chrome. Unfocused panes take their
 * share (beside a greedy focused pane, a smaller one), capped by what their content wants; the
 * focused pane takes the rest, or only what its content wants, the rest going to the fill pane.
 */
export function layoutPanes(
  rows: number,
  focus: string,
  panes: readonly LaidOutPane[],
): Record<string, number> {
  const available = Math.max(panes.length, drawnRows(rows) - chromeRows);
  const share = (part: number, min: number) => Math.max(min, Math.floor(available * part));
  const focused = panes.find((pane) => pane.name === focus) ?? panes[0];
  const greedy = focused?.layout.kind === 'greedy';
  const heights: Record<string, number> = {};
  for (const pane of panes) {
    if (pane === focused) continue;
    const {layout} = pane;
    const base =
      layout.kind === 'greedy'
        ? layout.folded
        : share(greedy ? layout.besideGreedy : layout.share, layout.min);
    heights[pane.name] = layout.kind === 'content' ? Math.min(pane.wanted ?? base, base) : base;
  }
  const used = () => Object.values(heights).reduce((sum, height) => sum + height, 0);
  const fill = panes.find((pane) => pane.layout.kind === 'fill' && pane !== focused);
  if (focused) {
    const room = available - used();
    const {layout} = focused;
    heights[focused.name] =
      layout.kind === 'content' && fill ? Math.min(focused.wanted ?? room, room) : room;
    // A greedy pane gets at least `atLeast` rows, taken from the fill pane first.
    if (layout.kind === 'greedy' && fill) {
      const short = layout.atLeast - (heights[focused.name] ?? 0);
      const fillHeight = heights[fill.name] ?? 0;
      const given = Math.max(0, Math.min(short, fillHeight - 2));
      heights[fill.name] = fillHeight - given;
      heights[focused.name] = (heights[focused.name] ?? 0) + given;
    }
  }
  if (fill) heights[fill.name] = (heights[fill.name] ?? 0) + available - used();
  giveAwaySpare(panes, focused, heights);
  // Too many panes for the rows: each keeps its title line, the tallest give way.
  for (const pane of panes) heights[pane.name] = Math.max(1, heights[pane.name] ?? 0);
  for (let over = used() - available; over > 0; over--) {
    const tallest = panes.reduce((a, b) =>
      (heights[b.name] ?? 0) > (heights[a.name] ?? 0) ? b : a,
    );
    heights[tallest.name] = (heights[tallest.name] ?? 1) - 1;
  }
  return heights;
}

/** The layouts of the built-in panes. */
export const paneLayouts = {
  hosts: {kind: 'content', share: 0.3, min: 3, besideGreedy: 0.2},
  addresses: {kind: 'content', share: 0.3, min: 2, besideGreedy: 0.12},
  sockets: {kind: 'fill', share: 0.3, min: 3, besideGreedy: 0.15},
  request: {kind: 'greedy', folded: 2, atLeast: 4},
} as const satisfies Record<string, PaneLayout>;

/**
 * Rows per pane for the three panes of one host, title line included. The focused pane gets the
 * most; the Addresses pane never takes more than its content needs; an unfocused Request pane
 * folds to a summary line.
 */
export function paneHeights(
  rows: number,
  focus: 'addresses' | 'sockets' | 'request',
  addressesWanted: number,
): Record<'addresses' | 'sockets' | 'request', number> {
  const heights = layoutPanes(rows, focus, [
    {name: 'addresses', layout: paneLayouts.addresses, wanted: addressesWanted},
    {name: 'sockets', layout: paneLayouts.sockets},
    {name: 'request', layout: paneLayouts.request},
  ]);
  return {
    addresses: heights.addresses ?? 0,
    sockets: heights.sockets ?? 0,
    request: heights.request ?? 0,
  };
}
