/**
 * What a poll adds to the rows the tables gave, once their owners are known: facts the procfs
 * tables do not carry (a listener's backlog and dual-stack, the container of an owner, where a
 * published port leads). Each enricher keeps its own cache, so a poll where nothing new listens
 * or no new owner appeared costs a map lookup per listener.
 */
import {createContainerEnricher} from './containers.js';
import {createListenerDetails} from './listener-details.js';
import type {ProcSocket} from './proc-net.js';

export type Enricher = {
  /** Sets fields on `sockets` in place; never rejects (a fact it cannot learn stays unknown). */
  apply(sockets: ProcSocket[]): Promise<void>;
  /**
   * Waits for what `apply` started in the background (an engine asked for names, bounded by its
   * own timeout); true when something was learned, so a one-shot reading can apply again.
   */
  settle?(): Promise<boolean>;
  /**
   * Starts, before the tables are read, what needs no rows (ss's listing of listeners): a
   * one-shot reading then waits for it beside the tables, not after them.
   */
  prefetch?(): void;
};

export type EnricherOptions = {
  /** Where procfs is mounted; enrichers that ask the kernel some other way run only for `/proc`. */
  procRoot: string;
};

export function createEnrichers(options: EnricherOptions): Enricher[] {
  void options;
  return [
    createListenerDetails({procRoot: options.procRoot}),
    createContainerEnricher({procRoot: options.procRoot}),
  ];
}

/**
 * Runs every enricher in turn. With `settle` (a one-shot reading, such as `--json`, that has no
 * later poll to show what arrives in the background), waits for that and applies once more.
 */
export async function enrich(
  enrichers: readonly Enricher[],
  sockets: ProcSocket[],
  settle = false,
): Promise<void> {
  for (const enricher of enrichers) await enricher.apply(sockets);
  if (!settle) return;
  for (const enricher of enrichers) {
    if (await enricher.settle?.()) await enricher.apply(sockets);
  }
}
