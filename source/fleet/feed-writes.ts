/** What the SSH hosts' feeds share in turning readings into patches. */
import type {Traffic} from '../model.js';
import {oneLine} from '../collect/poller.js';
import {sanitizeLine} from '../sanitize.js';

export {historyLength, socketChangesOf} from '../collect/collectors.js';

/** An error as one line a host's row can show: its first line, made visible. */
export function hostError(error: unknown): string {
  return sanitizeLine(oneLine(error));
}

/** Whether no interface moved a byte in the last sample (then a same-counters poll writes nothing). */
export function idle(traffic: Record<string, Traffic>): boolean {
  return Object.values(traffic).every((entry) => !entry.rxRate && !entry.txRate);
}
