/**
 * Byte counters per interface, and the rates between two samples. /proc/net/dev costs well under a
 * millisecond to read; systeminformation.networkStats() is the portable source.
 */
import {readFile} from 'node:fs/promises';
import type {InterfaceCounters, Traffic} from '../model.js';

export type CounterSample = {at: number; counters: Map<string, InterfaceCounters>};

/** Parses /proc/net/dev: receive bytes are the first figure after the colon, transmit bytes the ninth. */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const counters = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const figures = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rx = Number(figures[0]);
    const tx = Number(figures[8]);
    if (name && Number.isFinite(rx) && Number.isFinite(tx)) counters.set(name, {rx, tx});
  }
  return counters;
}

export async function readCountersLinux(procRoot: string): Promise<Map<string, InterfaceCounters>> {
  return parseNetDev(await readFile(`${procRoot}/net/dev`, 'utf8'));
}

export async function readCountersPortable(): Promise<Map<string, InterfaceCounters>> {
  const si = await import('systeminformation');
  const stats = await si.networkStats('*');
  return new Map(stats.map((stat) => [stat.iface, {rx: stat.rx_bytes, tx: stat.tx_bytes}]));
}

function rate(now: number, before: number, seconds: number): number | undefined {
  // A counter that went backwards was reset (interface re-created): no honest rate this time.
  return seconds > 0 && now >= before ? (now - before) / seconds : undefined;
}

/**
 * Folds a new sample into the traffic table: rates from the previous sample, and a history of
 * rates bounded to `historyLength` entries.
 */
export function nextTraffic(
  previous: Record<string, Traffic>,
  last: CounterSample | undefined,
  sample: CounterSample,
  historyLength: number,
): Record<string, Traffic> {
  const seconds = last ? (sample.at - last.at) / 1000 : 0;
  const traffic: Record<string, Traffic> = {};
  for (const [name, counters] of sample.counters) {
    const before = last?.counters.get(name);
    const rxRate = before ? rate(counters.rx, before.rx, seconds) : undefined;
    const txRate = before ? rate(counters.tx, before.tx, seconds) : undefined;
    const old = previous[name];
    const append = (history: number[] | undefined, value: number | undefined) =>
      value === undefined ? (history ?? []) : [...(history ?? []), value].slice(-historyLength);
    traffic[name] = {
      ...counters,
      rxRate,
      txRate,
      rxHistory: append(old?.rxHistory, rxRate),
      txHistory: append(old?.txHistory, txRate),
    };
  }
  return traffic;
}
