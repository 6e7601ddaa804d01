/**
 * Terminal width of the text a dashboard frame is made of, without string-width's Unicode
 * machinery: its grapheme segmenter and emoji expression cost ~45 ms to set up, a sixth of the
 * time to the first frame, while a frame is printable ASCII, a few symbols (▶ · … › ▁) and the
 * colour codes chalk wraps around them.
 *
 * `simpleWidth` answers only for text in which every character is one column on its own and
 * every escape sequence is a colour code; for anything else it answers undefined and string-width
 * decides. A test holds it to string-width's answer for every character it accepts.
 */

/**
 * Characters that are each a grapheme of their own and one column wide (East Asian Width narrow,
 * neutral or ambiguous, taken as narrow as string-width does by default), and never emoji on
 * their own: printable ASCII, Latin-1 but the soft hyphen, general punctuation, arrows, box
 * drawing, blocks and geometric shapes short of the two that are emoji.
 */
function isOneColumn(code: number): boolean {
  if (code < 0x2010)
    return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code !== 0xad && code <= 0xff);
  return (
    code <= 0x2027 ||
    (code >= 0x2030 && code <= 0x205e) ||
    (code >= 0x2190 && code <= 0x21ff) ||
    (code >= 0x2500 && code <= 0x25fc)
  );
}

/** Where a colour code (ESC [ digits and semicolons m) that starts at `start` ends, or -1. */
function colourCodeEnd(text: string, start: number): number {
  if (text.charCodeAt(start + 1) !== 0x5b) return -1; // [
  for (let index = start + 2; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x6d) return index; // m
    if (!((code >= 0x30 && code <= 0x39) || code === 0x3b)) return -1;
  }
  return -1;
}

export function simpleWidth(text: string): number | undefined {
  let width = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x1b) {
      const end = colourCodeEnd(text, index);
      if (end < 0) return undefined;
      index = end;
    } else if (isOneColumn(code)) {
      width++;
    } else {
      return undefined;
    }
  }
  return width;
}
