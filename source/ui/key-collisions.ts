/**
 * Which bindings of a key table would meet on the same key press. The table is data (the keymap's
 * bindings), so the config check and the tests ask the same question of any table.
 */
import type {Binding, Scope} from './keymap.js';

/**
 * Scopes looked up for the same key press, beside a scope and itself: global keys are read before
 * every pane's; while a field is edited its own scope and the line editor's are read together, and
 * a global key acts there too unless it is a single character (that is typed into the field).
 * The help takes every key while it is open, so it meets no other scope.
 */
const reachedTogether: Array<[Scope, Scope, 'every key' | 'named keys']> = [
  ['global', 'hosts', 'every key'],
  ['global', 'addresses', 'every key'],
  ['global', 'sockets', 'every key'],
  ['global', 'events', 'every key'],
  ['global', 'request', 'every key'],
  ['global', 'stream', 'every key'],
  ['request', 'stream', 'every key'],
  ['global', 'message', 'named keys'],
  ['message', 'line', 'every key'],
  ['global', 'filter', 'named keys'],
  ['global', 'editing', 'named keys'],
  ['global', 'line', 'named keys'],
  ['filter', 'line', 'every key'],
  ['editing', 'line', 'every key'],
];

function meet(first: Scope, second: Scope, key: string): boolean {
  if (first === second) return true;
  const pair = reachedTogether.find(
    ([a, b]) => (a === first && b === second) || (a === second && b === first),
  );
  if (!pair) return false;
  return pair[2] === 'every key' || [...key].length > 1;
}

export type KeyCollision = {key: string; first: Binding; second: Binding};

/** Every pair of different actions that the same key press would reach, in table order. */
export function keyCollisions(table: readonly Binding[]): KeyCollision[] {
  const collisions: KeyCollision[] = [];
  for (const [index, first] of table.entries()) {
    for (const second of table.slice(index + 1)) {
      if (first.scope === second.scope && first.action === second.action) continue;
      for (const key of new Set(first.keys)) {
        if (second.keys.includes(key) && meet(first.scope, second.scope, key)) {
          collisions.push({key, first, second});
        }
      }
    }
  }
  return collisions;
}

/** "sockets.exposed-only" */
export function actionName(binding: Binding): string {
  return `${binding.scope}.${binding.action}`;
}
