import {Chalk} from 'chalk';
// string-width itself, not the stand-in the tests alias it to (which asks simpleWidth first).
import stringWidth from '../../node_modules/string-width/index.js';
import {describe, expect, it} from 'vitest';
import {simpleWidth} from '../../source/ink/simple-width.js';

const colours = new Chalk({level: 3});

describe('simpleWidth', () => {
  it('agrees with string-width on every character it answers for', () => {
    let accepted = 0;
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCharCode(code);
      const width = simpleWidth(character);
      if (width === undefined) continue;
      accepted++;
      expect(width, `U+${code.toString(16)}`).toBe(stringWidth(character));
    }
    // ASCII, Latin-1, punctuation, arrows, box drawing, blocks, shapes.
    expect(accepted).toBeGreaterThan(600);
  });

  it('agrees with string-width on lines of such characters in colour', () => {
    let seed = 11;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const pool = ['a', ' ', '~', '·', 'é', '…', '—', '›', '▶', '▁', '█', '─', '→', '©'];
    const styles = [colours.bold, colours.dim, colours.cyan, colours.inverse, colours.gray];
    for (let round = 0; round < 500; round++) {
      let line = '';
      for (let part = Math.floor(next() * 8); part > 0; part--) {
        let text = '';
        for (let n = Math.floor(next() * 10); n > 0; n--) text += pool[Math.floor(next() * 14)];
        line += next() < 0.5 ? styles[Math.floor(next() * 5)]!(text) : text;
      }
      expect(simpleWidth(line), JSON.stringify(line)).toBe(stringWidth(line));
    }
  });

  it.each([
    ['wide', '日本'],
    ['emoji', '🙂'],
    ['emoji by default', '◾'],
    ['emoji by selector', '▶\uFE0F'],
    ['combining mark', 'e\u0301'],
    ['soft hyphen', 'a\u00ADb'],
    ['tab', 'a\tb'],
    ['zero-width space', 'a\u200Bb'],
    ['another escape sequence', 'a\u001B]0;title\u0007'],
    ['a cursor move', 'a\u001B[2J'],
  ])('leaves %s to string-width', (_name, text) => {
    expect(simpleWidth(text)).toBeUndefined();
  });
});
