import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {cutEnd, cutEndpoint, cutMiddle, cutReach} from '../../source/ui/cut.js';

describe('cutEndpoint', () => {
  it('cuts the middle of an IPv6 address and keeps the bracket and the port', () => {
    const cut = cutEndpoint('[2001:db8:85a3::8a2e:370:7334]:8443', 20);
    expect(cut).toBe('[2001:…70:7334]:8443');
    expect(stringWidth(cut)).toBe(20);
  });

  it('cuts the middle of an IPv4 address and never the port', () => {
    expect(cutEndpoint('192.168.100.200:54321', 16)).toBe('192.…0.200:54321');
    expect(cutEndpoint('192.168.100.200:54321', 8)).toBe('…0:54321');
  });

  it('leaves what fits alone', () => {
    expect(cutEndpoint('10.0.0.5:80', 11)).toBe('10.0.0.5:80');
    expect(cutEndpoint('*:*', 3)).toBe('*:*');
  });

  it('cuts the end when not even the port fits beside the address', () => {
    expect(cutEndpoint('192.168.100.200:54321', 6)).toBe('192.1…');
    expect(stringWidth(cutEndpoint('[fe80::1%eth0]:65535', 4))).toBeLessThanOrEqual(4);
  });

  it('measures wide characters as two columns (a zone id can be any text)', () => {
    const cut = cutEndpoint('[fe80::1%東京東京東京]:8080', 16);
    expect(cut.endsWith(']:8080')).toBe(true);
    expect(cut).toContain('…');
    expect(stringWidth(cut)).toBeLessThanOrEqual(16);
    expect(stringWidth(cut)).toBeGreaterThanOrEqual(15);
  });

  it('is never wider than asked, for any width', () => {
    const text = '[2001:db8:85a3::8a2e:370:7334]:8443';
    for (let width = 0; width <= text.length + 2; width++) {
      const cut = cutEndpoint(text, width);
      expect(stringWidth(cut)).toBeLessThanOrEqual(width);
      if (width >= 8) expect(cut.endsWith(']:8443')).toBe(true);
    }
  });
});

describe('cutMiddle and cutEnd', () => {
  it('keeps the start and the end, the end getting the odd column', () => {
    expect(cutMiddle('2001:db8:85a3::8a2e:370:7334', 14)).toBe('2001:d…70:7334');
    expect(cutMiddle('abc', 3)).toBe('abc');
    expect(cutMiddle('abcdef', 1)).toBe('…');
    expect(cutMiddle('abcdef', 0)).toBe('');
  });

  it('cuts the end with an ellipsis', () => {
    expect(cutEnd('abcdef', 4)).toBe('abc…');
    expect(cutEnd('東京東京', 5)).toBe('東京…');
  });
});

describe('cutReach', () => {
  it('keeps the network word and the count of other addresses, cutting the address', () => {
    expect(cutReach('LAN 192.168.100.200 +2', 22)).toBe('LAN 192.168.100.200 +2');
    expect(cutReach('LAN 192.168.100.200 +2', 16)).toBe('LAN 192.….200 +2');
    expect(cutReach('tailnet 100.101.1.2', 14)).toBe('tailnet 10…1.2');
  });

  it('falls back to the words alone, then to the end cut', () => {
    expect(cutReach('LAN 192.168.100.200 +2', 9)).toBe('LAN +2');
    expect(cutReach('LAN 192.168.100.200 +2', 4)).toBe('LAN…');
    expect(cutReach('internet (2 addresses)', 12)).toBe('internet (2…');
  });

  it('keeps the firewall word whole, cutting the reach before it', () => {
    expect(cutReach('reserved 2001:2::2 +1 · filtered', 26)).toBe('reserved +1 · filtered');
    for (const width of [22, 26, 30, 34]) {
      const cut = cutReach('LAN 192.168.100.200 +2 · IPv4 filtered', width);
      expect(cut.endsWith(' · IPv4 filtered'), cut).toBe(true);
      expect(cut.length).toBeLessThanOrEqual(width);
    }
    expect(cutReach('LAN 192.168.100.200 +2 · IPv4 filtered', 24)).toBe('LAN +2 · IPv4 filtered');
  });
});
