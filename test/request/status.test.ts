import {describe, expect, it} from 'vitest';
import {reasonPhrase, statusClass, statusMeaning} from '../../source/request/status.js';

describe('status words', () => {
  it.each([
    [101, 'informational'],
    [204, 'success'],
    [301, 'redirection'],
    [404, 'client error'],
    [503, 'server error'],
    [99, 'unknown'],
    [600, 'unknown'],
  ] as const)('puts %i in class %s', (code, expected) => {
    expect(statusClass(code)).toBe(expected);
  });

  it('gives the registered reason phrase', () => {
    expect(reasonPhrase(404)).toBe('Not Found');
    expect(reasonPhrase(299)).toBeUndefined();
  });

  it('explains common codes in a sentence and others by class', () => {
    expect(statusMeaning(404)).toBe('the server has nothing at this path');
    expect(statusMeaning(429)).toBe('too many requests; slow down');
    expect(statusMeaning(299)).toBe('the request worked');
    expect(statusMeaning(599)).toBe('the server failed to handle the request');
  });
});
