import {describe, expect, it} from 'vitest';
// Ink does not export its Output; the test compares against the very file the bundle replaces.
import InkOutput from '../../node_modules/ink/build/output.js';
import FrameOutput, {FrameMemo} from '../../source/ink/frame-output.js';

type Transformer = (line: string, index: number) => string;
type Step =
  | {type: 'write'; x: number; y: number; text: string; transformers: Transformer[]}
  | {type: 'clip'; clip: Record<'x1' | 'x2' | 'y1' | 'y2', number | undefined>}
  | {type: 'unclip'};

/** A small seeded generator, so a failure names the frame that broke. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  return {next, int, pick};
}

const pieces = ['port', ' ', 'LISTEN', '▁▂▃█', '—', '…', '漢字', '🙂', 'é', 'a\u0301', '12345'];
const styles = [
  (text: string) => text,
  (text: string) => `\u001B[31m${text}\u001B[39m`,
  (text: string) => `\u001B[1m${text}\u001B[22m`,
  (text: string) => `\u001B[7m\u001B[32m${text}\u001B[39m\u001B[27m`,
];
const transformers: Transformer[][] = [
  [],
  [(line) => `\u001B[2m${line}\u001B[22m`],
  [(line, index) => (index === 0 ? line.toUpperCase() : line)],
];

function frame(seed: number, width: number, height: number): Step[] {
  const {int, pick, next} = random(seed);
  const steps: Step[] = [];
  let open = 0;
  for (let count = int(30) + 1; count > 0; count--) {
    const roll = next();
    if (roll < 0.15) {
      const x1 = int(width);
      const y1 = int(height);
      steps.push({
        type: 'clip',
        clip:
          next() < 0.2
            ? {x1: undefined, x2: undefined, y1, y2: y1 + int(height)}
            : {x1, x2: x1 + int(width), y1, y2: y1 + int(height)},
      });
      open++;
    } else if (roll < 0.25 && open > 0) {
      steps.push({type: 'unclip'});
      open--;
    } else {
      const lines = Array.from({length: int(3) + 1}, () =>
        Array.from({length: int(6)}, () => pick(styles)(pick(pieces))).join(''),
      );
      steps.push({
        type: 'write',
        x: int(width + 4) - 2,
        y: int(height + 2) - 1,
        text: lines.join('\n'),
        transformers: pick(transformers),
      });
    }
  }
  return steps;
}

function draw(Output: typeof InkOutput, steps: Step[], width: number, height: number) {
  const output = new Output({width, height});
  for (const step of steps) {
    if (step.type === 'write')
      output.write(step.x, step.y, step.text, {transformers: step.transformers});
    else if (step.type === 'clip') output.clip(step.clip);
    else output.unclip();
  }
  return output.get();
}

describe("Ink's own Output", () => {
  it('starts every frame with empty caches: the lines of the last frame are tokenized again', () => {
    const cached = (output: InkOutput) =>
      (output as unknown as {caches: {styledChars: Map<string, unknown>}}).caches.styledChars;
    const first = new InkOutput({width: 20, height: 1});
    first.write(0, 0, 'the same line', {transformers: []});
    first.get();
    expect(cached(first).has('the same line')).toBe(true);
    const next = new InkOutput({width: 20, height: 1});
    expect(cached(next).size).toBe(0);
  });
});

describe('the frame output the bundle draws with', () => {
  it('draws every frame exactly as Ink does, also when it repeats or changes the last one', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const width = 5 + (seed % 40);
      const height = 1 + (seed % 12);
      // A frame, the same frame again (rows reused), a different one, then the first once more.
      for (const steps of [seed, seed, seed + 1000, seed].map((s) => frame(s, width, height))) {
        const ours = draw(FrameOutput as unknown as typeof InkOutput, steps, width, height);
        expect(ours, `seed ${seed}`).toEqual(draw(InkOutput, steps, width, height));
      }
    }
  });

  it('reuses no row whose cells changed, even when the row text is as long as before', () => {
    const line = (text: string) =>
      draw(
        FrameOutput as unknown as typeof InkOutput,
        [{type: 'write', x: 0, y: 0, text, transformers: []}],
        10,
        1,
      ).output;
    expect(line('abc')).toBe('abc');
    expect(line('abd')).toBe('abd');
    expect(line('\u001B[31mabd\u001B[39m')).toBe('\u001B[31mabd\u001B[39m');
  });

  it('keeps the lines of the last two frames only, however many lines went by', () => {
    const memo = new FrameMemo<number>();
    let made = 0;
    const make = (key: string) => {
      made++;
      return key.length;
    };
    // A busy pane: every frame the same 30 lines and 30 never seen before.
    for (let frame = 0; frame < 1000; frame++) {
      for (let row = 0; row < 30; row++) memo.get(`steady ${row}`, make);
      for (let row = 0; row < 30; row++) memo.get(`frame ${frame} row ${row}`, make);
      memo.endFrame();
    }
    expect(memo.size).toBeLessThanOrEqual(120);
    expect(made).toBe(30 + 1000 * 30);
    // A line last asked for two frames ago is made again; one from the last frame is not.
    memo.get('frame 999 row 0', make);
    expect(made).toBe(30 + 1000 * 30);
    memo.get('frame 997 row 0', make);
    expect(made).toBe(30 + 1000 * 30 + 1);
  });
});
