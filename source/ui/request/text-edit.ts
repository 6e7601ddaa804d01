/**
 * The one line editor behind every text field (request form, Options, response search, Sockets
 * filter): a caret, the readline keys, and pastes. Pure: text in, text out.
 */
import stringWidth from 'string-width';
import {typedText} from '../../sanitize.js';

export type Edit = {text: string; caret: number};

/** Longest text a field takes: a megabyte paste is cut here, not carried around. */
export const maxFieldLength = 256 * 1024;

/** Inserts typed or pasted text; line breaks are kept only in multi-line fields. */
export function insertText(edit: Edit, input: string, multiline: boolean): Edit {
  const lines = input.replace(/\r\n?/g, '\n').split('\n');
  const clean = multiline ? lines.map(typedText).join('\n') : lines.map(typedText).join(' ');
  if (!clean) return edit;
  const room = Math.max(0, maxFieldLength - edit.text.length);
  const added = wholeSlice(clean, 0, room);
  return {
    text: edit.text.slice(0, edit.caret) + added + edit.text.slice(edit.caret),
    caret: edit.caret + added.length,
  };
}

export function backspace(edit: Edit): Edit {
  if (edit.caret === 0) return edit;
  const before = [...edit.text.slice(0, edit.caret)];
  const removed = before.pop() ?? '';
  return {
    text: before.join('') + edit.text.slice(edit.caret),
    caret: edit.caret - removed.length,
  };
}

export function deleteForward(edit: Edit): Edit {
  const after = [...edit.text.slice(edit.caret)];
  after.shift();
  return {text: edit.text.slice(0, edit.caret) + after.join(''), caret: edit.caret};
}

export function moveCaret(edit: Edit, step: -1 | 1): Edit {
  if (step < 0) {
    const before = [...edit.text.slice(0, edit.caret)];
    return {...edit, caret: edit.caret - (before.pop()?.length ?? 0)};
  }
  const next = [...edit.text.slice(edit.caret)][0];
  return {...edit, caret: edit.caret + (next?.length ?? 0)};
}

/** Home/End move within the current line. */
export function lineStart(edit: Edit): Edit {
  return {...edit, caret: edit.text.lastIndexOf('\n', edit.caret - 1) + 1};
}

export function lineEnd(edit: Edit): Edit {
  const end = edit.text.indexOf('\n', edit.caret);
  return {...edit, caret: end === -1 ? edit.text.length : end};
}

/** Ctrl-W: delete the word before the caret. */
export function deleteWord(edit: Edit): Edit {
  const before = edit.text.slice(0, edit.caret);
  const kept = before.replace(/\S+\s*$|\s+$/, '');
  return {text: kept + edit.text.slice(edit.caret), caret: kept.length};
}

const wordChar = /[\p{L}\p{N}_]/u;

/** Alt-B: to the start of the word before the caret (readline's backward-word). */
export function wordBack(edit: Edit): Edit {
  // A loop, not a regex anchored at the end: that would try every start in a 256 KiB field.
  let caret = edit.caret;
  while (caret > 0 && !wordChar.test(edit.text[caret - 1] ?? '')) caret--;
  while (caret > 0 && wordChar.test(edit.text[caret - 1] ?? '')) caret--;
  return {...edit, caret};
}

/** Alt-F: to the end of the word after the caret (readline's forward-word). */
export function wordForward(edit: Edit): Edit {
  let caret = edit.caret;
  const {length} = edit.text;
  while (caret < length && !wordChar.test(edit.text[caret] ?? '')) caret++;
  while (caret < length && wordChar.test(edit.text[caret] ?? '')) caret++;
  return {...edit, caret};
}

/** Ctrl-K: delete from the caret to the end of the line. */
export function deleteToLineEnd(edit: Edit): Edit {
  const end = lineEnd(edit).caret;
  return {text: edit.text.slice(0, edit.caret) + edit.text.slice(end), caret: edit.caret};
}

/** Ctrl-U: delete from the start of the line to the caret. */
export function deleteToLineStart(edit: Edit): Edit {
  const start = lineStart(edit).caret;
  return {text: edit.text.slice(0, start) + edit.text.slice(edit.caret), caret: start};
}

/** Up/down in a multi-line field keep the column where they can, never inside an emoji. */
export function moveLine(edit: Edit, step: -1 | 1): Edit {
  const start = lineStart(edit).caret;
  const column = edit.caret - start;
  const at = (caret: number) => ({
    ...edit,
    caret: /[\uDC00-\uDFFF]/.test(edit.text[caret] ?? '') ? caret - 1 : caret,
  });
  if (step < 0) {
    if (start === 0) return edit;
    const previousStart = edit.text.lastIndexOf('\n', start - 2) + 1;
    return at(Math.min(previousStart + column, start - 1));
  }
  const end = lineEnd(edit).caret;
  if (end === edit.text.length) return edit;
  const nextEnd = lineEnd({...edit, caret: end + 1}).caret;
  return at(Math.min(end + 1 + column, nextEnd));
}

/** `text.slice(start, end)` narrowed so that it never cuts a surrogate pair (an emoji) in half. */
export function wholeSlice(text: string, start: number, end = text.length): string {
  const low = (index: number) => /[\uDC00-\uDFFF]/.test(text[index] ?? '');
  return text.slice(start > 0 && low(start) ? start + 1 : start, low(end) ? end - 1 : end);
}

/**
 * The part of one line that fits `width` columns with the caret in view: the text before the caret
 * and after it. Long lines scroll horizontally instead of wrapping.
 */
export function caretWindow(
  line: string,
  caret: number,
  width: number,
): {before: string; after: string} {
  const room = Math.max(1, width - 1);
  // Keep up to a third of the width for what follows the caret, so editing mid-line shows context.
  const following = stringWidth(wholeSlice(line, caret, caret + room));
  const budget = room - Math.min(following, Math.floor(room / 3));
  const chars = [...wholeSlice(line, Math.max(0, caret - room * 2), caret)];
  let before = '';
  let used = 0;
  for (let index = chars.length - 1; index >= 0; index--) {
    const char = chars[index] ?? '';
    const charWidth = stringWidth(char);
    if (used + charWidth > budget) break;
    before = char + before;
    used += charWidth;
  }
  let after = '';
  for (const char of wholeSlice(line, caret, caret + room * 2)) {
    const charWidth = stringWidth(char);
    if (used + charWidth > room + 1) break;
    after += char;
    used += charWidth;
  }
  return {before, after};
}

/** What the editing keys do; the key table (`line` scope) says which key does which. */
export const lineActions = [
  'line-start',
  'line-end',
  'char-back',
  'char-forward',
  'word-back',
  'word-forward',
  'delete-back',
  'delete-forward',
  'delete-word-back',
  'delete-to-start',
  'delete-to-end',
] as const;
export type LineAction = (typeof lineActions)[number];

const lineEdits: Record<LineAction, (edit: Edit) => Edit> = {
  'line-start': lineStart,
  'line-end': lineEnd,
  'char-back': (edit) => moveCaret(edit, -1),
  'char-forward': (edit) => moveCaret(edit, 1),
  'word-back': wordBack,
  'word-forward': wordForward,
  'delete-back': backspace,
  'delete-forward': deleteForward,
  'delete-word-back': deleteWord,
  'delete-to-start': deleteToLineStart,
  'delete-to-end': deleteToLineEnd,
};

export function isLineAction(action: string | undefined): action is LineAction {
  return action !== undefined && action in lineEdits;
}

/** Applies one editing action; the caret is first brought inside the text. */
export function applyLineAction(edit: Edit, action: LineAction): Edit {
  return lineEdits[action]({...edit, caret: Math.max(0, Math.min(edit.caret, edit.text.length))});
}

/**
 * What one key does to a field: an editing action, or typed/pasted text inserted at the caret.
 * Undefined for a key that is neither (an unbound special key), so the caller may use it.
 */
export function editWithKey(
  edit: Edit,
  action: string | undefined,
  name: string,
  input: string,
  multiline: boolean,
): Edit | undefined {
  if (isLineAction(action)) return applyLineAction(edit, action);
  if (name === 'space') return insertText(edit, ' ', multiline);
  // An unbound special key (pagedown, f5) types nothing; one character (an emoji is two UTF-16
  // units) is text.
  if ([...name].length > 1 && [...input].length <= 1) return undefined;
  if (typedText(input) === '' && !/[\r\n]/.test(input)) return undefined;
  return insertText(edit, input, multiline);
}
