/** A stream's received rate: bytes over the last 3 s, in 100 ms slices, forgetting older ones. */
import {describe, expect, it} from 'vitest';
import {StreamLog} from '../../source/stream/log.js';

const received = (bytes: number) =>
  ({dir: 'received', kind: 'text', at: 0, bytes, text: ''}) as const;

describe('stream log rate', () => {
  it('counts the bytes of the last three seconds, per second', () => {
    const log = new StreamLog();
    log.push(received(100), 1000);
    log.push(received(100), 1050);
    log.push(received(100), 2000);
    expect(log.rate(2100)).toBe(100);
    // At 4050 the first two have left the span; at 5200 the third too.
    expect(log.rate(3950)).toBe(100);
    expect(log.rate(4050)).toBe(33);
    expect(log.rate(5200)).toBe(0);
  });

  it('keeps one counter per slice, so a flood costs no more to measure', () => {
    const log = new StreamLog({maxEntries: 10});
    for (let i = 0; i < 300_000; i++) log.push(received(10), 10_000 + i / 100);
    // 300,000 messages of 10 B over 3 s.
    expect(log.rate(12_999)).toBe(1_000_000);
    expect(log.size).toBe(10);
    expect(log.dropped).toBe(299_990);
  });
});
