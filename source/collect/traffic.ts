/**
 * Byte counters per interface, and the rates between two samples. /proc/net/dev costs well under a
 * millisecond to read; systeminformation.networkStats() is the portable source.
 */
import {readFileSync} from 'node:fs';
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

/**
 * Read synchronously: the file is a few hundred bytes that the kernel writes in microseconds, and
 * an asynchronous read wakes the thread pool four times (open, stat, read, close) for it.
 */
export function readCountersLinux(procRoot: string): Map<string, InterfaceCounters> {
  return parseNetDev(readFileSync(`${procRoot}/net/dev`, 'utf8'));
}

/** This machine's counters: /proc/net/dev on Linux, else (or when it cannot be read) systeminformation. */
export async function readCounters(procRoot: string): Promise<Map<string, InterfaceCounters>> {
  if (process.platform === 'linux') {
    try {
      return readCountersLinux(procRoot);
    } catch {
      // fall through to the portable source
    }
  }
  return readCountersPortable();
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
