import {describe, expect, it} from 'vitest';
import {hostOf, withoutCredentials} from '../../source/request/credentials.js';

const form = {method: 'GET', url: 'http://a.test/', headers: '', body: '', options: ''};

describe('credentials', () => {
  it('knows the host a URL goes to, port included, as curl reads a URL without a scheme', () => {
    expect(hostOf('http://A.test:8080/x')).toBe('a.test:8080');
    expect(hostOf('a.test/x')).toBe('a.test');
    expect(hostOf('https://a.test:443/')).toBe('a.test');
    expect(hostOf('')).toBeUndefined();
  });

  it('drops Authorization and Cookie headers and keeps the rest in order', () => {
    const out = withoutCredentials({
      ...form,
      headers: 'Accept: */*\nauthorization: Bearer x\nCookie: a=1\nX-B: 2',
    });
    expect(out.form.headers).toBe('Accept: */*\nX-B: 2');
    expect(out.dropped).toEqual(['authorization', 'Cookie']);
  });

  it('drops -u, --oauth2-bearer and -b from the options, attached or not', () => {
    const out = withoutCredentials({
      ...form,
      options: "--compressed -u 'bob:pw' --oauth2-bearer t -bsid=1 -ku bob -H 'Cookie: c=1' -A x",
    });
    expect(out.form.options).toBe('--compressed -k -A x');
    expect(out.dropped).toEqual(['-u', '--oauth2-bearer', '-b', 'Cookie']);
  });
});
