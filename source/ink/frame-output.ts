/**
 * The dashboard's stand-in for Ink's `Output` (build/output.js), swapped in by the bundle and the
 * tests (patches.mjs): the same frame, character for character, built with less work. Ink makes a
 * new Output for every frame, so its caches of tokenized lines and widths die with it; a frame's
 * lines are mostly the lines of the last one, so here the caches live across frames, the blank
 * cells are one shared object, and a row whose cells are the very cells of last frame's row
 * reuses last frame's string.
 *
 * Measured in the idle dashboard (160x50, `npm run bench`): see the README's performance notes.
 */
import {
  styledCharsFromTokens,
  styledCharsToString,
  tokenize,
  type StyledChar,
} from '@alcalzone/ansi-tokenize';
import sliceAnsi from 'slice-ansi';
import widestLine, {textWidth} from './text-width.js';

type Transformer = (line: string, index: number) => string;
type Clip = Record<'x1' | 'x2' | 'y1' | 'y2', number | undefined>;
type Operation =
  | {type: 'write'; x: number; y: number; text: string; transformers: Transformer[]}
  | {type: 'clip'; clip: Clip}
  | {type: 'unclip'};

/**
 * What this frame and the last one asked for, and nothing older: a frame's lines are mostly the
 * last frame's, and a busy Sockets pane writes thousands of lines a minute that are never seen
 * again. A count-bounded memo of styled lines held up to 4000 of them, a StyledChar object per
 * character (~300 bytes each): soak at 500 connections/s, heap after a full collection 25 MiB
 * growing 25 MiB a minute; with this, flat.
 */
export class FrameMemo<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  get(key: string, make: (key: string) => V): V {
    let value = this.current.get(key);
    if (value === undefined) {
      value = this.previous.get(key) ?? make(key);
      this.current.set(key, value);
    }
    return value;
  }

  /** A frame is done: what it did not ask for is forgotten at the end of the next one. */
  endFrame(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}

const styledLines = new FrameMemo<StyledChar[]>();
const slices = new FrameMemo<string>();

/** A line cut to columns [from, to) by a clipping box: the same cuts, frame after frame. */
const sliceOf = (line: string, from: number, to: number) =>
  slices.get(`${from},${to},${line}`, () => sliceAnsi(line, from, to));
const styledCharsOf = (line: string) =>
  styledLines.get(line, () => styledCharsFromTokens(tokenize(line)));

const blank: StyledChar = Object.freeze({type: 'char', value: ' ', fullWidth: false, styles: []});

/** The empty cells after a wide character, one per character (so rows stay reusable). */
const fillers = new WeakMap<StyledChar, StyledChar>();
const fillerOf = (character: StyledChar) => {
  let filler = fillers.get(character);
  if (!filler) {
    filler = {type: 'char', value: '', fullWidth: false, styles: character.styles};
    fillers.set(character, filler);
  }
  return filler;
};

/** Last frame's rows and their strings. */
let lastRows: StyledChar[][] = [];
let lastStrings: string[] = [];

function sameCells(a: StyledChar[] | undefined, b: StyledChar[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let index = 0; index < b.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

export default class Output {
  readonly width: number;
  readonly height: number;
  private readonly operations: Operation[] = [];

  constructor(options: {width: number; height: number}) {
    this.width = options.width;
    this.height = options.height;
  }

  write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void {
    if (!text) return;
    this.operations.push({type: 'write', x, y, text, transformers: options.transformers});
  }

  clip(clip: Clip): void {
    this.operations.push({type: 'clip', clip});
  }

  unclip(): void {
    this.operations.push({type: 'unclip'});
  }

  get(): {output: string; height: number} {
    const output: StyledChar[][] = [];
    for (let y = 0; y < this.height; y++)
      output.push(new Array<StyledChar>(this.width).fill(blank));
    const clips: Clip[] = [];
    for (const operation of this.operations) {
      if (operation.type === 'clip') clips.push(operation.clip);
      else if (operation.type === 'unclip') clips.pop();
      else this.place(output, operation, clips.at(-1));
    }
    const rows = output.map((row, y) => {
      const cells = row.includes(undefined as never) ? row.filter(Boolean) : row;
      return sameCells(lastRows[y], cells) ? lastStrings[y]! : styledCharsToString(cells).trimEnd();
    });
    lastRows = output;
    lastStrings = rows;
    styledLines.endFrame();
    slices.endFrame();
    return {output: rows.join('\n'), height: output.length};
  }

  private place(
    output: StyledChar[][],
    operation: Extract<Operation, {type: 'write'}>,
    clip: Clip | undefined,
  ): void {
    const {text, transformers} = operation;
    let {x, y} = operation;
    let lines = text.split('\n');
    if (clip) {
      const clipsX = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
      const clipsY = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
      if (clipsX) {
        const width = widestLine(text);
        if (x + width < clip.x1! || x > clip.x2!) return;
      }
      if (clipsY && (y + lines.length < clip.y1! || y > clip.y2!)) return;
      if (clipsX) {
        lines = lines.map((line) => {
          const from = x < clip.x1! ? clip.x1! - x : 0;
          const width = textWidth(line);
          const to = x + width > clip.x2! ? clip.x2! - x : width;
          return sliceOf(line, from, to);
        });
        if (x < clip.x1!) x = clip.x1!;
      }
      if (clipsY) {
        const from = y < clip.y1! ? clip.y1! - y : 0;
        const to = y + lines.length > clip.y2! ? clip.y2! - y : lines.length;
        lines = lines.slice(from, to);
        if (y < clip.y1!) y = clip.y1!;
      }
    }
    let offsetY = 0;
    for (const [index, original] of lines.entries()) {
      const row = output[y + offsetY];
      if (!row) continue;
      let line = original;
      for (const transformer of transformers) line = transformer(line, index);
      let offsetX = x;
      for (const character of styledCharsOf(line)) {
        row[offsetX] = character;
        const characterWidth = Math.max(1, textWidth(character.value));
        for (let extra = 1; extra < characterWidth; extra++)
          row[offsetX + extra] = fillerOf(character);
        offsetX += characterWidth;
      }
      offsetY++;
    }
  }
}
