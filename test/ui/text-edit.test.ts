import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {
  backspace,
  caretWindow,
  deleteForward,
  deleteToLineEnd,
  deleteToLineStart,
  deleteWord,
  insertText,
  lineEnd,
  lineStart,
  maxFieldLength,
  moveCaret,
  moveLine,
  editWithKey,
  wordBack,
  wordForward,
} from '../../source/ui/request/text-edit.js';

describe('text editing', () => {
  it('inserts at the caret and keeps line breaks only in multi-line fields', () => {
    expect(insertText({text: 'ac', caret: 1}, 'b', false)).toEqual({text: 'abc', caret: 2});
    expect(insertText({text: '', caret: 0}, 'a\r\nb', false)).toEqual({text: 'a b', caret: 3});
    expect(insertText({text: '', caret: 0}, 'a\r\nb', true)).toEqual({text: 'a\nb', caret: 3});
  });

  it('drops control characters from pasted text', () => {
    expect(insertText({text: '', caret: 0}, 'x\u001B[2Jy\u0007', false).text).toBe('x[2Jy');
  });

  it('caps a huge paste at the field limit', () => {
    const pasted = insertText({text: '', caret: 0}, 'z'.repeat(2 * 1024 * 1024), true);
    expect(pasted.text.length).toBe(maxFieldLength);
    expect(pasted.caret).toBe(maxFieldLength);
  });

  it('deletes and moves by whole characters, surrogate pairs included', () => {
    expect(backspace({text: 'a😀', caret: 3})).toEqual({text: 'a', caret: 1});
    expect(moveCaret({text: 'a😀b', caret: 1}, 1)).toEqual({text: 'a😀b', caret: 3});
    expect(deleteForward({text: '😀b', caret: 0})).toEqual({text: 'b', caret: 0});
    expect(backspace({text: 'x', caret: 0})).toEqual({text: 'x', caret: 0});
  });

  it('knows lines, words and columns', () => {
    const text = 'one\ntwo three\nfour';
    expect(lineStart({text, caret: 8}).caret).toBe(4);
    expect(lineEnd({text, caret: 5}).caret).toBe(13);
    expect(deleteWord({text, caret: 13})).toEqual({text: 'one\ntwo \nfour', caret: 8});
    expect(deleteToLineStart({text, caret: 8})).toEqual({text: 'one\nthree\nfour', caret: 4});
    expect(moveLine({text, caret: 6}, 1).caret).toBe(16);
    expect(moveLine({text, caret: 12}, 1).caret).toBe(18);
    expect(moveLine({text, caret: 6}, -1).caret).toBe(2);
  });

  it('windows a long line around the caret within the width', () => {
    const line = 'x'.repeat(500) + 'CARET' + 'y'.repeat(500);
    const {before, after} = caretWindow(line, 500, 40);
    expect(before.endsWith('x')).toBe(true);
    expect(after.startsWith('CARET')).toBe(true);
    expect(stringWidth(before + after)).toBeLessThanOrEqual(40);
    const wide = caretWindow('東'.repeat(100), 50, 21);
    expect(stringWidth(wide.before + wide.after)).toBeLessThanOrEqual(21);
  });
});

describe('readline keys', () => {
  it('moves by words both ways and deletes to the end of the line', () => {
    const text = 'curl http://a.test/x -H';
    expect(wordBack({text, caret: text.length}).caret).toBe(22);
    expect(wordBack({text, caret: 22}).caret).toBe(19);
    expect(wordForward({text, caret: 0}).caret).toBe(4);
    expect(wordForward({text, caret: 4}).caret).toBe(9);
    expect(wordForward({text, caret: text.length}).caret).toBe(text.length);
    expect(deleteToLineEnd({text: 'one\ntwo', caret: 1})).toEqual({text: 'o\ntwo', caret: 1});
  });

  it('maps each editing action to its edit, and leaves unbound keys to the caller', () => {
    const edit = {text: 'abc', caret: 3};
    expect(editWithKey(edit, 'line-start', 'ctrl-a', 'a', false)).toEqual({text: 'abc', caret: 0});
    expect(editWithKey(edit, undefined, 'x', 'x', false)).toEqual({text: 'abcx', caret: 4});
    expect(editWithKey(edit, undefined, 'ctrl-t', 't', false)).toBeUndefined();
    // An emoji typed on its own is one character in two UTF-16 units: text, not a key name.
    expect(editWithKey(edit, undefined, '\u{1F44D}', '\u{1F44D}', false)).toEqual({
      text: 'abc\u{1F44D}',
      caret: 5,
    });
    expect(editWithKey(edit, undefined, '\u{1F1EF}', '\u{1F1EF}', false)?.text).toBe(
      'abc\u{1F1EF}',
    );
    expect(editWithKey(edit, undefined, 'text', 'd\re', false)).toEqual({text: 'abcd e', caret: 6});
  });
});
