import {describe, expect, it} from 'vitest';
// Ink does not export measureText; the test loads the very file the bundle replaces.
import inkMeasureText from '../../node_modules/ink/build/measure-text.js';
import measureText from '../../source/ink/measure-text.js';

/** `count` texts never drawn before, as a stream's log draws them. */
const newLines = (count: number) =>
  Array.from({length: count}, (_, index) => `message ${index} ${Math.random()}`);

describe("Ink's measureText", () => {
  it('keeps the size of every text it ever measured (issue 986)', () => {
    const first = `the first line ${Math.random()}`;
    const kept = inkMeasureText(first);
    for (const line of newLines(20_000)) inkMeasureText(line);
    // Still the very object measured first: twenty thousand lines later, nothing was let go.
    expect(inkMeasureText(first)).toBe(kept);
  });

  it("porthole's measures the same and forgets what later frames did not ask for", () => {
    const first = `the first line ${Math.random()}`;
    const kept = measureText(first);
    expect(kept).toEqual(inkMeasureText(first));
    for (const line of newLines(20_000)) measureText(line);
    expect(measureText(first)).not.toBe(kept);
    expect(measureText(first)).toEqual(kept);
    expect(measureText('ab\n漢字x')).toEqual({width: 5, height: 2});
    expect(measureText('')).toEqual({width: 0, height: 0});
  });
});
