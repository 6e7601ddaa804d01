/**
 * The tests draw with the Ink that ships: the swaps of source/ink/patches.mjs apply inside Vitest
 * as they do in the bundle. If one stops applying, this fails.
 */
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import stringWidth from 'string-width';
import widestLine from 'widest-line';
import {afterEach, describe, expect, it, vi} from 'vitest';
import FrameOutput from '../../source/ink/frame-output.js';
import {remembersSize} from '../../source/ink/measure-text.js';
import portholeStringWidth from '../../source/ink/string-width.js';
import portholeWidestLine from '../../source/ink/text-width.js';
import {inkModuleSwaps, packageAliases} from '../../source/ink/patches.mjs';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Ink the tests run', () => {
  it("builds its frames with porthole's Output", () => {
    const get = vi.spyOn(FrameOutput.prototype, 'get');
    const {lastFrame, unmount} = render(<Text>drawn by the stand-in</Text>);
    expect(lastFrame()).toBe('drawn by the stand-in');
    expect(get).toHaveBeenCalled();
    unmount();
  });

  it("measures text with porthole's measureText", () => {
    const text = `measured ${Math.random()}`;
    expect(remembersSize(text)).toBe(false);
    const {unmount} = render(<Text>{text}</Text>);
    expect(remembersSize(text)).toBe(true);
    unmount();
  });

  it("imports porthole's string-width and widest-line", () => {
    expect(stringWidth).toBe(portholeStringWidth);
    expect(widestLine).toBe(portholeWidestLine);
  });

  it('reads the same list as the bundle', () => {
    expect(inkModuleSwaps.map((swap) => swap.replaces)).toEqual([
      './output.js',
      './measure-text.js',
    ]);
    expect(packageAliases.map((alias) => alias.name)).toEqual(['string-width', 'widest-line']);
  });
});
