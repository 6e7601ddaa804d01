import {describe, expect, it} from 'vitest';
import {
  httpVersionLabel,
  httpVersionOf,
  nextHttpVersion,
} from '../../source/ui/request/http-version.js';
import {readCurlText} from '../../source/request/curl/read.js';

/** Presses the key n times. */
function stepped(options: string, times: number): string {
  let text = options;
  for (let index = 0; index < times; index++) text = nextHttpVersion(text).options;
  return text;
}

describe('the HTTP version toggle', () => {
  it('cycles auto, --http1.1, --http2, --http2-prior-knowledge and back, as one word', () => {
    expect(stepped('', 1)).toBe('--http1.1');
    expect(stepped('', 2)).toBe('--http2');
    expect(stepped('', 3)).toBe('--http2-prior-knowledge');
    expect(stepped('', 4)).toBe('');
    expect(httpVersionOf(stepped('', 3))).toBe('2-prior-knowledge');
    expect(httpVersionLabel(undefined)).toBe('HTTP auto');
    expect(httpVersionLabel('2-prior-knowledge')).toBe('HTTP/2 prior knowledge');
  });

  it('leaves the rest of the options as they were typed', () => {
    expect(stepped("--compressed  -u 'bob:s3 cret'", 1)).toBe(
      "--compressed  -u 'bob:s3 cret' --http1.1",
    );
    expect(stepped("--http1.1 --compressed  -u 'bob:s3 cret'", 1)).toBe(
      "--compressed  -u 'bob:s3 cret' --http2",
    );
    expect(stepped('-v --http2 -H "X: y"', 1)).toBe('-v -H "X: y" --http2-prior-knowledge');
    expect(stepped('-v --http2-prior-knowledge -s', 1)).toBe('-v -s');
    // HTTP/1.0 steps on to 1.1.
    expect(stepped('-0 --compressed', 1)).toBe('--compressed --http1.1');
  });

  it('does not take the value of another option for a version', () => {
    expect(httpVersionOf('-A --http2')).toBeUndefined();
    expect(stepped('-A --http2', 1)).toBe('-A --http2 --http1.1');
    expect(stepped('-A --http2 --http1.1', 1)).toBe('-A --http2 --http2');
    // The last version word wins, as in curl; every one of them goes.
    expect(httpVersionOf('--http2 --http1.1')).toBe('1.1');
    expect(stepped('--http2 -s --http1.1', 1)).toBe('-s --http2');
  });

  it('writes the words afresh only when a version word is quoted', () => {
    expect(stepped("'--http2' -u 'a b'", 1)).toBe("-u 'a b' --http2-prior-knowledge");
  });

  it('keeps the form a curl command that reads the same version', () => {
    for (const times of [1, 2, 3]) {
      const options = stepped('--compressed', times);
      const command = readCurlText(`curl http://127.0.0.1/ ${options}`);
      expect(typeof command === 'string' ? command : command.httpVersion).toBe(
        httpVersionOf(options),
      );
    }
  });
});
