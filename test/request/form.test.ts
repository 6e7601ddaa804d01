import {describe, expect, it} from 'vitest';
import {
  methodSemantics,
  nextMethod,
  previousMethod,
  urlParts,
  urlProblem,
} from '../../source/request/form.js';

describe('request form', () => {
  it('tells each method what it promises', () => {
    expect(methodSemantics('GET').words).toBe('safe, idempotent');
    expect(methodSemantics('HEAD')).toMatchObject({safe: true, idempotent: true});
    expect(methodSemantics('OPTIONS')).toMatchObject({safe: true, idempotent: true});
    expect(methodSemantics('PUT')).toMatchObject({safe: false, idempotent: true});
    expect(methodSemantics('DELETE')).toMatchObject({safe: false, idempotent: true});
    expect(methodSemantics('POST')).toMatchObject({safe: false, idempotent: false});
    expect(methodSemantics('PATCH')).toMatchObject({safe: false, idempotent: false});
  });

  it('cycles through the seven methods', () => {
    const seen = new Set<string>();
    let method = nextMethod('GET');
    for (let i = 0; i < 7; i++) {
      seen.add(method);
      method = nextMethod(method);
    }
    expect(seen).toEqual(new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));
  });

  it('reads a URL back in parts, showing the implied port', () => {
    expect(urlParts('http://127.0.0.1:8080/a?b=1')).toEqual({
      ok: true,
      scheme: 'http',
      schemeImplied: false,
      host: '127.0.0.1',
      port: 8080,
      portImplied: false,
      path: '/a?b=1',
    });
    expect(urlParts('https://example.test')).toMatchObject({
      port: 443,
      portImplied: true,
      path: '/',
    });
    expect(urlParts('http://[::1]/')).toMatchObject({host: '[::1]', port: 80});
  });

  it('flags a malformed URL before sending', () => {
    expect(urlParts('')).toEqual({ok: false, error: 'no URL yet'});
    expect(urlParts('http://')).toMatchObject({ok: false});
    expect(urlParts('ftp://host/')).toEqual({
      ok: false,
      error: 'unsupported scheme ftp: in ftp://host/ (only http and https)',
    });
  });

  it('reads a URL without a scheme as curl does: http:// is added', () => {
    expect(urlParts('localhost:8080/x')).toMatchObject({
      ok: true,
      scheme: 'http',
      schemeImplied: true,
      host: 'localhost',
      port: 8080,
      path: '/x',
    });
    expect(urlParts('http://a/')).toMatchObject({schemeImplied: false});
  });

  it('names what is wrong with a URL before sending', () => {
    expect(urlProblem('http://a/')).toBeUndefined();
    expect(urlProblem('')).toBe('no URL yet');
    expect(urlProblem('ftp://a/')).toMatch(/unsupported scheme/);
  });

  it('steps through the seven methods both ways; another token starts from either end', () => {
    expect(nextMethod('OPTIONS')).toBe('GET');
    expect(previousMethod('GET')).toBe('OPTIONS');
    expect(previousMethod('POST')).toBe('HEAD');
    expect(nextMethod('PURGE')).toBe('GET');
    expect(previousMethod('PURGE')).toBe('OPTIONS');
  });
});
