import {describe, expect, it} from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatInterval,
  formatRate,
  formatSinceLaunch,
  parseDuration,
  sparkline,
} from '../source/format.js';

describe('figures', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatBytes(-1)).toBe('—');
  });

  // A rate of 821.720666… B/s was printed with every digit of the float.
  it('rounds fractions of a byte and carries into the next unit', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(0.4)).toBe('0 B/s');
    expect(formatRate(821.720666)).toBe('822 B/s');
    expect(formatRate(999.6)).toBe('1000 B/s');
    expect(formatRate(1023.4)).toBe('1023 B/s');
    expect(formatRate(1023.9)).toBe('1.0 KiB/s');
    expect(formatRate(1024)).toBe('1.0 KiB/s');
    expect(formatBytes(99.96 * 1024)).toBe('100 KiB');
    expect(formatBytes(1023.7 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(5.25 * 1024 ** 3)).toBe('5.3 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TiB');
    expect(formatBytes(3 * 1024 ** 5)).toBe('3.0 PiB');
    expect(formatBytes(1024 ** 7)).toBe('1024 EiB');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('shows no rate until there are two samples', () => {
    expect(formatRate(undefined)).toBe('—');
    expect(formatRate(2048)).toBe('2.0 KiB/s');
  });

  it('formats durations to a sensible precision', () => {
    expect(formatDuration(0.42)).toBe('0.42 ms');
    expect(formatDuration(12.34)).toBe('12.3 ms');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1520)).toBe('1.52 s');
    expect(formatDuration(undefined)).toBe('—');
  });

  it('writes intervals and launch offsets as a person would', () => {
    expect(formatInterval(500)).toBe('500ms');
    expect(formatInterval(2000)).toBe('2s');
    expect(formatInterval(1500)).toBe('1.5s');
    expect(formatSinceLaunch(4200)).toBe('+4.2s');
    expect(formatSinceLaunch(187_000)).toBe('+3m07s');
    expect(formatSinceLaunch(7_500_000)).toBe('+2h05m');
  });

  it('parses durations and refuses what is not one', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('250')).toBe(250);
    for (const bad of ['', 'fast', '-1s', '2 h', '1e3', 's'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('draws a sparkline scaled to its peak, padded to its width', () => {
    expect(sparkline([0, 4, 8], 5)).toBe('  ▁▅█');
    expect(sparkline([0, 0], 2)).toBe('▁▁');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toHaveLength(3);
  });
});
