/** How the dashboard asks V8 to manage its heap: a long-running view, light on memory and CPU. */
import v8 from 'node:v8';

/**
 * Set once V8 runs: each flag is read whenever V8 sizes a space or starts a collection.
 * - V8 would grow its young generation to 32 MiB and let the old one reach several times what is
 *   live before collecting; the first two flags keep the first at 2 MiB and the second within
 *   1.3x. Measured in the dashboard, keys pressed: 10k sockets RSS 119-157 -> 91 MiB, 100k sockets
 *   178-243 -> 126-140 MiB, CPU 7.8-8.7% -> 8.5-9.5% of a core at 1 s.
 * - A young-generation collection of this small heap takes about a millisecond; V8 splits it over
 *   its four helper threads whatever the cores, and waking and joining them cost more CPU than
 *   the collection (they were a fifth of the dashboard's CPU at 10k changing sockets). CPU over
 *   20 s at 1 s, 10k changing sockets, side by side: 1660 -> 1430 ms.
 */
export function tuneHeapForDashboard(): void {
  for (const {tuned} of dashboardHeapFlags) v8.setFlagsFromString(tuned);
}

/**
 * Each flag as the dashboard sets it and as V8 starts. V8 takes a code cache only from a process
 * whose flags match its own: the single executable's build sets them back to V8's before it keeps
 * the code cache of a dashboard's start (scripts/build-sea.mjs).
 */
export const dashboardHeapFlags = [
  {tuned: '--semi-space-growth-factor=1', v8Default: '--semi-space-growth-factor=2'},
  {tuned: '--heap-growing-percent=30', v8Default: '--heap-growing-percent=0'},
  {tuned: '--no-parallel-scavenge', v8Default: '--parallel-scavenge'},
] as const;
