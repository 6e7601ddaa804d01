/** How the screen is shared between the panes; pure, so it is tested without a terminal. */
import type {PaneName} from '../store/store.js';

/** Below this the dashboard shows one line asking for a bigger terminal. */
export const minimumSize = {columns: 40, rows: 10} as const;

/** Header and footer take one line each. */
export const chromeRows = 2;

export function isTooSmall(columns: number, rows: number): boolean {
  return columns < minimumSize.columns || rows < minimumSize.rows;
}

/**
 * Rows the dashboard draws. Ink clears the whole terminal on every frame once its output is as tall
 * as the terminal, so the dashboard stays one row short of it: no flicker.
 */
export function drawnRows(rows: number): number {
  return Math.max(1, rows - 1);
}

/**
 * Rows per pane, title line included. The focused pane gets the most; the Addresses pane never
 * takes more than its content needs; an unfocused Request pane folds to a summary line.
 */
export function paneHeights(
  rows: number,
  focus: PaneName,
  addressesWanted: number,
): Record<PaneName, number> {
  const available = Math.max(3, drawnRows(rows) - chromeRows);
  const share = (part: number, min: number) => Math.max(min, Math.floor(available * part));
  const addressesCap = (part: number) => Math.min(addressesWanted, share(part, 2));
  if (focus === 'request') {
    const addresses = addressesCap(0.12);
    const sockets = Math.min(share(0.15, 3), available - addresses - 4);
    return {
      addresses,
      sockets: Math.max(2, sockets),
      request: available - addresses - Math.max(2, sockets),
    };
  }
  const request = 2;
  if (focus === 'addresses') {
    const sockets = share(0.3, 3);
    const addresses = Math.min(addressesWanted, available - request - sockets);
    return {addresses, sockets: available - request - addresses, request};
  }
  const addresses = addressesCap(0.3);
  return {addresses, sockets: available - request - addresses, request};
}
