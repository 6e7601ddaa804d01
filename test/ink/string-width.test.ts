import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import realStringWidth from '../../node_modules/string-width/index.js';
import stringWidth from '../../source/ink/string-width.js';

const versionOf = (folder: string) =>
  (JSON.parse(readFileSync(`${folder}/package.json`, 'utf8')) as {version: string}).version;

describe('string-width under Ink 6.8', () => {
  it('comes twice without the alias: wrap-ansi pins 7 where Ink uses 8', () => {
    expect(versionOf('node_modules/string-width')).toMatch(/^8\./);
    expect(versionOf('node_modules/wrap-ansi/node_modules/string-width')).toMatch(/^7\./);
  });

  it("porthole's answers as string-width 8 does", () => {
    for (const text of [
      '',
      'port 8080',
      '\u001B[31m▶ LISTEN\u001B[39m',
      '漢字',
      '🙂',
      'a\u0301',
      '\t',
    ])
      expect(stringWidth(text), JSON.stringify(text)).toBe(realStringWidth(text));
    expect(stringWidth('漢字', {ambiguousIsNarrow: false})).toBe(
      realStringWidth('漢字', {ambiguousIsNarrow: false}),
    );
  });
});
