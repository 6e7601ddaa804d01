import {describe, expect, it} from 'vitest';
import {curlMoments, expandWriteOut, type WriteOutFacts} from '../../source/cli/write-out.js';

const facts: WriteOutFacts = {
  httpCode: 201,
  httpVersion: '1.1',
  method: 'POST',
  timings: {dns: 1, connect: 2, tls: 4, send: 0.5, firstByte: 8, download: 16, total: 31.5},
  sizeDownload: 42,
  remoteIp: '127.0.0.1',
  remotePort: 8080,
  urlEffective: 'https://127.0.0.1:8080/x',
  contentType: 'text/plain',
  numRedirects: 2,
  headers: [
    ['Content-Type', 'text/plain'],
    ['Set-Cookie', 'a=1'],
    ['set-cookie', 'b=2'],
  ],
  exitCode: 0,
  errorMessage: '',
};

const expand = (format: string, given: Partial<WriteOutFacts> = {}) =>
  expandWriteOut(format, {...facts, ...given});

describe('-w formats', () => {
  it('expands the variables curl names, case-insensitively', () => {
    expect(
      expand(
        '%{http_code} %{response_code} %{HTTP_CODE} %{size_download} %{remote_ip}:%{remote_port} %{url_effective} %{content_type} %{num_redirects}',
      ),
    ).toEqual({
      text: '201 201 201 42 127.0.0.1:8080 https://127.0.0.1:8080/x text/plain 2',
      unknown: [],
    });
  });

  it('prints times as curl does: seconds, six decimals, each from the start', () => {
    expect(
      expand(
        '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}',
      ).text,
    ).toBe('0.001000 0.003000 0.007000 0.007000 0.015500 0.031500');
  });

  it('has no appconnect without TLS, and pretransfer at connect then', () => {
    const timings = {
      dns: 1,
      connect: 2,
      tls: undefined,
      send: 1,
      firstByte: 3,
      download: 1,
      total: 8,
    };
    expect(curlMoments(timings)).toEqual({
      namelookup: 1,
      connect: 3,
      appconnect: 0,
      pretransfer: 3,
      starttransfer: 7,
      total: 8,
    });
  });

  it('gives 0 for moments never reached and 000 without a response', () => {
    const timings = {
      dns: 0.2,
      connect: undefined,
      tls: undefined,
      send: undefined,
      firstByte: undefined,
      download: undefined,
      total: 1,
    };
    expect(
      expand('%{http_code} %{time_connect} %{time_starttransfer} %{time_total} [%{remote_ip}]', {
        httpCode: 0,
        timings,
        remoteIp: '',
      }).text,
    ).toBe('000 0.000000 0.000000 0.001000 []');
  });

  it('turns \\n \\r \\t and %% into characters and leaves every other text as written', () => {
    expect(expand('a\\nb\\tc\\rd %% \\\\q \\a %x 100% end\\').text).toBe(
      'a\nb\tc\rd % \\\\q \\a %x 100% end\\',
    );
    expect(expand('%{http_code').text).toBe('%{http_code');
    // Read in pairs, as curl: `\\n` is a backslash pair then n, `%\t` is not a tab.
    expect(expand('\\\\n|100%\\t|%').text).toBe('\\\\n|100%\\t|%');
  });

  it('prints nothing for an unknown variable and names it once', () => {
    expect(expand('[%{foo}][%{ http_code}][%{foo}]')).toEqual({
      text: '[][][]',
      unknown: ['foo', ' http_code'],
    });
  });

  it('reads %header{name}, joining repeated headers as curl does', () => {
    expect(expand('%header{content-type}|%header{SET-COOKIE}|%header{none}').text).toBe(
      'text/plain|a=1, b=2|',
    );
  });

  it('cleans the values from outside, not the format', () => {
    const {text} = expandWriteOut(
      '%{content_type}\\n',
      {...facts, contentType: 'text/\u001b[2Jplain'},
      (value) => value.replace(/\u001b/g, '^['),
    );
    expect(text).toBe('text/^[[2Jplain\n');
  });
});
