import {describe, expect, it} from 'vitest';
import {maskSecrets, maskUrl} from '../../source/request/mask.js';

describe('maskSecrets', () => {
  it('keeps the scheme of an Authorization value', () => {
    expect(maskSecrets('Authorization', 'Bearer eyJhbGciOi.payload.sig')).toBe('Bearer ••••••••');
    expect(maskSecrets('proxy-authorization', 'Basic dXNlcjpwYXNz')).toBe('Basic ••••••••');
    expect(maskSecrets('Authorization', 'justatoken')).toBe('••••••••');
  });

  it('hides cookie values but keeps their names and attributes', () => {
    expect(maskSecrets('Cookie', 'session=abc123; theme=dark')).toBe('session=••••; theme=••••');
    expect(maskSecrets('Set-Cookie', 'sid=xyz; Path=/; HttpOnly')).toBe(
      'sid=••••; Path=/; HttpOnly',
    );
  });

  it('hides headers named like credentials', () => {
    expect(maskSecrets('X-Api-Key', 'k-123')).toBe('••••••••');
    expect(maskSecrets('X-Auth-Token', 't')).toBe('••••••••');
    expect(maskSecrets('X-Client-Secret', 's')).toBe('••••••••');
    expect(maskSecrets('X-Password', 'p')).toBe('••••••••');
  });

  it('leaves everything else, and challenges, as they are', () => {
    expect(maskSecrets('Content-Type', 'application/json')).toBe('application/json');
    expect(maskSecrets('Keep-Alive', 'timeout=5')).toBe('timeout=5');
    expect(maskSecrets('WWW-Authenticate', 'Bearer realm="api"')).toBe('Bearer realm="api"');
    expect(maskSecrets('Authorization', '')).toBe('');
  });
});

describe('maskUrl', () => {
  it('hides the password of the user info', () => {
    expect(maskUrl('https://alice:hunter2@example.com/path')).toBe(
      'https://alice:••••@example.com/path',
    );
    expect(maskUrl('https://alice@example.com/')).toBe('https://alice@example.com/');
  });

  it('hides query parameters named like credentials and keeps the rest', () => {
    expect(
      maskUrl('https://x.test/a?api_key=123&page=2&access_token=abc&X-Amz-Signature=ff&q=key#frag'),
    ).toBe(
      'https://x.test/a?api_key=••••&page=2&access_token=••••&X-Amz-Signature=••••&q=key#frag',
    );
    expect(maskUrl('http://x.test/?client%5Fsecret=s&password=p')).toBe(
      'http://x.test/?client%5Fsecret=••••&password=••••',
    );
  });

  it('leaves a URL without secrets unchanged', () => {
    const url = 'http://127.0.0.1:8080/health?verbose=1';
    expect(maskUrl(url)).toBe(url);
  });
});
