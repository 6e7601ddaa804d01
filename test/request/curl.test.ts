import {describe, expect, it} from 'vitest';
import {parseCurl, toCurl, type CurlForm} from '../../source/request/curl.js';
import {shellQuote, shellWords} from '../../source/request/curl/shell-words.js';

function form(overrides: Partial<CurlForm>): CurlForm {
  return {
    method: 'GET',
    url: 'http://127.0.0.1:8080/',
    headers: '',
    body: '',
    insecure: false,
    followRedirects: false,
    ...overrides,
  };
}

describe('toCurl', () => {
  it('writes a plain GET as a bare curl with the URL', () => {
    expect(toCurl(form({}))).toBe('curl http://127.0.0.1:8080/');
  });

  it('quotes what the shell would read, including single quotes', () => {
    const command = toCurl(
      form({
        method: 'POST',
        url: 'https://api.test/items?a=1&b=2',
        headers: "Content-Type: application/json\nX-Note: it's fine",
        body: '{"name": "O\'Brien"}',
        insecure: true,
        followRedirects: true,
      }),
    );
    expect(command).toBe(
      "curl 'https://api.test/items?a=1&b=2' -H 'Content-Type: application/json' -H 'X-Note: it'\\''s fine' --data-raw '{\"name\": \"O'\\''Brien\"}' -k -L",
    );
  });

  it('names the method when it cannot be inferred', () => {
    expect(toCurl(form({method: 'DELETE'}))).toBe('curl -X DELETE http://127.0.0.1:8080/');
    expect(toCurl(form({method: 'HEAD'}))).toBe('curl --head http://127.0.0.1:8080/');
    expect(toCurl(form({method: 'PUT', body: 'x'}))).toBe(
      'curl -X PUT http://127.0.0.1:8080/ --data-raw x',
    );
  });

  it('quotes the empty word', () => {
    expect(shellQuote('')).toBe("''");
  });
});

describe('toCurl and parseCurl', () => {
  it.each([
    form({}),
    form({method: 'HEAD'}),
    form({
      method: 'POST',
      body: 'a=1&b=2',
      headers: 'Content-Type: application/x-www-form-urlencoded',
    }),
    form({
      method: 'PATCH',
      body: 'it\'s "quoted" $HOME `cmd` \\ back\nslash',
      headers: 'X-Empty:\nX-A: b',
    }),
    form({
      method: 'OPTIONS',
      url: 'https://[::1]:8443/x?y=%20z#frag',
      insecure: true,
      followRedirects: true,
    }),
    form({method: 'POST', body: '', timeoutSeconds: 2.5, connectTimeoutSeconds: 1}),
    form({method: 'GET', body: 'a GET with a body'}),
  ])('round-trips %o', (original) => {
    expect(parseCurl(toCurl(original))).toEqual(original);
  });
});

describe('parseCurl', () => {
  it('reads a command copied from a browser, with continuations', () => {
    const text = [
      "curl 'https://api.example.test/v1/search?q=port' \\",
      "  -H 'accept: application/json' \\",
      "  -H 'authorization: Bearer abc.def' \\",
      '  --data-raw \'{"q":"port"}\' \\',
      '  --compressed',
    ].join('\n');
    expect(parseCurl(text)).toEqual(
      form({
        method: 'POST',
        url: 'https://api.example.test/v1/search?q=port',
        headers:
          'accept: application/json\nauthorization: Bearer abc.def\nAccept-Encoding: gzip, deflate, br',
        body: '{"q":"port"}',
      }),
    );
  });

  it('reads clustered and attached short options', () => {
    expect(parseCurl('curl -sSLk -XPUT -H"X-A: 1" -d x=1 -d y=2 http://h.test/')).toEqual(
      form({
        method: 'PUT',
        url: 'http://h.test/',
        headers: 'X-A: 1',
        body: 'x=1&y=2',
        insecure: true,
        followRedirects: true,
      }),
    );
  });

  it('turns -u, -A, -e and -b into headers', () => {
    const parsed = parseCurl(
      "curl -u 'alice:s3cret' -A 'agent/1' -e https://ref.test/ -b 'a=1; b=2' http://h.test",
    );
    expect(parsed).toMatchObject({
      headers:
        'Authorization: Basic YWxpY2U6czNjcmV0\nUser-Agent: agent/1\nReferer: https://ref.test/\nCookie: a=1; b=2',
    });
  });

  it('reads --json, -I, -G, --url and the timeouts', () => {
    expect(parseCurl(`curl --json '{"a":1}' --url http://h.test/j`)).toEqual(
      form({
        method: 'POST',
        url: 'http://h.test/j',
        headers: 'Content-Type: application/json\nAccept: application/json',
        body: '{"a":1}',
      }),
    );
    expect(parseCurl('curl -I http://h.test')).toMatchObject({method: 'HEAD'});
    expect(parseCurl('curl -G -d q=1 -d n=2 http://h.test/s')).toMatchObject({
      method: 'GET',
      url: 'http://h.test/s?q=1&n=2',
      body: '',
    });
    expect(
      parseCurl('curl --max-time 5 --connect-timeout 2 -o out.json http://h.test'),
    ).toMatchObject({
      timeoutSeconds: 5,
      connectTimeoutSeconds: 2,
    });
  });

  it("reads double quotes with escapes and $'…' quotes", () => {
    expect(parseCurl(`curl -d "say \\"hi\\" \\$5 \\n" http://h.test`)).toMatchObject({
      body: 'say "hi" $5 \\n',
    });
    expect(
      parseCurl(`curl --data-raw $'line\\none \\x41\\u00e9 it\\'s' http://h.test`),
    ).toMatchObject({
      body: "line\none Aé it's",
    });
  });

  it('lets a given header win over one an option implies', () => {
    expect(
      parseCurl("curl --json '{}' -H 'Content-Type: application/vnd.api+json' http://h.test"),
    ).toMatchObject({
      headers: 'Content-Type: application/vnd.api+json\nAccept: application/json',
    });
  });

  it.each([
    ['curl --proxy http://p:1 http://h.test', 'unsupported curl option --proxy'],
    ['curl -Z http://h.test', 'unsupported curl option -Z'],
    ['curl http://a.test http://b.test', 'more than one URL: http://a.test http://b.test'],
    ['curl -s', 'no URL in the curl command'],
    ['wget http://h.test', 'not a curl command (it should start with curl)'],
    ["curl 'http://h.test", 'unterminated single quote'],
    [
      'curl -d @body.json http://h.test',
      'reading the body from a file (@body.json) is not supported; paste the body instead',
    ],
    [
      'curl -H "no colon" http://h.test',
      `bad -H value: not a header (expected 'Name: value'): "no colon"`,
    ],
    ['curl -X', 'curl option -X needs a value'],
    ['curl --max-time soon http://h.test', '--max-time needs a number of seconds'],
  ])('refuses %s', (text, message) => {
    expect(parseCurl(text)).toBe(message);
  });
});

describe('shellWords', () => {
  it('splits like a shell, joining quoted parts and dropping comments', () => {
    expect(shellWords(`a 'b c'"d"\\ e f\\\ng # comment`)).toEqual(['a', 'b cd e', 'fg']);
    expect(shellWords("''")).toEqual(['']);
  });
});
