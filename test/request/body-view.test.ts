import {describe, expect, it} from 'vitest';
import {
  describeBody,
  hexView,
  reindentJson,
  type BodySource,
} from '../../source/request/body-view.js';

function source(
  body: string | Uint8Array,
  contentType?: string,
  extra: Partial<BodySource> = {},
): BodySource {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {body: bytes, bodyBytes: bytes.length, bodyTruncated: false, contentType, ...extra};
}

const terminalControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('describeBody', () => {
  it('calls a body with no bytes empty', () => {
    expect(describeBody(source(''))).toEqual({kind: 'empty', lines: []});
  });

  it('pretty-prints JSON with two spaces', () => {
    const view = describeBody(source('{"a":1,"b":[true,null],"c":{}}', 'application/json'));
    expect(view).toEqual({
      kind: 'json',
      lines: ['{', '  "a": 1,', '  "b": [', '    true,', '    null', '  ],', '  "c": {}', '}'],
    });
    expect(view.lines.join('\n')).toBe(JSON.stringify({a: 1, b: [true, null], c: {}}, null, 2));
  });

  it('recognises JSON without a content type and keeps big numbers and escapes as sent', () => {
    const view = describeBody(source('[12345678901234567890, "a\\"b\\u001b", {"k" : "v,:{"}]'));
    expect(view.kind).toBe('json');
    expect(view.lines).toEqual([
      '[',
      '  12345678901234567890,',
      '  "a\\"b\\u001b",',
      '  {',
      '    "k": "v,:{"',
      '  }',
      ']',
    ]);
  });

  it('falls back to text when JSON does not parse', () => {
    const view = describeBody(source('{"cut": "short', 'application/json'));
    expect(view).toEqual({kind: 'text', lines: ['{"cut": "short']});
  });

  it('shows text as safe lines, invalid UTF-8 as U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('caf\u00e9 \u001b]0;title\u0007\r\nline two\t!\n'),
      Buffer.from([0xff]),
    ]);
    const view = describeBody(source(bytes, 'text/plain; charset=utf-8'));
    expect(view.kind).toBe('text');
    expect(view.lines).toEqual(['café ^[]0;title^G', 'line two        !', '\ufffd']);
    expect(view.lines.join('\n')).not.toMatch(terminalControls);
  });

  it('makes C1 controls in text visible', () => {
    const view = describeBody(source('red \u009b31m text'));
    expect(view.lines).toEqual(['red \\x9b31m text']);
  });

  it('summarises binary bodies with a hex view of the start', () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const body = Buffer.concat([png, Buffer.alloc(12_579 - png.length, 7)]);
    const view = describeBody(source(body, 'image/png'));
    expect(view.kind).toBe('binary');
    expect(view.lines[0]).toBe('binary, image/png, 12.3 KiB');
    expect(view.lines[2]).toBe(
      '00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|',
    );
    expect(view.lines).toHaveLength(2 + 16);
  });

  it('sniffs binary from NUL bytes when the type says nothing', () => {
    const view = describeBody(source(Buffer.from([0x41, 0x00, 0x42])));
    expect(view).toEqual({
      kind: 'binary',
      lines: [
        'binary, 3 B',
        '',
        '00000000  41 00 42                                          |A.B|',
      ],
    });
  });

  it('sniffs binary from a low share of printable characters', () => {
    const view = describeBody(source(Buffer.from([1, 2, 3, 4, 5, 0x41, 0x42, 0x43, 6, 7])));
    expect(view.kind).toBe('binary');
  });

  it('keeps SVG as text even though it is an image', () => {
    expect(describeBody(source('<svg/>', 'image/svg+xml')).kind).toBe('text');
  });

  it('notes how much of a truncated body is shown', () => {
    const view = describeBody(
      source('partial', 'text/plain', {bodyBytes: 300 * 1024 * 1024, bodyTruncated: true}),
    );
    expect(view.lines).toEqual(['partial', '… 7 B of 300 MiB shown']);
  });

  it('says when decoding stopped at the cap', () => {
    const view = describeBody(
      source('zeros', 'text/plain', {
        bodyBytes: 5,
        bodyTruncated: true,
        bodyBytesIsLowerBound: true,
        wireBytes: 1024 * 1024,
      }),
    );
    expect(view.lines.at(-1)).toBe(
      '… first 5 B shown; the rest was not decoded (1.0 MiB on the wire)',
    );
  });

  it('shows JSON as sent when asked not to format it', () => {
    expect(describeBody(source('{"a":1}'), {formatJson: false})).toEqual({
      kind: 'text',
      lines: ['{"a":1}'],
    });
  });
});

describe('hexView and reindentJson', () => {
  it('pads the last row of a hex view', () => {
    expect(hexView(Buffer.from('0123456789abcdefXY'))).toEqual([
      '00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|',
      '00000010  58 59                                             |XY|',
    ]);
  });

  it('returns undefined for text that is not JSON', () => {
    expect(reindentJson('{nope}')).toBeUndefined();
    expect(reindentJson('\ufeff{"bom":true}')).toBe('{\n  "bom": true\n}');
  });
});
